// Thresholding: fixed, Otsu, triangle, adaptive. Masks are 0/255 like OpenCV's.
import type { Image, Mask } from "../core/image.js";
import { addressOf, inputPointer, outputTarget, scratch, type WasmBuffer } from "../core/memory.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";

type ThresholdExports = {
  thresholdBinary(src: number, dst: number, n: number, value: number, inverse: boolean): void;
  histogram256(src: number, n: number, hist: number, pairs: number, pairsClean: boolean): number;
  adaptiveMean(src: number, dst: number, w: number, h: number, block: number, t: number, inverse: boolean, cols: number, sums: number, mean: number): void;
  adaptiveGaussian(src: number, dst: number, w: number, h: number, block: number, t: number, inverse: boolean, taps: number, rows: number, line: number, mean: number): void;
};
const k = () => kernels() as unknown as ThresholdExports;

/** Options shared by kernels that write a mask. */
export interface MaskOutput {
  /** A caller-owned 1-channel image of the input's size to write into (zero-copy if it is a `WasmImage`). */
  out?: Image;
}

export interface ThresholdOptions extends MaskOutput {
  /** Pixels strictly greater than `value` become 255. Fractional values are floored, as OpenCV does for 8-bit images. */
  value: number;
  /** Swap foreground and background (THRESH_BINARY_INV). @default false */
  inverse?: boolean;
}

/**
 * Validates `out` for a mask of `img`'s size. Read `out.data` only after the call's last scratch
 * allocation: memory growth detaches views taken earlier.
 */
export function maskOut(name: string, img: Image, out: Image | undefined): Image | undefined {
  if (out === undefined) return undefined;
  v.image(name, out, [1]);
  v.sameSize("the input", img, name, out);
  if (out.stride !== undefined && out.stride !== out.width) v.invalidParameter(`${name}.stride`, `packed rows (${out.width})`, out.stride);
  return out;
}

/** True when `out` lives in WASM memory over bytes [ptr, ptr + n) (the kernel would read what it writes). */
export function outOverlaps(out: Image | undefined, ptr: number, n: number): boolean {
  const at = out === undefined ? -1 : addressOf(out.data);
  return at >= 0 && at < ptr + n && ptr < at + n;
}

/** Wraps mask bytes in the image type. */
export function asMask(img: Image, data: Uint8Array): Mask {
  return { width: img.width, height: img.height, channels: 1, data };
}

/**
 * Binary threshold of a gray image: `src > value ? 255 : 0`, identical to OpenCV's
 * `threshold(src, value, 255, THRESH_BINARY)` (or `_INV` with `inverse`).
 *
 * @example
 * const mask = threshold(gray, { value: 128 });
 */
export function threshold(img: Image, options: ThresholdOptions): Mask {
  v.image("img", img, [1]);
  const o = v.options("options", options, ["value", "inverse", "out"]);
  const value = v.number("options.value", o.value);
  const inverse = o.inverse === undefined ? false : v.boolean("options.inverse", o.inverse);
  const out = maskOut("options.out", img, o.out);
  const n = img.width * img.height;
  const src = inputPointer(img, "threshold.in");
  const dst = outputTarget(n, out?.data, "threshold.out");
  // OpenCV compares u8 pixels against floor(value), clamped to the u8 range.
  const t = Math.floor(Math.max(-1, Math.min(255, value)));
  k().thresholdBinary(src, dst.ptr, n, t, inverse);
  return asMask(img, dst.finish());
}

// ---- automatic thresholds: Otsu and triangle ----

/** Bytes of the pair-histogram table in assembly/threshold.ts (PAIR_TABLE_BYTES). */
const PAIR_TABLE_BYTES = 65536 * 4;
/** The pair table is left all zero by the kernel; this is the scratch buffer known to be clean. */
let cleanPairTable: WasmBuffer | null = null;

/** 256-bin histogram of a packed gray image in WASM memory, as a view (valid until the next call). */
function histogram(src: number, n: number): Uint32Array {
  const hist = scratch("threshold.hist", 4096);
  const pairs = scratch("threshold.pairs", PAIR_TABLE_BYTES);
  const clean = k().histogram256(src, n, hist.ptr, pairs.ptr, cleanPairTable === pairs);
  cleanPairTable = clean ? pairs : null;
  return hist.view(Uint32Array);
}

const FLT_EPSILON = 1.1920928955078125e-7;

/**
 * OpenCV's getThreshVal_Otsu_8u, step for step in doubles (same operations, same order, same
 * tie-breaking: the first maximum wins, and bins where either class is empty are skipped).
 */
