// Morphology: erode, dilate and their compositions, identical to OpenCV's erode/dilate/morphologyEx
// with getStructuringElement shapes, the default (centre) anchor and the default border (pixels
// outside the image never take part). Kernel: assembly/morphology.ts.
import type { Image, Mask } from "../core/image.js";
import { inputPointer, outputTarget, scratch } from "../core/memory.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";
import { asMask, maskOut, type MaskOutput, outOverlaps } from "./threshold.js";

type MorphologyExports = {
  memory: WebAssembly.Memory;
  morph(src: number, dst: number, w: number, h: number, rects: number, count: number, dilate: boolean, work: number): void;
  morphWorkBytes(w: number, padLeft: number, padRight: number, maxRows: number): number;
  subtractSaturate(a: number, b: number, dst: number, n: number): void;
};
const k = () => kernels() as unknown as MorphologyExports;

export type MorphOp = "erode" | "dilate" | "open" | "close" | "gradient" | "tophat" | "blackhat";
export type MorphShape = "rect" | "cross" | "ellipse";

const OPS: readonly MorphOp[] = ["erode", "dilate", "open", "close", "gradient", "tophat", "blackhat"];
const SHAPES: readonly MorphShape[] = ["rect", "cross", "ellipse"];
/** Largest structuring element side. */
export const MAX_KERNEL_SIZE = 255;
/** Most iterations accepted. */
export const MAX_ITERATIONS = 100;

export interface MorphologyOptions extends MaskOutput {
  /** erode/dilate, or a composition: open = dilate(erode), close = erode(dilate), gradient = dilate − erode, tophat = src − open, blackhat = close − src. */
  op: MorphOp;
  /** Structuring element, as OpenCV's getStructuringElement builds it. @default "rect" */
  shape?: MorphShape;
  /** Side of the structuring element, or [width, height]; 1 … {@link MAX_KERNEL_SIZE}. Even sizes anchor at size / 2, like OpenCV. */
  size: number | readonly [number, number];
  /** Times erosion/dilation is applied (each, for compositions). @default 1 */
  iterations?: number;
}

export type ErodeOptions = Omit<MorphologyOptions, "op">;

/**
 * The structuring element OpenCV's `getStructuringElement(shape, Size(width, height))` returns,
 * row by row as 0/1 (the anchor is (width >> 1, height >> 1)).
 *
 * @example
 * structuringElement("cross", 3, 3); // Uint8Array [0,1,0, 1,1,1, 0,1,0]
 */
export function structuringElement(shape: MorphShape, width: number, height: number): Uint8Array {
  v.oneOf("shape", shape, SHAPES);
  v.integer("width", width, 1, MAX_KERNEL_SIZE);
  v.integer("height", height, 1, MAX_KERNEL_SIZE);
  const mask = new Uint8Array(width * height);
  for (const [y, x0, x1] of rowRuns(shape, width, height)) mask.fill(1, y * width + x0, y * width + x1);
  return mask;
}

/** Round half to even, like cvRound. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** [row, x0, x1) runs of each row of the element (every shape has at most one run per row). */
function rowRuns(shape: MorphShape, w: number, h: number): Array<[number, number, number]> {
  const ax = w >> 1;
  const ay = h >> 1;
  if (w === 1 && h === 1) shape = "rect";
  const r = h >> 1;
  const c = w >> 1;
  const invR2 = r ? 1 / (r * r) : 0;
  const runs: Array<[number, number, number]> = [];
  for (let i = 0; i < h; i++) {
    let j1 = 0;
    let j2 = 0;
    if (shape === "rect" || (shape === "cross" && i === ay)) j2 = w;
    else if (shape === "cross") {
      j1 = ax;
      j2 = ax + 1;
    } else {
      const dy = i - r;
      if (Math.abs(dy) <= r) {
        const dx = roundEven(c * Math.sqrt((r * r - dy * dy) * invR2));
        j1 = Math.max(c - dx, 0);
        j2 = Math.min(c + dx + 1, w);
      }
    }
    if (j2 > j1) runs.push([i, j1, j2]);
  }
  return runs;
}

/**
 * The element as a union of rectangles (dx, width, dy, height) relative to the output pixel: one
 * per distinct row run, spanning the contiguous rows whose run contains it, shortest first. Erosion by a union is
 * the minimum of the erosions by its parts, and each rectangle is separable.
 */
