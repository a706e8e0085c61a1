// Benchmark cases for connected components and hole filling: edgeseg vs opencv.js
// (connectedComponentsWithStats; the floodFill recipe for holes) vs native OpenCV one thread.
// Inputs: an Otsu mask of scikit-image's `coins` resized to the frame size (large blobs with
// holes) and a synthetic noisy mask with ~15k blobs at 1080p (many small components).
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { allocImage, connectedComponents, fillHoles, WasmBuffer } from "../../src/index.js";
import type { BenchCase, BenchContext } from "../harness.js";

const SIZES = [[640, 480], [1920, 1080]] as const;
const coinsPng = readFileSync(new URL("../../test/fixtures/inputs/coins.png", import.meta.url));

/** Otsu's threshold of a gray histogram (OpenCV's definition: the t maximising between-class variance). */
function otsu(data: Uint8Array): number {
  const hist = new Float64Array(256);
  for (const p of data) hist[p]!++;
  const n = data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let wB = 0, sumB = 0, best = 0, bestVar = -1;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0 || wB === n) continue;
    sumB += t * hist[t]!;
    const mB = sumB / wB, mF = (sum - sumB) / (n - wB);
    const between = wB * (n - wB) * (mB - mF) ** 2;
    if (between > bestVar) (bestVar = between), (best = t);
  }
  return best;
}

/**
 * Deterministic noise thresholded after a 3×3 box blur. t = 0.71: ~15k small blobs at 1080p
 * (1.5% foreground); t = 0.5: half the pixels, ~20k blobs, many merged into large lattices.
 */
function noisyMask(data: Uint8Array, w: number, h: number, t: number): void {
  let s = 12345;
  const noise = new Float32Array(w * h);
  for (let i = 0; i < noise.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    noise[i] = (s >>> 8) / 16777216;
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0, c = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const yy = y + dy, xx = x + dx;
        if (yy >= 0 && yy < h && xx >= 0 && xx < w) (acc += noise[yy * w + xx]!), c++;
      }
      data[y * w + x] = acc / c > t ? 255 : 0;
    }
  }
}

export async function prepare(): Promise<Map<string, Uint8Array>> {
  const masks = new Map<string, Uint8Array>();
  for (const [w, h] of SIZES) {
    const gray = await sharp(coinsPng).extractChannel(0).resize(w, h, { fit: "fill", kernel: "cubic" }).raw().toBuffer();
    const t = otsu(gray);
    masks.set(`otsu${w}`, Uint8Array.from(gray, (p) => (p > t ? 255 : 0)));
    for (const [name, t] of [["noisy", 0.71], ["dense noise", 0.5]] as const) {
      const noisy = new Uint8Array(w * h);
      noisyMask(noisy, w, h, t);
      masks.set(`${name}${w}`, noisy);
    }
  }
  return masks;
}

const masks = await prepare();

export function cases({ cv }: BenchContext): BenchCase[] {
  const out: BenchCase[] = [];
  for (const [w, h] of SIZES) {
    for (const kind of ["Otsu", "noisy", "dense noise"] as const) {
      const mask = allocImage(w, h, 1);
      mask.data.set(masks.get(`${kind.toLowerCase()}${w}`)!);
      const labelsBuf = new WasmBuffer(w * h * 4);
      const src = cv.matFromArray(h, w, cv.CV_8UC1, mask.data);
      const labels = new cv.Mat(), stats = new cv.Mat(), centroids = new cv.Mat();
      const count = connectedComponents(mask, { connectivity: 8 }).count;
      out.push({
        kernel: `CC+stats 8-conn, ${kind} mask (${count} blobs)`,
        size: `${w}x${h}`,
        ours: () => connectedComponents(mask, { connectivity: 8, labels: labelsBuf.view(Int32Array) }),
        opencvjs: {
          run: () => cv.connectedComponentsWithStats(src, labels, stats, centroids, 8, cv.CV_32S),
          dispose: () => (src.delete(), labels.delete(), stats.delete(), centroids.delete()),
        },
        native: { name: "connectedComponentsWithStats", args: { connectivity: 8 }, inputs: { mask: { width: w, height: h, channels: 1, data: mask.data.slice() } } },
        floorBytes: (w * h * 5) / 2,
        targets: w === 1920 ? [
          { label: "faster than native 1t", check: (r) => (r.vsNative ?? 0) > 1 },
          { label: "≥2× opencv.js", check: (r) => (r.vsOpencvjs ?? 0) >= 2 },
        ] : [],
        dispose: () => (mask.dispose(), labelsBuf.dispose()),
      });
    }
    // fillHoles on the Otsu mask (coins have holes). Peers: OpenCV's usual recipe — flood the
    // background from a padded border, invert, OR with the mask — which equals binary_fill_holes.
    const mask = allocImage(w, h, 1);
    mask.data.set(masks.get(`otsu${w}`)!);
    const filled = allocImage(w, h, 1);
    const src = cv.matFromArray(h, w, cv.CV_8UC1, mask.data);
    const padded = new cv.Mat(h + 2, w + 2, cv.CV_8UC1);
    const inner = padded.roi(new cv.Rect(1, 1, w, h));
    const ffMask = new cv.Mat.zeros(h + 4, w + 4, cv.CV_8UC1);
    const dst = new cv.Mat();
    const seed = new cv.Point(0, 0);
    const white = new cv.Scalar(255);
    out.push({
      kernel: "fillHoles, Otsu mask",
      size: `${w}x${h}`,
      ours: () => fillHoles(mask, { out: filled }),
      opencvjs: {
        run: () => {
          padded.setTo(new cv.Scalar(0));
          src.copyTo(inner);
          cv.floodFill(padded, ffMask, seed, white, new cv.Rect(), new cv.Scalar(0), new cv.Scalar(0), 4);
          cv.bitwise_not(inner, dst);
          cv.bitwise_or(dst, src, dst);
        },
        dispose: () => (src.delete(), inner.delete(), padded.delete(), ffMask.delete(), dst.delete()),
      },
      native: { name: "fillHoles floodFill", inputs: { mask: { width: w, height: h, channels: 1, data: mask.data.slice() } } },
      floorBytes: w * h,
      dispose: () => (mask.dispose(), filled.dispose()),
    });
  }
  return out;
}
