// Mask refinement and regions for the Segmenter, on top of the region kernels.
import type { Mask } from "../core/image.js";
import type { WasmBuffer } from "../core/memory.js";
import { EdgesegError } from "../core/errors.js";
import { addressOf } from "../core/memory.js";
import { morphology } from "../kernels/morphology.js";
import { post } from "./postprocess.js";

/** The WASM address of a mask the segmenter owns (its data is always a view of WASM memory). */
const maskPtr = (mask: Mask): number => addressOf(mask.data);

/** Cleaning of the thresholded mask, applied in this order: open, close, fill holes, drop small regions. */
export interface RefineOptions {
  /** Morphological opening with a size×size ellipse (odd): removes specks thinner than size. */
  open?: number;
  /** Morphological closing with a size×size ellipse (odd): bridges gaps narrower than size. */
  close?: number;
  /** Fill background holes fully enclosed by foreground. @default false */
  fillHoles?: boolean;
  /** Remove foreground regions (8-connected) with fewer pixels than this. @default 0 */
  minArea?: number;
}

/** Buffers the region pass may use (owned by the Segmenter, grow-only). */
export interface RegionStats {
  labels: WasmBuffer;
  sums: (bytes: number) => WasmBuffer;
  maxes: (bytes: number) => WasmBuffer;
  scratchMask: () => WasmBuffer;
}

interface Component {
  area: number;
  x: number;
  y: number;
  width: number;
  height: number;
  cx: number;
  cy: number;
}

/**
 * Fallback 8-connected labelling (two passes, union-find) until the components kernel family lands
 * on main. Writes labels 1..count into `labels` and returns per-label stats.
 */
function labelComponents(mask: Uint8Array, w: number, h: number, labels: Int32Array): { count: number; regions: Component[] } {
  const parent: number[] = [0];
  const find = (a: number): number => {
    while (parent[a]! !== a) a = parent[a] = parent[parent[a]!]!;
    return a;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return ra;
    if (ra < rb) return (parent[rb] = ra);
    return (parent[ra] = rb);
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask[i]) {
        labels[i] = 0;
        continue;
      }
      let l = 0;
      const nb = (xx: number, yy: number): void => {
        if (xx < 0 || xx >= w || yy < 0) return;
        const q = labels[yy * w + xx]!;
        if (q) l = l ? union(l, q) : q;
      };
      nb(x - 1, y);
      nb(x - 1, y - 1);
      nb(x, y - 1);
      nb(x + 1, y - 1);
      if (!l) {
        l = parent.length;
        parent.push(l);
      }
      labels[i] = l;
    }
  }
  const remap = new Int32Array(parent.length);
  let count = 0;
  for (let l = 1; l < parent.length; l++) {
    const r = find(l);
    remap[l] = r === l ? ++count : remap[r]!;
  }
  const regions: Component[] = Array.from({ length: count }, () => ({ area: 0, x: Infinity, y: Infinity, width: -Infinity, height: -Infinity, cx: 0, cy: 0 }));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!labels[i]) continue;
      const l = (labels[i] = remap[labels[i]!]!);
      const r = regions[l - 1]!;
      r.area++;
      r.cx += x;
      r.cy += y;
      if (x < r.x) r.x = x;
      if (y < r.y) r.y = y;
      if (x > r.width) r.width = x; // max x for now
      if (y > r.height) r.height = y;
    }
  }
  for (const r of regions) {
    r.width = r.width - r.x + 1;
    r.height = r.height - r.y + 1;
    r.cx /= r.area;
    r.cy /= r.area;
  }
  return { count, regions };
}

/** Applies `options` to the mask in place (and keeps a multi-class map consistent with it). */
export function refineMask(mask: Mask, options: RefineOptions, multi?: { classMap: WasmBuffer; prob: WasmBuffer; classes: number }): void {
  // In place: morphology handles out === input through its own scratch.
  if (options.open && options.open > 1) morphology(mask, { op: "open", shape: "ellipse", size: options.open, out: mask });
  if (options.close && options.close > 1) morphology(mask, { op: "close", shape: "ellipse", size: options.close, out: mask });
  if (options.fillHoles) {
    throw new EdgesegError("INVALID_ARGUMENT", "refine.fillHoles needs the components kernels, which are not in this build yet");
  }
  if (options.minArea) {
    const n = mask.width * mask.height;
    const labels = new Int32Array(n);
    const data = mask.data;
    const { regions } = labelComponents(data, mask.width, mask.height, labels);
    for (let i = 0; i < n; i++) {
      const l = labels[i]!;
      if (l && regions[l - 1]!.area < options.minArea) data[i] = 0;
    }
  }
  if (multi) post().reconcileClasses(multi.classMap.ptr, maskPtr(mask), multi.prob.ptr, multi.classes, mask.width * mask.height);
}

/**
 * Connected regions of the mask (binary models) or of each foreground class (multi-class), with
 * the mean and maximum probability of their class over their pixels.
 */
/** Where the per-pixel confidence of class `cls` is read from: a strided plane, optionally logits. */
export type ConfidenceSource = (cls: number) => { ptr: number; stride: number; apply: boolean };

export function findRegions(
  mask: Mask,
  confidence: ConfidenceSource,
  classMap: WasmBuffer | null,
  classes: number,
  classNames: readonly string[],
  stats: RegionStats,
): import("./segmenter.js").SegmentRegion[] {
  const { width: w, height: h } = mask;
  const n = w * h;
  const k = post();
  const out: import("./segmenter.js").SegmentRegion[] = [];
  const passes = classes === 1 ? [1] : Array.from({ length: classes - 1 }, (_, i) => i + 1);
  for (const cls of passes) {
    let maskData = mask.data;
    if (classMap) {
      const sm = stats.scratchMask();
      k.classMask(classMap.ptr, sm.ptr, n, cls);
      maskData = sm.u8.subarray(0, n);
    }
    const labels = stats.labels.view(Int32Array).subarray(0, n);
    const { count, regions } = labelComponents(maskData, w, h, labels);
    if (count === 0) continue;
    const sums = stats.sums((count + 1) * 8);
    const maxes = stats.maxes((count + 1) * 4);
    const src = confidence(cls);
    k.regionConfidence(stats.labels.ptr, src.ptr, w, h, src.stride, src.apply, count, sums.ptr, maxes.ptr);
    const s = sums.view(Float64Array);
    const m = maxes.view(Float32Array);
    for (let i = 0; i < count; i++) {
      const r = regions[i]!;
      out.push({
        label: out.length + 1,
        class: cls,
        className: classNames[cls] ?? String(cls),
        area: r.area,
        x: r.x,
        y: r.y,
        width: r.width,
        height: r.height,
        cx: r.cx,
        cy: r.cy,
        meanConfidence: s[i + 1]! / r.area,
        maxConfidence: m[i + 1]!,
      });
    }
  }
  return out;
}
