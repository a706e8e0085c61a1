// Benchmark cases for the normalize family: u8 RGB → f32 CHW with per-channel mean/std (the model
// input), at full frame and fused with a resize to a model size, plus quantize to uint8.
// Peers: opencv.js's and native cv2.dnn.blobFromImage (which allocates its output on every call and
// has one scale for all channels, so they do slightly less work than ours: per-channel std is free
// for us, not for them).
import { allocImage, normalize, quantize, tensorBuffer } from "../../src/index.js";
import { type BenchCase, type BenchContext, fillRealistic } from "../harness.js";

const SIZES = [[640, 480], [1920, 1080]] as const;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

export function cases({ cv }: BenchContext): BenchCase[] {
  const out: BenchCase[] = [];
  for (const [w, h] of SIZES) {
    for (const [label, tw, th] of [["", w, h], [" + resize →256x256", 256, 256]] as const) {
      const img = allocImage(w, h, 3);
      fillRealistic(img.data, w, 3);
      const tensor = tensorBuffer(3 * tw * th, "float32");
      const resizeOpt = tw === w ? {} : { resize: { width: tw, height: th } };
      const src = cv.matFromArray(h, w, cv.CV_8UC3, img.data);
      const size = new cv.Size(tw, th);
      const mean = new cv.Scalar(MEAN[0]! * 255, MEAN[1]! * 255, MEAN[2]! * 255);
      out.push({
        kernel: `normalize u8 HWC→f32 CHW${label}`,
        size: `${w}x${h}`,
        ours: () => normalize(img, { mean: MEAN, std: STD, layout: "nchw", ...resizeOpt, out: tensor.view(Float32Array) }),
        opencvjs: { run: () => cv.blobFromImage(src, 1 / (255 * 0.226), size, mean, false, false).delete(), dispose: () => src.delete() },
        native: { name: "blobFromImage", args: { width: tw, height: th, mean: MEAN.map((m) => m * 255), scale: 1 / (255 * 0.226) }, inputs: { img: { width: w, height: h, channels: 3, data: img.data.slice() } } },
        // The floor memcpy moves what a copy of the same bytes would: (u8 input + f32 output) / 2.
        floorBytes: (w * h * 3 + tw * th * 3 * 4) / 2,
        targets: w === 1920
          ? [
              { label: "≥5× opencv.js", check: (r) => (r.vsOpencvjs ?? 0) >= 5 },
              ...(tw === w ? [{ label: "≤2.5× memcpy", check: (r: { vsFloor: number }) => r.vsFloor <= 2.5 }] : []),
            ]
          : [],
        dispose: () => (img.dispose(), tensor.dispose()),
      } satisfies BenchCase);
    }
    // quantize to a uint8 CHW model input at 256×256 (what the u8 segmentation models take).
    const img = allocImage(w, h, 3);
    fillRealistic(img.data, w, 3);
    const q = tensorBuffer(3 * 256 * 256, "uint8");
    out.push({
      kernel: "quantize u8 HWC→u8 CHW + resize →256x256",
      size: `${w}x${h}`,
      ours: () => quantize(img, { scale: 0.0187, zeroPoint: 114, dtype: "uint8", layout: "nchw", mean: MEAN, std: STD, resize: { width: 256, height: 256 }, out: q.u8 }),
      floorBytes: (w * h * 3 + 256 * 256 * 3) / 2,
      dispose: () => (img.dispose(), q.dispose()),
    } satisfies BenchCase);
  }
  return out;
}
