// Benchmark cases for the distance family: exact Euclidean distance transform of an Otsu mask of a
// real photograph (OpenCV's fruits sample at 1080p, from the shared fixtures), against opencv.js and
// native OpenCV's distanceTransform(DIST_L2, DIST_MASK_PRECISE).
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { allocImage, distanceTransform, WasmBuffer } from "../../src/index.js";
import type { BenchCase, BenchContext } from "../harness.js";

const SIZES = [[640, 480], [1920, 1080]] as const;
const PHOTO = readFileSync(new URL("../../test/fixtures/inputs/fruits1920x1080.png", import.meta.url));

/** The photo as gray pixels at w×h. */
export async function grayPhoto(w: number, h: number): Promise<Uint8Array> {
  const { data } = await sharp(PHOTO).extractChannel(0).resize(w, h, { fit: "fill" }).raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** Otsu's threshold (OpenCV's definition), then 255 above it: a realistic mask with large blobs. */
export function otsuMask(gray: Uint8Array): Uint8Array {
  const hist = new Float64Array(256);
  for (const p of gray) hist[p]!++;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let best = 0, t = 0, w0 = 0, s0 = 0;
  for (let i = 0; i < 256; i++) {
    w0 += hist[i]!;
    s0 += i * hist[i]!;
    const w1 = gray.length - w0;
    if (w0 === 0 || w1 === 0) continue;
    const d = s0 / w0 - (sum - s0) / w1;
    const between = w0 * w1 * d * d;
    if (between > best) (best = between), (t = i);
  }
  return gray.map((p) => (p > t ? 255 : 0));
}

const masks = new Map<string, Uint8Array>();
for (const [w, h] of SIZES) masks.set(`${w}x${h}`, otsuMask(await grayPhoto(w, h)));

export function cases({ cv }: BenchContext): BenchCase[] {
  return SIZES.map(([w, h]) => {
    const mask = allocImage(w, h, 1);
    mask.data.set(masks.get(`${w}x${h}`)!);
    const dst = new WasmBuffer(w * h * 4);
    const src = cv.matFromArray(h, w, cv.CV_8UC1, mask.data);
    const cvDst = new cv.Mat();
    return {
      kernel: "distance exact L2 (Otsu mask)",
      size: `${w}x${h}`,
      ours: () => distanceTransform(mask, { out: dst.view(Float32Array) }), // view re-fetched: memory may grow
      opencvjs: { run: () => cv.distanceTransform(src, cvDst, cv.DIST_L2, cv.DIST_MASK_PRECISE), dispose: () => (src.delete(), cvDst.delete()) },
      native: { name: "distance exact L2", inputs: { mask: { width: w, height: h, channels: 1, data: mask.data.slice() } } },
      floorBytes: (w * h * 5) / 2,
      targets: w === 1920 ? [
        { label: "faster than native 1t", check: (r) => (r.vsNative ?? 0) > 1 },
        { label: "≥2× opencv.js", check: (r) => (r.vsOpencvjs ?? 0) >= 2 },
      ] : [],
      dispose: () => (mask.dispose(), dst.dispose()),
    } satisfies BenchCase;
  });
}
