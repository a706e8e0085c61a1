// Segmentation metrics: confusion counts in one SIMD pass, overlap metrics derived from them, and
// boundary metrics (Hausdorff, HD95, ASSD, normalized surface Dice) on surface pixels.
import { EdgesegError } from "../core/errors.js";
import type { Image } from "../core/image.js";
import { inputPointer, scratch } from "../core/memory.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";

type MetricsExports = {
  confusionBinary(pred: number, truth: number, n: number, out: number): void;
  confusionMulti(pred: number, truth: number, n: number, classes: number, matrix: number): number;
  maxByte(src: number, n: number): number;
  surfaceEdges(src: number, dst: number, w: number, h: number): number;
  columnDistances(edges: number, dist: number, w: number, h: number): void;
  surfaceDistances(from: number, columns: number, w: number, h: number, sx: number, sy: number, out: number): number;
  summarizeDistances(values: number, n: number, tolerance: number, percentile: number, out: number): void;
};
const k = () => kernels() as unknown as MetricsExports;

/**
 * What a metric returns when it is undefined because a count is zero — libraries disagree
 * (MONAI returns NaN, scikit-learn 0 or 1 by `zero_division`), so edgeseg makes it explicit:
 *
 * - `"one"` (default): a ratio whose denominator is zero is 1 (both masks empty is a perfect
 *   result — the common case of a defect-free image with no prediction); distances between two
 *   empty masks are 0, and between an empty and a non-empty mask `Infinity`.
 * - `"zero"`: such a ratio is 0; distances as for `"one"`.
 * - `"nan"`: such a ratio is NaN, and so is any distance involving an empty mask (MONAI's behaviour);
 *   average with a NaN-skipping mean.
 */
export type EmptyPolicy = "one" | "zero" | "nan";
const EMPTY_POLICIES: readonly EmptyPolicy[] = ["one", "zero", "nan"];

/** Pixel counts of a binary comparison. */
export interface BinaryConfusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Confusion of two label maps: `matrix[t * classes + p]` counts pixels of truth class t predicted as p. */
export interface MultiConfusion {
  classes: number;
  matrix: Uint32Array;
  /** One-vs-rest counts per class. */
  perClass: BinaryConfusion[];
}

/** Overlap metrics of one binary comparison. */
export interface OverlapMetrics {
  dice: number;
  /** Jaccard index. */
  iou: number;
  precision: number;
  recall: number;
  /** Pixel accuracy (tp + tn) / all. */
  accuracy: number;
}

export interface MultiClassMetrics {
  perClass: OverlapMetrics[];
  /** Unweighted mean over classes (over foreground classes when `includeBackground` is false). */
  macro: OverlapMetrics;
  /** From the summed one-vs-rest counts of the same classes. */
  micro: OverlapMetrics;
  /** Fraction of pixels whose class is right. */
  accuracy: number;
}

function checkPair(pred: Image, truth: Image): number {
  v.image("pred", pred, [1]);
  v.image("truth", truth, [1]);
  v.sameSize("pred", pred, "truth", truth);
  return pred.width * pred.height;
}

/**
 * Counts of a binary comparison (nonzero = foreground), or with `classes` a confusion matrix of
 * two label maps whose values are class indices `0 … classes-1`. One SIMD pass over both masks.
 *
 * @example
 * const { tp, fp, fn, tn } = confusion(pred, truth);
 * const { matrix, perClass } = confusion(predLabels, truthLabels, { classes: 4 });
 */
export function confusion(pred: Image, truth: Image): BinaryConfusion;
export function confusion(pred: Image, truth: Image, options: { classes: number }): MultiConfusion;
export function confusion(pred: Image, truth: Image, options?: { classes?: number }): BinaryConfusion | MultiConfusion {
  const n = checkPair(pred, truth);
  const o = v.options("options", options, ["classes"]);
  const p = inputPointer(pred, "metrics.pred");
  const t = inputPointer(truth, "metrics.truth");
  if (o.classes === undefined) {
    const out = scratch("metrics.counts", 16);
    k().confusionBinary(p, t, n, out.ptr);
    const c = out.view(Uint32Array);
    return { tp: c[0]!, fp: c[1]!, fn: c[2]!, tn: n - c[0]! - c[1]! - c[2]! };
  }
  const classes = v.integer("options.classes", o.classes, 2, 256);
  const matrixBuf = scratch("metrics.matrix", classes * classes * 4);
  const invalid = k().confusionMulti(p, t, n, classes, matrixBuf.ptr);
  if (invalid > 0) {
    const maxPred = k().maxByte(p, n);
    const maxTruth = k().maxByte(t, n);
    throw new EdgesegError(
      "INVALID_IMAGE",
      `Expected label values below options.classes = ${classes} but ${invalid} pixels have larger ones (max in pred ${maxPred}, in truth ${maxTruth})`,
    );
  }
  const matrix = matrixBuf.view(Uint32Array).slice(0, classes * classes);
  const perClass: BinaryConfusion[] = [];
  for (let c = 0; c < classes; c++) {
    let tp = 0;
    let rowSum = 0;
    let colSum = 0;
    for (let j = 0; j < classes; j++) {
      rowSum += matrix[c * classes + j]!;
      colSum += matrix[j * classes + c]!;
    }
    tp = matrix[c * classes + c]!;
    const fn = rowSum - tp;
    const fp = colSum - tp;
    perClass.push({ tp, fp, fn, tn: n - tp - fp - fn });
  }
  return { classes, matrix, perClass };
}

