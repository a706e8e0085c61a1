// Benchmark cases for the edges family: Sobel dx → i16 and Canny(50, 150) on a real photograph
// (OpenCV's fruits sample at 1080p from the shared fixtures), against opencv.js and native OpenCV.
import { allocImage, canny, sobel, WasmBuffer } from "../../src/index.js";
import type { BenchCase, BenchContext } from "../harness.js";
import { grayPhoto } from "./distance.js";

const SIZES = [[640, 480], [1920, 1080]] as const;
const photos = new Map<string, Uint8Array>();
for (const [w, h] of SIZES) photos.set(`${w}x${h}`, await grayPhoto(w, h));

export function cases({ cv }: BenchContext): BenchCase[] {
  return SIZES.flatMap(([w, h]) => {
    const size = `${w}x${h}`;
    const img = allocImage(w, h, 1);
    img.data.set(photos.get(size)!);
    const native = { img: { width: w, height: h, channels: 1, data: img.data.slice() } };
    const src = cv.matFromArray(h, w, cv.CV_8UC1, img.data);
    const big = w === 1920;

    const grad = new WasmBuffer(w * h * 2);
    const cvGrad = new cv.Mat();
    const sobelCase: BenchCase = {
      kernel: "Sobel dx 3x3 → s16",
      size,
      ours: () => sobel(img, { dx: 1, dy: 0, out: grad.view(Int16Array) }), // view re-fetched: memory may grow
      opencvjs: { run: () => cv.Sobel(src, cvGrad, cv.CV_16S, 1, 0, 3), dispose: () => cvGrad.delete() },
      native: { name: "Sobel dx 3x3", inputs: native },
      floorBytes: (w * h * 3) / 2,
      targets: big ? [{ label: "≥5× opencv.js", check: (r) => (r.vsOpencvjs ?? 0) >= 5 }] : [],
      dispose: () => grad.dispose(),
    };

    const edges = allocImage(w, h, 1);
    const cvEdges = new cv.Mat();
    const cannyCase: BenchCase = {
      kernel: "Canny(50,150)",
      size,
      ours: () => canny(img, { low: 50, high: 150, out: edges }),
      opencvjs: { run: () => cv.Canny(src, cvEdges, 50, 150, 3, false), dispose: () => (cvEdges.delete(), src.delete()) },
      native: { name: "Canny(50,150)", inputs: native },
      floorBytes: w * h,
      targets: big ? [
        { label: "faster than native 1t", check: (r) => (r.vsNative ?? 0) > 1 },
        { label: "≥2× opencv.js", check: (r) => (r.vsOpencvjs ?? 0) >= 2 },
      ] : [],
      dispose: () => (edges.dispose(), img.dispose()),
    };
    return [sobelCase, cannyCase];
  });
}
