// Benchmark cases for findContours: an Otsu mask of a real photo (a few hundred borders) and a
// noisy mask with ~15k blobs (where per-contour costs dominate), against opencv.js and native OpenCV.
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { allocImage, findContours, type WasmImage } from "../../src/index.js";
import type { BenchCase, BenchContext } from "../harness.js";

const SIZES = [[640, 480], [1920, 1080]] as const;

/** Uniform noise, 7×7 box mean, thresholded: ~15k blobs with holes at 1080p (~2.3k at 640×480). */
export function noisyMask(w: number, h: number, seed = 1): Uint8Array {
  let a = seed >>> 0;
  const noise = new Float32Array(w * h);
  for (let i = 0; i < noise.length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    noise[i] = a / 4294967296;
  }
  const r = 3;
  const rows = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += noise[y * w + Math.min(w - 1, Math.max(0, x + d))]!;
      rows[y * w + x] = s;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += rows[Math.min(h - 1, Math.max(0, y + d)) * w + x]!;
      out[y * w + x] = s / 49 > 0.508 ? 255 : 0;
    }
  }
  return out;
}

/** Otsu mask of OpenCV's water_coins-like photo: skimage's coins, resized to the frame. */
async function otsuMask(w: number, h: number): Promise<Uint8Array> {
  const png = readFileSync(new URL("../../test/fixtures/inputs/coins.png", import.meta.url));
  const { data } = await sharp(png).extractChannel(0).resize(w, h, { kernel: "cubic" }).raw().toBuffer({ resolveWithObject: true });
  // Otsu on the histogram (same rule as OpenCV).
  const hist = new Float64Array(256);
  for (const p of data) hist[p]!++;
  const n = data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let t = 0;
  for (let i = 0; i < 256; i++) {
    wB += hist[i]!;
    if (wB === 0 || wB === n) continue;
    sumB += i * hist[i]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / (n - wB);
    const between = wB * (n - wB) * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      t = i;
    }
  }
  return new Uint8Array(data).map((p) => (p > t ? 255 : 0));
}

// Top-level await: the Otsu masks are decoded once when run.ts imports this file.
const otsu = new Map<string, Uint8Array>();
for (const [w, h] of SIZES) otsu.set(`${w}`, await otsuMask(w, h));

export function cases({ cv }: BenchContext): BenchCase[] {
  const out: BenchCase[] = [];
  for (const [w, h] of SIZES) {
    for (const [kind, data] of [["Otsu mask", otsu.get(`${w}`)!], ["noisy mask", noisyMask(w, h)]] as const) {
      for (const mode of ["external", "all"] as const) {
        if (mode === "all" && kind === "Otsu mask") continue;
        const img: WasmImage = allocImage(w, h, 1);
        img.data.set(data);
        const src = cv.matFromArray(h, w, cv.CV_8UC1, data);
        const contours = new cv.MatVector();
        const hierarchy = new cv.Mat();
        const approximation = mode === "external" ? "none" : "simple";
        const cvMode = mode === "external" ? cv.RETR_EXTERNAL : cv.RETR_CCOMP;
        const cvMethod = mode === "external" ? cv.CHAIN_APPROX_NONE : cv.CHAIN_APPROX_SIMPLE;
        const count = findContours(img, { mode, approximation }).contours.length;
        const big = w === 1920;
        out.push({
          kernel: `findContours ${mode}${mode === "all" ? " simple" : ""}, ${kind} (${count} contours)`,
          size: `${w}x${h}`,
          ours: () => findContours(img, { mode, approximation }),
          opencvjs: {
            run: () => cv.findContours(src, contours, hierarchy, cvMode, cvMethod),
            dispose: () => (src.delete(), contours.delete(), hierarchy.delete()),
          },
          native: {
            name: mode === "external" ? "findContours external core" : "findContours all simple core",
            inputs: { mask: { width: w, height: h, channels: 1, data: data.slice() } },
          },
          floorBytes: w * h,
          targets: big && mode === "external" ? [
            { label: "faster than native 1t (C core)", check: (r) => (r.vsNative ?? 0) > 1 },
            { label: "≥2× opencv.js", check: (r) => (r.vsOpencvjs ?? 0) >= 2 },
          ] : [],
          dispose: () => img.dispose(),
        } satisfies BenchCase);
      }
    }
  }
  return out;
}