function ratio(num: number, den: number, policy: EmptyPolicy): number {
  if (den === 0) return policy === "one" ? 1 : policy === "zero" ? 0 : NaN;
  return num / den;
}

/** Dice, IoU, precision, recall and accuracy from confusion counts (see {@link EmptyPolicy}). */
export function overlapMetrics(c: BinaryConfusion, options?: { emptyPolicy?: EmptyPolicy }): OverlapMetrics {
  const o = v.options("options", options, ["emptyPolicy"]);
  const policy = o.emptyPolicy === undefined ? "one" : v.oneOf("options.emptyPolicy", o.emptyPolicy, EMPTY_POLICIES);
  const { tp, fp, fn, tn } = c;
  return {
    dice: ratio(2 * tp, 2 * tp + fp + fn, policy),
    iou: ratio(tp, tp + fp + fn, policy),
    precision: ratio(tp, tp + fp, policy),
    recall: ratio(tp, tp + fn, policy),
    accuracy: ratio(tp + tn, tp + tn + fp + fn, policy),
  };
}

export interface SegmentationMetricsOptions {
  /** Label maps with this many classes; omit for binary masks. */
  classes?: number;
  /** Count class 0 in macro and micro averages. @default false */
  includeBackground?: boolean;
  /** @default "one" */
  emptyPolicy?: EmptyPolicy;
}

/**
 * Overlap metrics of a prediction against ground truth: binary masks, or label maps with `classes`
 * (per class, macro and micro averages).
 *
 * @example
 * const { dice, iou } = segmentationMetrics(predMask, truthMask);
 * const { perClass, macro } = segmentationMetrics(predLabels, truthLabels, { classes: 4 });
 */
export function segmentationMetrics(pred: Image, truth: Image, options?: SegmentationMetricsOptions & { classes?: undefined }): OverlapMetrics;
export function segmentationMetrics(pred: Image, truth: Image, options: SegmentationMetricsOptions & { classes: number }): MultiClassMetrics;
export function segmentationMetrics(pred: Image, truth: Image, options?: SegmentationMetricsOptions): OverlapMetrics | MultiClassMetrics {
  const o = v.options("options", options, ["classes", "includeBackground", "emptyPolicy"]);
  const policy = { emptyPolicy: o.emptyPolicy };
  if (o.classes === undefined) return overlapMetrics(confusion(pred, truth), policy);
  const includeBackground = o.includeBackground === undefined ? false : v.boolean("options.includeBackground", o.includeBackground);
  const m = confusion(pred, truth, { classes: o.classes });
  const perClass = m.perClass.map((c) => overlapMetrics(c, policy));
  const used = perClass.filter((_, i) => includeBackground || i > 0);
  const usedCounts = m.perClass.filter((_, i) => includeBackground || i > 0);
  const mean = (key: keyof OverlapMetrics) => used.reduce((s, x) => s + x[key], 0) / used.length;
  const macro: OverlapMetrics = { dice: mean("dice"), iou: mean("iou"), precision: mean("precision"), recall: mean("recall"), accuracy: mean("accuracy") };
  const sum = usedCounts.reduce((s, c) => ({ tp: s.tp + c.tp, fp: s.fp + c.fp, fn: s.fn + c.fn, tn: s.tn + c.tn }), { tp: 0, fp: 0, fn: 0, tn: 0 });
  let correct = 0;
  for (let c = 0; c < m.classes; c++) correct += m.matrix[c * m.classes + c]!;
  const total = pred.width * pred.height;
  return { perClass, macro, micro: overlapMetrics(sum, policy), accuracy: correct / total };
}

/** Dice coefficient of two binary masks. */
export function dice(pred: Image, truth: Image, options?: { emptyPolicy?: EmptyPolicy }): number {
  return overlapMetrics(confusion(pred, truth), options).dice;
}

/** Intersection over union (Jaccard index) of two binary masks. */
export function iou(pred: Image, truth: Image, options?: { emptyPolicy?: EmptyPolicy }): number {
  return overlapMetrics(confusion(pred, truth), options).iou;
}

export interface BoundaryOptions {
  /** Percentile of surface distances for `hausdorffPercentile` (HD95 by default). @default 95 */
  percentile?: number;
  /** Physical size of a pixel, [x, y]. @default [1, 1] */
  spacing?: [number, number];
  /** Tolerance for the normalized surface Dice, in spacing units. @default 1 */
  tolerance?: number;
  /** @default "one" */
  emptyPolicy?: EmptyPolicy;
}