function decompose(shape: MorphShape, w: number, h: number): Int32Array {
  const runs = rowRuns(shape, w, h);
  const ax = w >> 1;
  const ay = h >> 1;
  const rects: number[] = [];
  const seen = new Set<string>();
  for (const [, x0, x1] of runs) {
    const key = `${x0},${x1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let start = -1;
    for (let i = 0; i <= h; i++) {
      const run = runs.find((r) => r[0] === i);
      const covers = run !== undefined && run[1] <= x0 && run[2] >= x1;
      if (covers && start < 0) start = i;
      if (!covers && start >= 0) {
        rects.push(x0 - ax, x1 - x0, start - ay, i - start);
        start = -1;
      }
    }
  }
  // Shortest first: for ellipses and crosses each rectangle's rows then contain the previous one's,
  // so the kernel grows one running vertical minimum instead of starting over per rectangle.
  const order = Array.from({ length: rects.length / 4 }, (_, i) => i).sort((a, b) => rects[4 * a + 3]! - rects[4 * b + 3]!);
  return Int32Array.from(order.flatMap((i) => rects.slice(4 * i, 4 * i + 4)));
}

interface Plan {
  rects: Int32Array;
  /** Passes of the rectangles (iterations of a rectangle fold into one bigger rectangle, like OpenCV). */
  passes: number;
  padLeft: number;
  padRight: number;
  maxRows: number;
  identity: boolean;
}

const plans = new Map<string, Plan>();

function plan(shape: MorphShape, w: number, h: number, iterations: number): Plan {
  const key = `${shape}:${w}:${h}:${iterations}`;
  let p = plans.get(key);
  if (p) return p;
  let rects = decompose(shape, w, h);
  let passes = iterations;
  const full = rects.length === 4 && rects[1] === w && rects[3] === h;
  if (full && iterations > 1) {
    // OpenCV: a full rectangle applied n times = one rectangle of size + (n - 1) * (size - 1).
    const W = w + (iterations - 1) * (w - 1);
    const H = h + (iterations - 1) * (h - 1);
    rects = Int32Array.of(-(w >> 1) * iterations, W, -(h >> 1) * iterations, H);
    passes = 1;
  }
  let padLeft = 0;
  let padRight = 0;
  let maxRows = 1;
  for (let i = 0; i < rects.length; i += 4) {
    padLeft = Math.max(padLeft, -rects[i]!);
    padRight = Math.max(padRight, rects[i]! + rects[i + 1]! - 1);
    maxRows = Math.max(maxRows, rects[i + 3]!);
  }
  p = { rects, passes, padLeft, padRight, maxRows, identity: w === 1 && h === 1 };
  if (plans.size > 64) plans.clear();
  plans.set(key, p);
  return p;
}

/** Allocates (or finds) every scratch buffer `morphology` will use, before it takes the output view. */
function reserve(width: number, n: number, p: Plan, op: MorphOp, inPlace: boolean): void {
  if (p.identity) return;
  scratch("morph.rects", p.rects.byteLength);
  scratch("morph.work", k().morphWorkBytes(width, p.padLeft, p.padRight, p.maxRows));
  if (p.passes > 1) scratch("morph.pass", n);
  if (op !== "erode" && op !== "dilate") scratch("morph.tmp", n);
  if (op === "tophat" || op === "blackhat") scratch("morph.tmp2", n);
  if (inPlace) scratch("morph.result", n);
}

/** One erosion or dilation (all passes) from src to dst; src and dst are distinct WASM buffers. */
function run(src: number, dst: number, width: number, height: number, p: Plan, dilate: boolean): void {
  const n = width * height;
  const kx = k();
  if (p.identity) {
    new Uint8Array(kx.memory.buffer).copyWithin(dst, src, src + n);
    return;
  }
  const table = scratch("morph.rects", p.rects.byteLength);
  table.view(Int32Array).set(p.rects);
  const work = scratch("morph.work", kx.morphWorkBytes(width, p.padLeft, p.padRight, p.maxRows));
  let from = src;
  for (let i = 0; i < p.passes; i++) {
    // Odd passes land in dst, even ones in a temporary, so that the last one lands in dst.
    const to = (p.passes - i) % 2 === 1 ? dst : scratch("morph.pass", n).ptr;
    kx.morph(from, to, width, height, table.ptr, p.rects.length / 4, dilate, work.ptr);
    from = to;
  }
}

/**
 * Morphological operation on a gray image or mask, identical to OpenCV's
 * `morphologyEx(src, op, getStructuringElement(shape, size), anchor = centre, iterations)` (and to
 * `erode`/`dilate` for those ops), with OpenCV's default border: pixels outside the image never
 * take part. For rectangles the cost barely grows with the size (van Herk/Gil-Werman down the
 * columns, log2(width) doubling steps along the rows).
 *
 * @example
 * const cleaned = morphology(mask, { op: "open", shape: "ellipse", size: 5 });
 * const thick = morphology(mask, { op: "dilate", size: [7, 3], iterations: 2 });
 */
export function morphology(img: Image, options: MorphologyOptions): Mask {
  v.image("img", img, [1]);
  const o = v.options("options", options, ["op", "shape", "size", "iterations", "out"]);
  const op = v.oneOf("options.op", o.op, OPS);
  const shape = o.shape === undefined ? "rect" : v.oneOf("options.shape", o.shape, SHAPES);
  let kw: number;
  let kh: number;
  if (Array.isArray(o.size)) {
    if (o.size.length !== 2) v.invalidParameter("options.size", "a number or a [width, height] pair", o.size);
    kw = v.integer("options.size[0]", o.size[0], 1, MAX_KERNEL_SIZE);
    kh = v.integer("options.size[1]", o.size[1], 1, MAX_KERNEL_SIZE);
  } else if (typeof o.size === "number") {
    kw = kh = v.integer("options.size", o.size, 1, MAX_KERNEL_SIZE);
  } else {
    v.invalidParameter("options.size", "a number or a [width, height] pair", o.size);
  }
  const iterations = o.iterations === undefined ? 1 : v.integer("options.iterations", o.iterations, 1, MAX_ITERATIONS);
  const out = maskOut("options.out", img, o.out);
  const { width, height } = img;
  const n = width * height;
  const p = plan(shape, kw, kh, iterations);
  const src = inputPointer(img, "morph.in");
  // Every step reads neighbouring rows of its input, so results go to buffers distinct from src.
  const inPlace = outOverlaps(out, src, n);
  // Scratch first, the output view last (allocation may grow memory and detach earlier views).
  reserve(width, n, p, op, inPlace);
  const target = outputTarget(n, out?.data, "morph.out");
  const dst = inPlace ? scratch("morph.result", n).ptr : target.ptr;
  const tmp = () => scratch("morph.tmp", n).ptr;
  const sub = k().subtractSaturate;
  switch (op) {
    case "erode":
    case "dilate":
      run(src, dst, width, height, p, op === "dilate");
      break;
    case "open":
    case "close": {
      const t = tmp();
      run(src, t, width, height, p, op === "close");
      run(t, dst, width, height, p, op === "open");
      break;
    }
    case "gradient": {
      const t = tmp();
      run(src, t, width, height, p, false);
      run(src, dst, width, height, p, true);
      sub(dst, t, dst, n);
      break;
    }
    case "tophat":
    case "blackhat": {
      const t = tmp();
      const t2 = scratch("morph.tmp2", n).ptr;
      run(src, t, width, height, p, op === "blackhat");
      run(t, t2, width, height, p, op === "tophat");
      if (op === "tophat") sub(src, t2, dst, n);
      else sub(t2, src, dst, n);
      break;
    }
  }
  if (inPlace) new Uint8Array(k().memory.buffer).copyWithin(target.ptr, dst, dst + n);
  return asMask(img, target.finish());
}

/**
 * Erosion (local minimum over the structuring element), identical to OpenCV's `erode`.
 *
 * @example
 * const thinner = erode(mask, { size: 3 });
 */
export function erode(img: Image, options: ErodeOptions): Mask {
  return morphology(img, { ...checkedOptions(options), op: "erode" });
}

/**
 * Dilation (local maximum over the structuring element), identical to OpenCV's `dilate`.
 *
 * @example
 * const thicker = dilate(mask, { shape: "ellipse", size: 5 });
 */
export function dilate(img: Image, options: ErodeOptions): Mask {
  return morphology(img, { ...checkedOptions(options), op: "dilate" });
}

function checkedOptions(options: ErodeOptions): ErodeOptions {
  return v.options("options", options, ["shape", "size", "iterations", "out"]) as ErodeOptions;
}
