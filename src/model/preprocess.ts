// Frame → model input tensor. One entry point, `fillInput`, writes a rectangle of the frame
// (a tile, or the whole frame) as planar CHW into a buffer in WASM memory that the ORT input
// Tensor views, then pads it to the model's input size.
import type { Image } from "../core/image.js";
import { post } from "./postprocess.js";
import type { Sidecar } from "./sidecar.js";

/** Per-model constants of the input transform, computed once at create. */
export interface InputTransform {
  /** Model input channels (1 or 3). */
  channels: 1 | 3;
  /** For each model channel, the frame channel it reads (colour order); -1 = luma of RGB. */
  sourceChannel: number[];
  /** x = p * scale[c] + offset[c] (= (p / 255 - mean) / std). */
  scale: Float32Array;
  offset: Float32Array;
  dtype: "float32" | "uint8" | "int8";
  /** Integer inputs: q = round(x / qScale) + qZero, saturated. */
  qScale: number;
  qZero: number;
}

/** Builds the input transform from the sidecar (and the frame's channel count at segment time). */
export function inputTransform(sidecar: Sidecar): InputTransform {
  const { channels, colorOrder, normalize, dtype, quantization } = sidecar.input;
  const sourceChannel = channels === 1 ? [-1] : colorOrder === "bgr" ? [2, 1, 0] : [0, 1, 2];
  const scale = new Float32Array(channels);
  const offset = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = 1 / (255 * normalize.std[c]!);
    offset[c] = -normalize.mean[c]! / normalize.std[c]!;
  }
  const q = quantization ?? (dtype === "int8" ? { scale: 1 / 255, zeroPoint: -128 } : { scale: 1 / 255, zeroPoint: 0 });
  return { channels, sourceChannel, scale, offset, dtype, qScale: q.scale, qZero: q.zeroPoint };
}

/**
 * Writes the w×h rectangle at (x0, y0) of `img` into `dst` as planar channels (packed w×h), then
 * pads the planes in place to pw×ph by edge replication.
 * `dst` is a Float32Array, Uint8Array or Int8Array view of WASM memory at `dstPtr`.
 */
export function fillInput(img: Image, x0: number, y0: number, w: number, h: number, t: InputTransform, dst: Float32Array | Uint8Array | Int8Array, dstPtr: number, pw: number, ph: number): void {
  // Fallback until the normalize kernel family lands: a single pass in plain JS.
  const ch = img.channels;
  const stride = img.stride ?? img.width * ch;
  const data = img.data;
  const plane = w * h;
  const integer = t.dtype !== "float32";
  const lo = t.dtype === "int8" ? -128 : 0;
  const hi = t.dtype === "int8" ? 127 : 255;
  const invQ = 1 / t.qScale;
  for (let c = 0; c < t.channels; c++) {
    const src = t.sourceChannel[c]!;
    const s = t.scale[c]!;
    const o = t.offset[c]!;
    const base = c * plane;
    for (let y = 0; y < h; y++) {
      let p = (y0 + y) * stride + x0 * ch;
      let d = base + y * w;
      for (let x = 0; x < w; x++, p += ch, d++) {
        let v: number;
        if (src >= 0) v = ch === 1 ? data[p]! : data[p + src]!;
        else v = ch === 1 ? data[p]! : 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
        const x1 = v * s + o;
        if (integer) {
          const q = Math.round(x1 * invQ) + t.qZero;
          dst[d] = q < lo ? lo : q > hi ? hi : q;
        } else dst[d] = x1;
      }
    }
  }
  if (pw !== w || ph !== h) {
    if (integer) padPlanesBytes(dst as Uint8Array, t.channels, w, h, pw, ph);
    else post().padPlanesF32(dstPtr, t.channels, w, h, pw, ph);
  }
}

/** The byte version of padPlanesF32 (integer-input models are rare and small). */
function padPlanesBytes(dst: Uint8Array | Int8Array, c: number, w: number, h: number, pw: number, ph: number): void {
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

/**
 * Whole frame → a model of fixed size, bilinear (half-pixel centres), for the "resize" mode.
 * Fallback in plain JS until the fused resize+normalize kernel lands.
 */
export function fillInputResized(img: Image, t: InputTransform, dst: Float32Array | Uint8Array | Int8Array, mw: number, mh: number): void {
  const ch = img.channels;
  const stride = img.stride ?? img.width * ch;
  const data = img.data;
  const sx = img.width / mw;
  const sy = img.height / mh;
  const integer = t.dtype !== "float32";
  const lo = t.dtype === "int8" ? -128 : 0;
  const hi = t.dtype === "int8" ? 127 : 255;
  const sample = (x: number, y: number, c: number): number => {
    const p = y * stride + x * ch;
    if (ch === 1) return data[p]!;
    if (c >= 0) return data[p + c]!;
    return 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
  };
  for (let y = 0; y < mh; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < mw; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const wx = fx - x0;
      for (let c = 0; c < t.channels; c++) {
        const sc = t.sourceChannel[c]!;
        const top = sample(x0, y0, sc) * (1 - wx) + sample(x1, y0, sc) * wx;
        const bot = sample(x0, y1, sc) * (1 - wx) + sample(x1, y1, sc) * wx;
        const v = (top * (1 - wy) + bot * wy) * t.scale[c]! + t.offset[c]!;
        const d = c * mw * mh + y * mw + x;
        if (integer) {
          const q = Math.round(v / t.qScale) + t.qZero;
          dst[d] = q < lo ? lo : q > hi ? hi : q;
        } else dst[d] = v;
      }
    }
  }
}
