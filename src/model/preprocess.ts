// Frame → model input tensor. One entry point, `fillInput`, writes a rectangle of the frame
// (a tile, or the whole frame) as planar CHW into a buffer in WASM memory that the ORT input
// Tensor views, then pads it to the model's input size.
import type { Image } from "../core/image.js";
import { scratch } from "../core/memory.js";
import { toGray } from "../kernels/color.js";
import { normalize, quantize } from "../kernels/normalize.js";
import { post } from "./postprocess.js";
import type { Sidecar } from "./sidecar.js";

/** Per-model constants of the input transform, computed once at create. */
export interface InputTransform {
  /** Model input channels (1 or 3). */
  channels: 1 | 3;
  /** The model wants BGR (frames are RGB). */
  swapRB: boolean;
  /** x = (p / 255 - mean[c]) / std[c]. */
  mean: number[];
  std: number[];
  dtype: "float32" | "uint8" | "int8";
  /** Integer inputs: q = round(x / qScale) + qZero, saturated. */
  qScale: number;
  qZero: number;
}

/** Builds the input transform from the sidecar (and the frame's channel count at segment time). */
export function inputTransform(sidecar: Sidecar): InputTransform {
  const { channels, colorOrder, normalize: norm, dtype, quantization } = sidecar.input;
  const q = quantization ?? (dtype === "int8" ? { scale: 1 / 255, zeroPoint: -128 } : { scale: 1 / 255, zeroPoint: 0 });
  return { channels, swapRB: colorOrder === "bgr", mean: [...norm.mean], std: [...norm.std], dtype, qScale: q.scale, qZero: q.zeroPoint };
}

/** The frame's pixels in the channel count the model wants (gray ↔ colour), else the frame itself. */
function adaptChannels(img: Image, t: InputTransform): Image {
  if (t.channels === 1 && img.channels !== 1) return toGray(img, { out: grayTarget(img) });
  if (t.channels === 3 && img.channels === 1) {
    // Gray camera, colour model: R = G = B (rare; plain JS).
    const n = img.width * img.height;
    const buf = scratch("segmenter.rgb", n * 3);
    const dst = buf.u8;
    const stride = img.stride ?? img.width;
    for (let y = 0, d = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++, d += 3) dst[d] = dst[d + 1] = dst[d + 2] = img.data[y * stride + x]!;
    }
    return { width: img.width, height: img.height, channels: 3, data: dst.subarray(0, n * 3) };
  }
  return img;
}

function grayTarget(img: Image): Image {
  const n = img.width * img.height;
  return { width: img.width, height: img.height, channels: 1, data: scratch("segmenter.gray", n).u8.subarray(0, n) };
}

/** A zero-copy rectangle of an image (rows keep the parent's stride). */
function region(img: Image, x0: number, y0: number, w: number, h: number): Image {
  if (x0 === 0 && y0 === 0 && w === img.width && h === img.height) return img;
  const stride = img.stride ?? img.width * img.channels;
  return { width: w, height: h, channels: img.channels, stride, data: img.data.subarray(y0 * stride + x0 * img.channels) };
}

/**
 * Writes the w×h rectangle at (x0, y0) of `img` into the input buffer at `dstPtr` as planar
 * channels (packed w×h) with the project's normalize/quantize kernels, then pads the planes in
 * place to pw×ph by edge replication. `view()` returns a current view of the input buffer (taken
 * after any allocation here).
 */
export function fillInput(img: Image, x0: number, y0: number, w: number, h: number, t: InputTransform, view: () => Float32Array | Uint8Array | Int8Array, dstPtr: number, pw: number, ph: number): void {
  const src = adaptChannels(region(img, x0, y0, w, h), t);
  const length = t.channels * w * h;
  if (t.dtype === "float32") {
    normalize(src, { mean: t.mean, std: t.std, layout: "nchw", swapRB: t.swapRB, out: (view() as Float32Array).subarray(0, length) });
    post().padPlanesF32(dstPtr, t.channels, w, h, pw, ph);
  } else {
    quantize(src, { scale: t.qScale, zeroPoint: t.qZero, dtype: t.dtype, mean: t.mean, std: t.std, layout: "nchw", swapRB: t.swapRB, out: (view() as Uint8Array).subarray(0, length) });
    padPlanesBytes(view() as Uint8Array, t.channels, w, h, pw, ph);
  }
}

/** The byte version of padPlanesF32 (integer-input models are rare and small). */
function padPlanesBytes(dst: Uint8Array | Int8Array, c: number, w: number, h: number, pw: number, ph: number): void {
  if (pw === w && ph === h) return;
  for (let k = c - 1; k >= 0; k--) {
    const src = k * w * h;
    const out = k * pw * ph;
    for (let y = h - 1; y >= 0; y--) {
      dst.copyWithin(out + y * pw, src + y * w, src + y * w + w);
      dst.fill(dst[out + y * pw + w - 1]!, out + y * pw + w, out + y * pw + pw);
    }
    for (let y = h; y < ph; y++) dst.copyWithin(out + y * pw, out + (h - 1) * pw, out + h * pw);
  }
}

/** Whole frame → a fixed-size model: resize fused with normalize/quantize (bilinear, half-pixel centres). */
export function fillInputResized(img: Image, t: InputTransform, view: () => Float32Array | Uint8Array | Int8Array, mw: number, mh: number): void {
  const src = adaptChannels(img, t);
  const length = t.channels * mw * mh;
  const resize = { width: mw, height: mh };
  if (t.dtype === "float32") normalize(src, { mean: t.mean, std: t.std, layout: "nchw", swapRB: t.swapRB, resize, out: (view() as Float32Array).subarray(0, length) });
  else quantize(src, { scale: t.qScale, zeroPoint: t.qZero, dtype: t.dtype, mean: t.mean, std: t.std, layout: "nchw", swapRB: t.swapRB, resize, out: (view() as Uint8Array).subarray(0, length) });
}
