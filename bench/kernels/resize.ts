// Benchmark cases for the resize family: a third of the frame (1920×1080 → 640×360, 640×480 → 213×160)
// with each method, gray and RGB, side by side with opencv.js and native cv2.resize.
import { allocImage, resize } from "../../src/index.js";
import { type BenchCase, type BenchContext, fillRealistic } from "../harness.js";

const SIZES = [[640, 480], [1920, 1080]] as const;
const FLAGS = { nearest: "INTER_NEAREST", bilinear: "INTER_LINEAR", area: "INTER_AREA" } as const;

export function cases({ cv }: BenchContext): BenchCase[] {
  const out: BenchCase[] = [];
  for (const [w, h] of SIZES) {
    const dw = Math.floor(w / 3);
    const dh = Math.floor(h / 3);
    for (const method of ["bilinear", "area", "nearest"] as const) {
      for (const cn of [3, 1] as const) {
        const img = allocImage(w, h, cn);
        fillRealistic(img.data, w, cn);
        const dst = allocImage(dw, dh, cn);
        const src = cv.matFromArray(h, w, cn === 3 ? cv.CV_8UC3 : cv.CV_8UC1, img.data);
        const cvDst = new cv.Mat();
        const size = new cv.Size(dw, dh);
        out.push({
          kernel: `resize →${dw}x${dh} ${method}, ${cn === 3 ? "RGB" : "gray"}`,
          size: `${w}x${h}`,
          ours: () => resize(img, { width: dw, height: dh, method, out: dst }),
          opencvjs: { run: () => cv.resize(src, cvDst, size, 0, 0, cv[FLAGS[method]]), dispose: () => (src.delete(), cvDst.delete()) },
          native: { name: "resize", args: { width: dw, height: dh, flag: FLAGS[method] }, inputs: { img: { width: w, height: h, channels: cn, data: img.data.slice() } } },
          floorBytes: (w * h * cn + dw * dh * cn) / 2,
          targets: w === 1920
            ? [
                { label: "≥5× opencv.js", check: (r) => (r.vsOpencvjs ?? 0) >= 5 },
                ...(method === "bilinear" ? [{ label: "≤3× memcpy", check: (r: { vsFloor: number }) => r.vsFloor <= 3 }] : []),
              ]
            : [],
          dispose: () => (img.dispose(), dst.dispose()),
        } satisfies BenchCase);
      }
    }
  }
  return out;
}
