// Edges: Sobel derivatives (i16, like OpenCV's CV_16S) and the Canny edge detector.
import { EdgesegError } from "../core/errors.js";
import type { Image, Mask } from "../core/image.js";
import { inputPointer, outputTarget, scratch, typedOutputTarget } from "../core/memory.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";
import { asMask, maskOut } from "./threshold.js";

type EdgesExports = {
  sobel3x3(src: number, dst: number, w: number, h: number, dx: number, dy: number, border: number, scratch: number): void;
  sobelScratchBytes(w: number): number;
  canny(src: number, dst: number, w: number, h: number, low: number, high: number, l2: boolean, scratch: number, map: number, stack: number): void;
  cannyScratchBytes(w: number): number;
  cannyMapStride(w: number): number;
};
const k = () => kernels() as unknown as EdgesExports;

/** Border rules for Sobel, named after OpenCV's. */
export type SobelBorder = "reflect101" | "replicate";
const BORDERS: Record<SobelBorder, number> = { reflect101: 0, replicate: 1 };
const ORDERS = ["1,0", "0,1", "1,1", "2,0", "0,2"] as const;

export interface SobelOptions {
  /** Order of the derivative in x (0, 1 or 2). `(dx, dy)` is one of (1,0), (0,1), (1,1), (2,0), (0,2). */
  dx: 0 | 1 | 2;
  /** Order of the derivative in y (0, 1 or 2). */
  dy: 0 | 1 | 2;
  /** Aperture size; only 3 is supported. @default 3 */
  ksize?: 3;
  /** How pixels outside the image are read: OpenCV's BORDER_REFLECT_101 (its default) or BORDER_REPLICATE. @default "reflect101" */
  border?: SobelBorder;
  /** A caller-owned Int16Array of width × height to write into (zero-copy when it is a view of WASM memory). */
  out?: Int16Array;
}

/**
 * Sobel derivative of a gray image with the 3×3 aperture, identical to OpenCV's
 * `Sobel(img, CV_16S, dx, dy, ksize=3)` (scale 1, delta 0, BORDER_REFLECT_101 unless `border` says
 * otherwise). Values are exact (|value| ≤ 2040, no saturation). For (1,0) the kernel is
 * [-1 0 1] ⊗ [1 2 1]ᵀ: positive where the image gets brighter to the right.
 *
 * @example
 * const gx = sobel(gray, { dx: 1, dy: 0 });   // Int16Array, width × height
 * const gy = sobel(gray, { dx: 0, dy: 1 });
 */
export function sobel(img: Image, options: SobelOptions): Int16Array {
  v.image("img", img, [1]);
  const o = v.options("options", options, ["dx", "dy", "ksize", "out", "border"]);
  const dx = v.integer("options.dx", o.dx, 0, 2);
  const dy = v.integer("options.dy", o.dy, 0, 2);
  if (!ORDERS.includes(`${dx},${dy}` as never)) {
    throw new EdgesegError("INVALID_ARGUMENT", `Expected (dx, dy) to be one of (1,0), (0,1), (1,1), (2,0), (0,2) for options but received (${dx},${dy})`);
  }
  if (o.ksize !== undefined) v.oneOf("options.ksize", o.ksize, [3] as const);
  const border = o.border === undefined ? "reflect101" : v.oneOf("options.border", o.border, ["reflect101", "replicate"] as const);
  const { width: w, height: h } = img;
  const n = w * h;
  const out = o.out === undefined ? undefined : v.outArray("options.out", o.out, Int16Array, n);
  const dst = typedOutputTarget(Int16Array, n, out, "sobel.out");
  const src = inputPointer(img, "edges.in");
  const tmp = scratch("sobel.row", k().sobelScratchBytes(w));
  k().sobel3x3(src, dst.ptr, w, h, dx, dy, BORDERS[border], tmp.ptr);
  return dst.finish();
}

export interface CannyOptions {
  /** Lower hysteresis threshold on the gradient magnitude: weaker pixels are never edges. Must be ≤ `high`. */
  low: number;
  /** Upper threshold: pixels above it start edges; weaker candidates join when 8-connected to them. */
  high: number;
  /** Magnitude √(dx² + dy²) instead of |dx| + |dy| (OpenCV's L2gradient). @default false */
  l2gradient?: boolean;
  /** A caller-owned 1-channel image of the input's size to write the 0/255 edge mask into. */
  out?: Image;
}

/**
 * Canny edge detector, identical to OpenCV's `Canny(img, low, high, apertureSize=3, L2gradient)`:
 * Sobel 3×3 gradients (with BORDER_REPLICATE, as OpenCV's Canny uses), magnitude |dx| + |dy| (or
 * dx² + dy² against squared thresholds), non-maximum suppression along the quantised gradient direction
 * (OpenCV's integer tan 22.5° test), then hysteresis. Thresholds are floored like OpenCV's.
 * Unlike OpenCV, `low > high` is an error instead of being swapped silently.
 *
 * @example
 * const edges = canny(gray, { low: 50, high: 150 }); // Mask, 0/255
 */
export function canny(img: Image, options: CannyOptions): Mask {
  v.image("img", img, [1]);
  const o = v.options("options", options, ["low", "high", "l2gradient", "out"]);
  let low = v.number("options.low", o.low);
  let high = v.number("options.high", o.high);
  if (low > high) v.invalidParameter("options.low", `a number ≤ options.high (${high})`, low);
  const l2 = o.l2gradient === undefined ? false : v.boolean("options.l2gradient", o.l2gradient);
  const out = maskOut("options.out", img, o.out);
  if (l2) {
    // OpenCV compares squared magnitudes with squared thresholds.
    low = Math.min(32767, low);
    high = Math.min(32767, high);
    if (low > 0) low *= low;
    if (high > 0) high *= high;
  }
  // Magnitudes are ≥ 0 and < 2³¹ (L1: ≤ 2040 in i16 lanes), so clamping keeps every comparison the same.
  const maxT = l2 ? 2147483647 : 32767;
  const lo = Math.max(-1, Math.min(maxT, Math.floor(low)));
  const hi = Math.max(-1, Math.min(maxT, Math.floor(high)));
  const { width: w, height: h } = img;
  const n = w * h;
  const dst = outputTarget(n, out?.data, "canny.out");
  const src = inputPointer(img, "edges.in");
  const rows = scratch("canny.rows", k().cannyScratchBytes(w));
  const map = scratch("canny.map", k().cannyMapStride(w) * (h + 2));
  const stack = scratch("canny.stack", n * 4);
  k().canny(src, dst.ptr, w, h, lo, hi, l2, rows.ptr, map.ptr, stack.ptr);
  const data = dst.finish();
  // A WasmImage out re-creates its view on access: the one taken before scratch grew memory may be stale.
  return asMask(img, o.out ? o.out.data : data);
}