function otsuFromHistogram(h: ArrayLike<number>, total: number): number {
  const scale = 1 / total;
  let mu = 0;
  for (let i = 0; i < 256; i++) mu += i * h[i]!;
  mu *= scale;
  let mu1 = 0;
  let q1 = 0;
  let maxSigma = 0;
  let maxVal = 0;
  for (let i = 0; i < 256; i++) {
    const pi = h[i]! * scale;
    mu1 *= q1;
    q1 += pi;
    const q2 = 1 - q1;
    if (Math.min(q1, q2) < FLT_EPSILON || Math.max(q1, q2) > 1 - FLT_EPSILON) continue;
    mu1 = (mu1 + i * pi) / q1;
    const mu2 = (mu - q1 * mu1) / q2;
    const sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2);
    if (sigma > maxSigma) {
      maxSigma = sigma;
      maxVal = i;
    }
  }
  return maxVal;
}

/** Copy of the histogram that triangleFromHistogram may flip (reused: no allocation per call). */
const triangleBins = new Uint32Array(256);

/** OpenCV's getThreshVal_Triangle_8u: the histogram is flipped when its peak is nearer the left end. */
function triangleFromHistogram(hist: Uint32Array): number {
  const N = 256;
  const h = triangleBins;
  for (let i = 0; i < N; i++) h[i] = hist[i]!;
  let left = 0;
  let right = 0;
  let maxInd = 0;
  let max = 0;
  for (let i = 0; i < N; i++) {
    if (h[i]! > 0) {
      left = i;
      break;
    }
  }
  if (left > 0) left--;
  for (let i = N - 1; i > 0; i--) {
    if (h[i]! > 0) {
      right = i;
      break;
    }
  }
  if (right < N - 1) right++;
  for (let i = 0; i < N; i++) {
    if (h[i]! > max) {
      max = h[i]!;
      maxInd = i;
    }
  }
  let flipped = false;
  if (maxInd - left < right - maxInd) {
    flipped = true;
    h.reverse();
    left = N - 1 - right;
    maxInd = N - 1 - maxInd;
  }
  let thresh = left;
  let dist = 0;
  const a = max;
  const b = left - maxInd;
  for (let i = left + 1; i <= maxInd; i++) {
    const d = a * i + b * h[i]!;
    if (d > dist) {
      dist = d;
      thresh = i;
    }
  }
  thresh--;
  return flipped ? N - 1 - thresh : thresh;
}

export interface AutoThresholdOptions extends MaskOutput {
  /** Swap foreground and background (THRESH_BINARY_INV). @default false */
  inverse?: boolean;
}

/** A threshold chosen from the image, and the mask it gives (`src > threshold ? 255 : 0`). */
export interface AutoThresholdResult {
  threshold: number;
  mask: Mask;
}

function autoThreshold(img: Image, options: AutoThresholdOptions | undefined, pick: (h: Uint32Array, n: number) => number): AutoThresholdResult {
  v.image("img", img, [1]);
  const o = v.options("options", options, ["inverse", "out"]);
  const inverse = o.inverse === undefined ? false : v.boolean("options.inverse", o.inverse);
  const out = maskOut("options.out", img, o.out);
  const n = img.width * img.height;
  const src = inputPointer(img, "threshold.in");
  const t = pick(histogram(src, n), n);
  const dst = outputTarget(n, out?.data, "threshold.out");
  k().thresholdBinary(src, dst.ptr, n, Math.max(-1, Math.min(255, t)), inverse);
  return { threshold: t, mask: asMask(img, dst.finish()) };
}

/**
 * Otsu's threshold of a gray image and its mask: the same threshold value as OpenCV's
 * `threshold(src, 0, 255, THRESH_BINARY | THRESH_OTSU)` on every image, and the same mask.
 *
 * @example
 * const { threshold, mask } = otsuThreshold(gray);
 * const { mask: background } = otsuThreshold(gray, { inverse: true });
 */
export function otsuThreshold(img: Image, options?: AutoThresholdOptions): AutoThresholdResult {
  return autoThreshold(img, options, otsuFromHistogram);
}

/**
 * Triangle threshold of a gray image and its mask, identical to OpenCV's
 * `threshold(src, 0, 255, THRESH_BINARY | THRESH_TRIANGLE)` (suits images with one dominant peak).
 *
 * @example
 * const { threshold, mask } = triangleThreshold(gray);
 */
export function triangleThreshold(img: Image, options?: AutoThresholdOptions): AutoThresholdResult {
  return autoThreshold(img, options, triangleFromHistogram);
}

// ---- adaptive threshold ----

/**
 * Largest block size. Above 163, OpenCV's own mean stops being exact: its float32 path rounds a
 * few sums differently from its double path, so no implementation could match it pixel for pixel.
 */
export const MAX_BLOCK_SIZE = 163;