/**
 * Boundary agreement of two binary masks, with MONAI's definitions: surfaces are the foreground
 * pixels a 4-connected erosion removes (image borders count as background); distances are
 * Euclidean between surface pixel centres, scaled by `spacing`.
 */
export interface BoundaryMetrics {
  /** Symmetric Hausdorff distance: the largest surface distance in either direction. */
  hausdorff: number;
  /** max(percentile of pred→truth distances, percentile of truth→pred), like MONAI's HD95. */
  hausdorffPercentile: number;
  /** Average symmetric surface distance: mean of both directions' distances pooled. */
  assd: number;
  /** Normalized surface Dice at `tolerance`: share of both surfaces within tolerance of the other. */
  surfaceDice: number;
  predSurfacePixels: number;
  truthSurfacePixels: number;
}

/**
 * Hausdorff distance, its percentile (HD95), ASSD and normalized surface Dice of two binary masks.
 *
 * @example
 * const { hausdorff, hausdorffPercentile } = boundaryMetrics(pred, truth, { percentile: 95 });
 */
export function boundaryMetrics(pred: Image, truth: Image, options?: BoundaryOptions): BoundaryMetrics {
  const n = checkPair(pred, truth);
  const o = v.options("options", options, ["percentile", "spacing", "tolerance", "emptyPolicy"]);
  const percentile = o.percentile === undefined ? 95 : v.number("options.percentile", o.percentile, 0, 100);
  const tolerance = o.tolerance === undefined ? 1 : v.number("options.tolerance", o.tolerance, 0);
  const policy = o.emptyPolicy === undefined ? "one" : v.oneOf("options.emptyPolicy", o.emptyPolicy, EMPTY_POLICIES);
  let sx = 1;
  let sy = 1;
  if (o.spacing !== undefined) {
    if (!Array.isArray(o.spacing) || o.spacing.length !== 2) v.invalidParameter("options.spacing", "an array [x, y] of two positive numbers", o.spacing);
    sx = v.number("options.spacing[0]", o.spacing[0], Number.MIN_VALUE);
    sy = v.number("options.spacing[1]", o.spacing[1], Number.MIN_VALUE);
  }
  const { width: w, height: h } = pred;
  const kx = k();
  const p = inputPointer(pred, "metrics.pred");
  const t = inputPointer(truth, "metrics.truth");
  const predEdges = scratch("metrics.predEdges", n);
  const truthEdges = scratch("metrics.truthEdges", n);
  const predCount = kx.surfaceEdges(p, predEdges.ptr, w, h);
  const truthCount = kx.surfaceEdges(t, truthEdges.ptr, w, h);
  if (predCount === 0 || truthCount === 0) {
    const both = predCount === 0 && truthCount === 0;
    const d = policy === "nan" ? NaN : both ? 0 : Infinity;
    const sd = both ? ratio(0, 0, policy) : 0;
    return { hausdorff: d, hausdorffPercentile: d, assd: d, surfaceDice: sd, predSurfacePixels: predCount, truthSurfacePixels: truthCount };
  }
  const columns = scratch("metrics.columns", n * 2);
  const predToTruth = scratch("metrics.distA", predCount * 4);
  const truthToPred = scratch("metrics.distB", truthCount * 4);
  kx.columnDistances(truthEdges.ptr, columns.ptr, w, h);
  kx.surfaceDistances(predEdges.ptr, columns.ptr, w, h, sx, sy, predToTruth.ptr);
  kx.columnDistances(predEdges.ptr, columns.ptr, w, h);
  kx.surfaceDistances(truthEdges.ptr, columns.ptr, w, h, sx, sy, truthToPred.ptr);
  const summary = scratch("metrics.summary", 64);
  kx.summarizeDistances(predToTruth.ptr, predCount, tolerance, percentile, summary.ptr);
  kx.summarizeDistances(truthToPred.ptr, truthCount, tolerance, percentile, summary.ptr + 32);
  const [maxA, sumA, withinA, pctA, maxB, sumB, withinB, pctB] = summary.view(Float64Array);
  return {
    hausdorff: Math.max(maxA!, maxB!),
    hausdorffPercentile: Math.max(pctA!, pctB!),
    assd: (sumA! + sumB!) / (predCount + truthCount),
    surfaceDice: (withinA! + withinB!) / (predCount + truthCount),
    predSurfacePixels: predCount,
    truthSurfacePixels: truthCount,
  };
}

/**
 * Hausdorff distance between two binary masks' surfaces, or its `percentile` (e.g. 95 for HD95).
 *
 * @example
 * const hd95 = hausdorff(pred, truth, { percentile: 95, spacing: [0.1, 0.1] }); // in mm
 */
export function hausdorff(pred: Image, truth: Image, options?: { percentile?: number; spacing?: [number, number]; emptyPolicy?: EmptyPolicy }): number {
  const o = v.options("options", options, ["percentile", "spacing", "emptyPolicy"]);
  const m = boundaryMetrics(pred, truth, { spacing: o.spacing, emptyPolicy: o.emptyPolicy, percentile: o.percentile ?? 100 });
  return o.percentile === undefined ? m.hausdorff : m.hausdorffPercentile;
}
