// Benchmark cases for the threshold family. Template for a new family: build inputs once in
// WASM memory, give opencv.js the same pixels in its heap, and name the native case.
import { adaptiveThreshold, allocImage, otsuThreshold, threshold, triangleThreshold } from "../../src/index.js";
import { type BenchCase, type BenchContext, fillRealistic } from "../harness.js";

const SIZES = [[640, 480], [1920, 1080]] as const;

export function cases({ cv }: BenchContext): BenchCase[] {
  return SIZES.flatMap(([w, h]) => {
    const img = allocImage(w, h, 1);
    fillRealistic(img.data, w);
    const out = allocImage(w, h, 1);
    const src = cv.matFromArray(h, w, cv.CV_8UC1, img.data);
    const dst = new cv.Mat();
    const native = (name: string, args: Record<string, unknown>) => ({ name, args, inputs: { img: { width: w, height: h, channels: 1, data: img.data.slice() } } });
    const vsCv = { label: "≥5× opencv.js", check: (r: { vsOpencvjs?: number }) => (r.vsOpencvjs ?? 0) >= 5 };
    const list: BenchCase[] = [
      {
        kernel: "threshold binary",
        size: `${w}x${h}`,
        ours: () => threshold(img, { value: 127, out }),
        opencvjs: { run: () => cv.threshold(src, dst, 127, 255, cv.THRESH_BINARY) },
        native: native("threshold binary", { value: 127 }),
        floorBytes: w * h,
        targets: w === 1920 ? [vsCv, { label: "≤3× memcpy", check: (r) => r.vsFloor <= 3 }] : [],
      },
      {
        kernel: "threshold Otsu",
        size: `${w}x${h}`,
        ours: () => otsuThreshold(img, { out }),
        opencvjs: { run: () => cv.threshold(src, dst, 0, 255, cv.THRESH_BINARY | cv.THRESH_OTSU) },
        native: native("threshold Otsu", {}),
        floorBytes: w * h,
        targets: w === 1920 ? [vsCv] : [],
      },
      {
        kernel: "threshold triangle",
        size: `${w}x${h}`,
        ours: () => triangleThreshold(img, { out }),
        opencvjs: { run: () => cv.threshold(src, dst, 0, 255, cv.THRESH_BINARY | cv.THRESH_TRIANGLE) },
        native: native("threshold triangle", {}),
        floorBytes: w * h,
        targets: w === 1920 ? [vsCv] : [],
      },
      {
        kernel: "adaptive mean 31",
        size: `${w}x${h}`,
        ours: () => adaptiveThreshold(img, { method: "mean", blockSize: 31, c: 5, out }),
        opencvjs: { run: () => cv.adaptiveThreshold(src, dst, 255, cv.ADAPTIVE_THRESH_MEAN_C, cv.THRESH_BINARY, 31, 5) },
        native: native("adaptive", { method: "mean", blockSize: 31, c: 5 }),
        floorBytes: w * h,
        targets: w === 1920 ? [vsCv] : [],
      },
      {
        kernel: "adaptive gaussian 31",
        size: `${w}x${h}`,
        ours: () => adaptiveThreshold(img, { method: "gaussian", blockSize: 31, c: 5, out }),
        opencvjs: { run: () => cv.adaptiveThreshold(src, dst, 255, cv.ADAPTIVE_THRESH_GAUSSIAN_C, cv.THRESH_BINARY, 31, 5) },
        native: native("adaptive", { method: "gaussian", blockSize: 31, c: 5 }),
        floorBytes: w * h,
        targets: w === 1920 ? [vsCv] : [],
      },
    ];
    if (w === 1920) {
      // A constant frame sends every pair to one table entry back to back: guards against a
      // store-to-load forwarding cliff in the histogram (one loop shape measured 5x slower here).
      const flat = allocImage(w, h, 1);
      flat.data.fill(128);
      const flatSrc = cv.matFromArray(h, w, cv.CV_8UC1, flat.data);
      list.push({
        kernel: "threshold Otsu, flat image",
        size: `${w}x${h}`,
        ours: () => otsuThreshold(flat, { out }),
        opencvjs: { run: () => cv.threshold(flatSrc, dst, 0, 255, cv.THRESH_BINARY | cv.THRESH_OTSU) },
        native: { name: "threshold Otsu", args: {}, inputs: { img: { width: w, height: h, channels: 1, data: flat.data.slice() } } },
        floorBytes: w * h,
        targets: [],
        dispose: () => (flat.dispose(), flatSrc.delete()),
      });
    }
    // The Mats and images are shared by the cases of one size: free them after the last one.
    const last = list[list.length - 1]!;
    const own = last.dispose;
    last.dispose = () => (own?.(), img.dispose(), out.dispose(), src.delete(), dst.delete());
    return list;
  });
}
