// Mask refinement and regions for the Segmenter, on top of the project's morphology and
// components kernels. Everything runs in place on buffers the Segmenter owns.
import type { Mask } from "../core/image.js";
import { addressOf, type WasmBuffer } from "../core/memory.js";
import { connectedComponents, fillHoles, removeSmallRegions } from "../kernels/components.js";
import { morphology } from "../kernels/morphology.js";
import { post } from "./postprocess.js";
import type { SegmentRegion } from "./segmenter.js";

/** Cleaning of the thresholded mask, applied in this order: open, close, fill holes, drop small regions. */
export interface RefineOptions {
  /** Morphological opening with a size×size ellipse (odd; OpenCV's 3×3 ellipse is a cross): removes specks thinner than size. */
  open?: number;
  /** Morphological closing with a size×size ellipse (odd): bridges gaps narrower than size. */
  close?: number;
  /** Fill background holes fully enclosed by foreground (scipy's binary_fill_holes). @default false */
  fillHoles?: boolean;
  /** Remove 8-connected foreground regions with fewer pixels than this. @default 0 */
  minArea?: number;
}

/** Buffers the region pass may use (owned by the Segmenter, grow-only). */
export interface RegionStats {
  labels: WasmBuffer;
  sums: (bytes: number) => WasmBuffer;
  maxes: (bytes: number) => WasmBuffer;
  scratchMask: () => WasmBuffer;
}

/** Where the per-pixel confidence of class `cls` is read from: a strided plane, optionally logits. */
export type ConfidenceSource = (cls: number) => { ptr: number; stride: number; apply: boolean };

/** Applies `options` to the mask in place (and keeps a multi-class map consistent with it). */
export function refineMask(mask: Mask, options: RefineOptions, multi?: { classMap: WasmBuffer; prob: WasmBuffer; classes: number }): void {
  // Each kernel accepts out === its input (they go through their own scratch when they overlap).
  if (options.open && options.open > 1) morphology(mask, { op: "open", shape: "ellipse", size: options.open, out: mask });
  if (options.close && options.close > 1) morphology(mask, { op: "close", shape: "ellipse", size: options.close, out: mask });
  if (options.fillHoles) fillHoles(mask, { out: mask });
  if (options.minArea && options.minArea > 1) removeSmallRegions(mask, { minArea: options.minArea, connectivity: 8, out: mask });
  if (multi) post().reconcileClasses(multi.classMap.ptr, addressOf(mask.data), multi.prob.ptr, multi.classes, mask.width * mask.height);
}

/**
 * 8-connected regions of the mask (binary models) or of each foreground class (multi-class),
 * with the mean and maximum probability of their class over their pixels.
 */
export function findRegions(
  mask: Mask,
  confidence: ConfidenceSource,
  classMap: WasmBuffer | null,
  classes: number,
  classNames: readonly string[],
  stats: RegionStats,
): SegmentRegion[] {
  const { width: w, height: h } = mask;
  const n = w * h;
  const k = post();
  const out: SegmentRegion[] = [];
  for (let cls = 1; cls < Math.max(2, classes); cls++) {
    let source: Mask = mask;
    if (classMap) {
      const sm = stats.scratchMask();
      k.classMask(classMap.ptr, sm.ptr, n, cls);
      source = { width: w, height: h, channels: 1, data: sm.u8.subarray(0, n) };
    }
    // Labels straight into our buffer (a view of WASM memory: no copy).
    const { count, regions } = connectedComponents(source, { connectivity: 8, labels: stats.labels.view(Int32Array).subarray(0, n) });
    if (count === 0) continue;
    const sums = stats.sums((count + 1) * 8);
    const maxes = stats.maxes((count + 1) * 4);
    const src = confidence(cls);
    k.regionConfidence(stats.labels.ptr, src.ptr, w, h, src.stride, src.apply, count, sums.ptr, maxes.ptr);
    const s = sums.view(Float64Array);
    const m = maxes.view(Float32Array);
    for (const r of regions) {
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
        meanConfidence: s[r.label]! / r.area,
        maxConfidence: m[r.label]!,
      });
    }
  }
  return out;
}
