// Thresholding: fixed, Otsu, triangle, adaptive. Masks are 0/255 like OpenCV's.
import type { Image, Mask } from "../core/image.js";
import { inputPointer, outputTarget } from "../core/memory.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";

type ThresholdExports = {
  thresholdBinary(src: number, dst: number, n: number, value: number, inverse: boolean): void;
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

/** Validates `out` for a mask of `img`'s size and returns its data. */
export function maskOut(name: string, img: Image, out: Image | undefined): Uint8Array | undefined {
  if (out === undefined) return undefined;
  v.image(name, out, [1]);
  v.sameSize("the input", img, name, out);
  if (out.stride !== undefined && out.stride !== out.width) v.invalidParameter(`${name}.stride`, `packed rows (${out.width})`, out.stride);
  return out.data;
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
  const dst = outputTarget(n, out, "threshold.out");
  // OpenCV compares u8 pixels against floor(value), clamped to the u8 range.
  const t = Math.floor(Math.max(-1, Math.min(255, value)));
  k().thresholdBinary(src, dst.ptr, n, t, inverse);
  return asMask(img, dst.finish());
}
