// Benchmark cases for the colour family: RGB→gray and the camera formats, side by side with
// opencv.js's and native OpenCV's cvtColor on the same pixels.
import { allocImage, i420ToRgb, nv12ToRgb, toGray, WasmBuffer, yuyvToGray, yuyvToRgb } from "../../src/index.js";
import { type BenchCase, type BenchContext, fillRealistic } from "../harness.js";

const SIZES = [[640, 480], [1920, 1080]] as const;

const atTarget = (w: number, floor: boolean) =>
  w === 1920
    ? [
        { label: "≥5× opencv.js", check: (r: { vsOpencvjs?: number }) => (r.vsOpencvjs ?? 0) >= 5 },
        ...(floor ? [{ label: "≤3× memcpy", check: (r: { vsFloor: number }) => r.vsFloor <= 3 }] : []),
      ]
    : [];

export function cases({ cv }: BenchContext): BenchCase[] {
  const out: BenchCase[] = [];
  for (const [w, h] of SIZES) {
    for (const cn of [3, 4] as const) {
      const img = allocImage(w, h, cn);
      fillRealistic(img.data, w, cn);
      const gray = allocImage(w, h, 1);
      const src = cv.matFromArray(h, w, cn === 3 ? cv.CV_8UC3 : cv.CV_8UC4, img.data);
      const dst = new cv.Mat();
      out.push({
        kernel: cn === 3 ? "RGB→gray (cvtColor)" : "RGBA→gray (cvtColor)",
        size: `${w}x${h}`,
        ours: () => toGray(img, { out: gray }),
        opencvjs: { run: () => cv.cvtColor(src, dst, cn === 3 ? cv.COLOR_RGB2GRAY : cv.COLOR_RGBA2GRAY), dispose: () => (src.delete(), dst.delete()) },
        native: { name: "cvtColor", args: { code: cn === 3 ? "COLOR_RGB2GRAY" : "COLOR_RGBA2GRAY" }, inputs: { img: { width: w, height: h, channels: cn, data: img.data.slice() } } },
        floorBytes: (w * h * cn + w * h) / 2,
        targets: atTarget(w, cn === 3),
        dispose: () => (img.dispose(), gray.dispose()),
      });
    }
    // Camera formats: the frame's bytes in WASM memory (zero-copy input), RGB out.
    const formats = [
      { name: "NV12→RGB", bytes: (w * h * 3) / 2, rows: (h * 3) / 2, cols: w, type: cv.CV_8UC1, code: "COLOR_YUV2RGB_NV12", run: nv12ToRgb, ch: 3 },
      { name: "I420→RGB", bytes: (w * h * 3) / 2, rows: (h * 3) / 2, cols: w, type: cv.CV_8UC1, code: "COLOR_YUV2RGB_I420", run: i420ToRgb, ch: 3 },
      { name: "YUYV→RGB", bytes: w * h * 2, rows: h, cols: w, type: cv.CV_8UC2, code: "COLOR_YUV2RGB_YUYV", run: yuyvToRgb, ch: 3 },
      { name: "YUYV→gray", bytes: w * h * 2, rows: h, cols: w, type: cv.CV_8UC2, code: "COLOR_YUV2GRAY_YUYV", run: yuyvToGray, ch: 1 },
    ] as const;
    for (const f of formats) {
      const buf = new WasmBuffer(f.bytes);
      fillRealistic(buf.u8, w);
      const frame = { width: w, height: h, get data() { return buf.u8; } };
      const o = allocImage(w, h, f.ch);
      const src = cv.matFromArray(f.rows, f.cols, f.type, buf.u8);
      const dst = new cv.Mat();
      out.push({
        kernel: `${f.name} (cvtColor)`,
        size: `${w}x${h}`,
        ours: () => (f.run as typeof nv12ToRgb)(frame, { out: o }),
        opencvjs: { run: () => cv.cvtColor(src, dst, cv[f.code]), dispose: () => (src.delete(), dst.delete()) },
        native: { name: "cvtColor", args: { code: f.code }, inputs: { img: { width: f.cols, height: f.rows, channels: f.type === cv.CV_8UC2 ? 2 : 1, data: buf.u8.slice() } } },
        floorBytes: (f.bytes + w * h * f.ch) / 2,
        targets: atTarget(w, false),
        dispose: () => (buf.dispose(), o.dispose()),
      });
    }
  }
  return out;
}
