// Benchmark cases for the threshold family. Template for a new family: build inputs once in
// WASM memory, give opencv.js the same pixels in its heap, and name the native case.
import { allocImage, threshold } from "../../src/index.js";
import { type BenchCase, type BenchContext, fillRealistic } from "../harness.js";

const SIZES = [[640, 480], [1920, 1080]] as const;

export function cases({ cv }: BenchContext): BenchCase[] {
  return SIZES.map(([w, h]) => {
    const img = allocImage(w, h, 1);
    fillRealistic(img.data, w);
    const out = allocImage(w, h, 1);
    const src = cv.matFromArray(h, w, cv.CV_8UC1, img.data);
    const dst = new cv.Mat();
    return {
      kernel: "threshold binary",
      size: `${w}x${h}`,
      ours: () => threshold(img, { value: 127, out }),
      opencvjs: { run: () => cv.threshold(src, dst, 127, 255, cv.THRESH_BINARY), dispose: () => (src.delete(), dst.delete()) },
      native: { name: "threshold binary", args: { value: 127 }, inputs: { img: { width: w, height: h, channels: 1, data: img.data.slice() } } },
      floorBytes: w * h,
      targets: w === 1920 ? [
        { label: "≥5× opencv.js", check: (r) => (r.vsOpencvjs ?? 0) >= 5 },
        { label: "≤3× memcpy", check: (r) => r.vsFloor <= 3 },
      ] : [],
      dispose: () => (img.dispose(), out.dispose()),
    } satisfies BenchCase;
  });
}