export interface AdaptiveThresholdOptions extends MaskOutput {
  /** How the local threshold is computed: the block's mean or its Gaussian-weighted mean. */
  method: "mean" | "gaussian";
  /** Side of the square neighbourhood: odd, 3 … {@link MAX_BLOCK_SIZE}. */
  blockSize: number;
  /** Subtracted from the local mean: pixels above `mean - c` become 255. Can be negative. */
  c: number;
  /** Swap foreground and background (THRESH_BINARY_INV). @default false */
  inverse?: boolean;
}

/**
 * Adaptive threshold, like OpenCV's `adaptiveThreshold(src, 255, method, type, blockSize, c)`:
 * identical for "mean"; for "gaussian" the mean is computed in fixed point rather than OpenCV's
 * float32, so a pixel whose value sits exactly on its threshold can rarely differ (at most 0.1%).
 * Borders replicate the edge pixels, as OpenCV does. The cost of "mean" does not depend on `blockSize`.
 *
 * @example
 * const mask = adaptiveThreshold(gray, { method: "mean", blockSize: 31, c: 5 });
 */
export function adaptiveThreshold(img: Image, options: AdaptiveThresholdOptions): Mask {
  v.image("img", img, [1]);
  const o = v.options("options", options, ["method", "blockSize", "c", "inverse", "out"]);
  const method = v.oneOf("options.method", o.method, ["mean", "gaussian"] as const);
  const block = v.oddInteger("options.blockSize", o.blockSize, 3, MAX_BLOCK_SIZE);
  const c = v.number("options.c", o.c, -Number.MAX_VALUE, Number.MAX_VALUE);
  const inverse = o.inverse === undefined ? false : v.boolean("options.inverse", o.inverse);
  const out = maskOut("options.out", img, o.out);
  const { width: w, height: h } = img;
  const n = w * h;
  const src = inputPointer(img, "adaptive.in");
  // OpenCV: binary keeps src - mean > -ceil(c); inverse keeps src - mean <= -floor(c).
  const t = Math.max(-256, Math.min(255, inverse ? -Math.floor(c) : -Math.ceil(c)));
  // Scratch first, the output view last (allocation may grow memory and detach earlier views).
  const bufs = method === "mean"
    ? [scratch("adaptive.cols", 4 * (w + block + 8) + 64), scratch("adaptive.sums", 4 * (w + 16) + 64), scratch("adaptive.mean", w + 32)]
    : [scratch("adaptive.taps", 20 * block + 64), scratch("adaptive.rows", 4 * block), scratch("adaptive.line", 2 * (w + block) + 64), scratch("adaptive.mean", w + 32)];
  // The kernel reads rows around the one it writes, so it cannot write over its input.
  const inPlace = outOverlaps(out, src, n);
  const tmp = inPlace ? scratch("adaptive.tmp", n) : null;
  const dst = outputTarget(n, out?.data, "adaptive.out");
  const to = tmp ? tmp.ptr : dst.ptr;
  if (method === "mean") {
    k().adaptiveMean(src, to, w, h, block, t, inverse, bufs[0]!.ptr, bufs[1]!.ptr, bufs[2]!.ptr);
  } else {
    gaussianTaps(block, bufs[0]!.view(Int32Array));
    k().adaptiveGaussian(src, to, w, h, block, t, inverse, bufs[0]!.ptr, bufs[1]!.ptr, bufs[2]!.ptr, bufs[3]!.ptr);
  }
  if (tmp) new Uint8Array(tmp.u8.buffer).copyWithin(dst.ptr, tmp.ptr, tmp.ptr + n);
  return asMask(img, dst.finish());
}

/** OpenCV's getGaussianKernel uses fixed tables for sizes up to 7 when sigma is automatic (as here). */
const SMALL_GAUSSIANS: Record<number, readonly number[]> = {
  3: [0.25, 0.5, 0.25],
  5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
  7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
};

/** Fixed-point taps (Q15, summing to exactly 1 << 15) of OpenCV's Gaussian for this block size. */
function gaussianTaps(block: number, out: Int32Array): void {
  const small = SMALL_GAUSSIANS[block];
  if (small) {
    for (let i = 0; i < block; i++) out[i] = small[i]! * 32768; // exact in Q15
    return;
  }
  const sigma = 0.3 * ((block - 1) * 0.5 - 1) + 0.8;
  const r = block >> 1;
  let sum = 0;
  const w: number[] = [];
  for (let i = 0; i < block; i++) {
    const x = i - r;
    w.push(Math.exp((-x * x) / (2 * sigma * sigma)));
    sum += w[i]!;
  }
  let total = 0;
  for (let i = 0; i < block; i++) {
    out[i] = Math.round((w[i]! / sum) * 32768);
    total += out[i]!;
  }
  out[r] = out[r]! + 32768 - total; // exact unit gain, so flat areas keep their value
}
