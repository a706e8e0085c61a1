// Distance transforms: exact Euclidean distance of every pixel to the nearest target pixel.
import type { Image } from "../core/image.js";
import { inputPointer, scratch, typedOutputTarget } from "../core/memory.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";

type DistanceExports = {
  distanceTransformEdt(src: number, dst: number, w: number, h: number, toForeground: boolean, squared: boolean, colBuf: number, rowBuf: number): number;
  distanceRowScratchBytes(w: number): number;
};
const k = () => kernels() as unknown as DistanceExports;

/**
 * Distance reported for every pixel when the mask has no target pixel at all: `sqrt(1e15)` rounded to
 * float32 (31622776), the value OpenCV's `distanceTransform(DIST_L2, DIST_MASK_PRECISE)` gives.
 */
export const NO_TARGET_DISTANCE = 31622776;
/** Squared distance reported for every pixel when the mask has no target pixel at all (2³¹ − 1). */
export const NO_TARGET_SQUARED_DISTANCE = 2147483647;

/** Which pixels distances are measured to. */
export type DistanceTarget = "background" | "foreground";

export interface DistanceTransformOptions<Out> {
  /**
   * `"background"`: the distance of each nonzero (foreground) pixel to the nearest zero pixel, 0 on zero
   * pixels (OpenCV's `distanceTransform`, scipy's `distance_transform_edt`).
   * `"foreground"`: the distance of each pixel to the nearest nonzero pixel, 0 on nonzero pixels (what a
   * Hausdorff or boundary metric needs: the distance from every pixel of one mask to another mask).
   * @default "background"
   */
  to?: DistanceTarget;
  /**
   * A caller-owned array of width × height elements to write into (zero-copy when it is a view of WASM
   * memory, e.g. `buffer.view(Float32Array)` of a `WasmBuffer`; such a view is detached if the call has to
   * grow memory, so take it again after the call rather than keeping it).
   */
  out?: Out;
}

function run<T extends Float32Array | Int32Array>(
  name: string,
  mask: Image,
  options: DistanceTransformOptions<T> | undefined,
  ctor: typeof Float32Array | typeof Int32Array,
  squared: boolean,
): T {
  v.image("mask", mask, [1]);
  const o = v.options("options", options, ["to", "out"]);
  const to = o.to === undefined ? "background" : v.oneOf("options.to", o.to, ["background", "foreground"] as const);
  const { width: w, height: h } = mask;
  const n = w * h;
  const out = o.out === undefined ? undefined : v.outArray("options.out", o.out, ctor as never, n);
  // The output target first: a WASM-resident `out` must be resolved before scratch growth detaches it.
  const dst = typedOutputTarget(ctor as never, n, out as never, `${name}.out`);
  const src = inputPointer(mask, `${name}.in`);
  const colBuf = scratch(`${name}.columns`, n * 2);
  const rowBuf = scratch(`${name}.row`, k().distanceRowScratchBytes(w));
  k().distanceTransformEdt(src, dst.ptr, w, h, to === "foreground", squared, colBuf.ptr, rowBuf.ptr);
  return dst.finish() as T;
}

/**
 * Exact Euclidean distance transform: for every nonzero pixel of `mask`, the distance to the nearest
 * zero pixel (0 on zero pixels). Matches OpenCV's `distanceTransform(mask, DIST_L2, DIST_MASK_PRECISE)`
 * and scipy's `distance_transform_edt` to float32 precision (computed exactly in integers, then one
 * float32 square root).
 *
 * Pixels outside the image count as neither background nor foreground: a foreground pixel at the
 * border is as far as the nearest zero pixel inside the image (like OpenCV's precise mode and scipy).
 * When there is no target pixel at all, every pixel gets {@link NO_TARGET_DISTANCE} (OpenCV's value).
 *
 * With `{ to: "foreground" }` distances are measured to the nearest nonzero pixel instead (0 on nonzero
 * pixels), without inverting the mask first.
 *
 * Algorithm: separable Felzenszwalb–Huttenlocher, O(width × height): a SIMD column pass, then the
 * lower-envelope row pass, split at the target pixels of each row. Steady-state calls allocate nothing.
 *
 * @example
 * const dist = distanceTransform(mask);                  // Float32Array, width × height
 * const toB = distanceTransform(maskA, { to: "foreground" }); // distance of every pixel to mask A
 */
export function distanceTransform(mask: Image, options?: DistanceTransformOptions<Float32Array>): Float32Array {
  return run("distance", mask, options, Float32Array, false);
}

/**
 * Exact squared Euclidean distances as integers (no rounding at all), with the same options and rules as
 * {@link distanceTransform}. Useful for exact comparisons (Hausdorff distances, radius tests:
 * `d2 <= r * r`). With no target pixel every value is {@link NO_TARGET_SQUARED_DISTANCE}.
 *
 * @example
 * const d2 = squaredDistanceTransform(mask, { to: "foreground" });
 * const within5px = d2[y * mask.width + x] <= 25;
 */
export function squaredDistanceTransform(mask: Image, options?: DistanceTransformOptions<Int32Array>): Int32Array {
  return run("distance", mask, options, Int32Array, true);
}
