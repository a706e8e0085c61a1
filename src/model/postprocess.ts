// Typed access to assembly/postprocess.ts, plus array-level wrappers (used by tests and by callers
// that want the model path's math on their own buffers). The Segmenter calls the raw pointer
// functions on buffers it owns, so its per-frame path copies nothing.
import { addressOf, scratch } from "../core/memory.js";
import { kernels } from "../core/wasm.js";

/** Raw exports of assembly/postprocess.ts (pointers into the kernels' memory). */
export interface PostprocessExports {
  expF32(src: number, dst: number, n: number): void;
  sigmoidF32(src: number, dst: number, n: number): void;
  countNaN(src: number, n: number): number;
  binaryHead(src: number, srcStride: number, prob: number, mask: number, w: number, h: number, t: number, apply: boolean): void;
  softmaxHead(src: number, srcPlane: number, srcStride: number, c: number, prob: number, classMap: number, w: number, h: number, apply: boolean): void;
  argmaxPlanes(prob: number, n: number, c: number, classMap: number): void;
  foregroundMask(classMap: number, mask: number, n: number): void;
  classMask(classMap: number, mask: number, n: number, k: number): void;
  thresholdF32(prob: number, mask: number, n: number, t: number): void;
  upsampleBilinear(src: number, sw: number, sh: number, dst: number, mask: number, dw: number, dh: number, t: number, tab: number): void;
  blendTile(tile: number, c: number, tw: number, th: number, acc: number, wsum: number, fw: number, fh: number, x0: number, y0: number, rampL: number, rampR: number, rampT: number, rampB: number): void;
  divideByWeights(acc: number, wsum: number, c: number, n: number): void;
  zeroF32(ptr: number, n: number): void;
  padPlanesF32(ptr: number, c: number, w: number, h: number, pw: number, ph: number): void;
  regionConfidence(labels: number, values: number, w: number, h: number, valueStride: number, apply: boolean, count: number, sums: number, maxes: number): void;
  logitMask(src: number, srcStride: number, mask: number, w: number, h: number, l: number): void;
  reconcileClasses(classMap: number, mask: number, prob: number, c: number, n: number): void;
}

/** The postprocessing kernels (loads the wasm on first use in Node). */
export const post = (): PostprocessExports => kernels() as unknown as PostprocessExports;

/** Bytes of scratch `upsampleBilinear` needs for a destination width. */
export const upsampleTableBytes = (dw: number): number => dw * 20;

/** Pointer to `data` in WASM memory, copying it into the scratch slot `key` when it lives elsewhere. */
function f32In(data: Float32Array, key: string): number {
  const direct = addressOf(data);
  if (direct >= 0) return direct;
  const buf = scratch(key, data.byteLength);
  buf.view(Float32Array).set(data);
  return buf.ptr;
}

/** The deterministic f32 exp of every element (same bits on every engine). */
export function expF32(values: Float32Array): Float32Array {
  const src = f32In(values, "post.in");
  const dst = scratch("post.out", values.byteLength);
  post().expF32(src, dst.ptr, values.length);
  return dst.view(Float32Array).slice(0, values.length);
}

/** Elementwise logistic sigmoid with the deterministic exp. */
export function sigmoid(values: Float32Array): Float32Array {
  const src = f32In(values, "post.in");
  const dst = scratch("post.out", values.byteLength);
  post().sigmoidF32(src, dst.ptr, values.length);
  return dst.view(Float32Array).slice(0, values.length);
}

/** Softmax across `channels` planes of `width*height` (CHW) and the per-pixel argmax. */
export function softmaxArgmax(planes: Float32Array, channels: number, width: number, height: number, apply = true): { probabilities: Float32Array; classMap: Uint8Array } {
  const n = width * height;
  const src = f32In(planes, "post.in");
  const prob = scratch("post.out", n * channels * 4);
  const cls = scratch("post.cls", n);
  post().softmaxHead(src, n, width, channels, prob.ptr, cls.ptr, width, height, apply);
  return { probabilities: prob.view(Float32Array).slice(0, n * channels), classMap: cls.u8.slice(0, n) };
}

/** Sigmoid (when `apply`) and threshold of a binary logit plane: probabilities and the 0/255 mask. */
export function binaryHead(logits: Float32Array, width: number, height: number, threshold: number, apply = true): { probabilities: Float32Array; mask: Uint8Array } {
  const n = width * height;
  const src = f32In(logits, "post.in");
  const prob = scratch("post.out", n * 4);
  const mask = scratch("post.cls", n);
  post().binaryHead(src, width, prob.ptr, mask.ptr, width, height, threshold, apply);
  return { probabilities: prob.view(Float32Array).slice(0, n), mask: mask.u8.slice(0, n) };
}

/** Bilinear resize of one probability plane (half-pixel centres), with its thresholded mask. */
export function upsampleProbabilities(plane: Float32Array, sw: number, sh: number, dw: number, dh: number, threshold: number): { probabilities: Float32Array; mask: Uint8Array } {
  const src = f32In(plane, "post.in");
  const dst = scratch("post.out", dw * dh * 4);
  const mask = scratch("post.cls", dw * dh);
  const tab = scratch("post.tab", upsampleTableBytes(dw));
  post().upsampleBilinear(src, sw, sh, dst.ptr, mask.ptr, dw, dh, threshold, tab.ptr);
  return { probabilities: dst.view(Float32Array).slice(0, dw * dh), mask: mask.u8.slice(0, dw * dh) };
}

/** Number of NaNs in `values`. */
export function countNaN(values: Float32Array): number {
  return post().countNaN(f32In(values, "post.in"), values.length);
}
