// Dataset evaluation: per-image metrics, a summary (mean, median, worst), and dataset-level
// detection figures. Used by `edgeseg eval`; usable on its own.
import { EdgesegError } from "../core/errors.js";
import type { Image } from "../core/image.js";
import { boundaryMetrics, confusion, type EmptyPolicy, overlapMetrics, segmentationMetrics } from "../kernels/metrics.js";
import { type DetectionResult, detectionMetrics } from "./detection.js";

export interface EvaluateOptions {
  /** Label maps with this many classes instead of binary masks (per-class Dice/IoU; no boundary or detection metrics). */
  classes?: number;
  /** Percentile for the Hausdorff percentile metric. @default 95 */
  percentile?: number;
  /** Normalized surface Dice tolerance in pixels (or spacing units). @default 2 */
  tolerance?: number;
  spacing?: [number, number];
  /** @default "one" */
  emptyPolicy?: EmptyPolicy;
  /** Detection: fraction of a true region that must be covered to count as found. @default 0.5 */
  minCoverage?: number;
  /** Detection: ignore predicted regions smaller than this. @default 1 */
  minArea?: number;
}

/** Metrics of one image (binary masks); the region-level counts are {@link DetectionResult}'s. */
export interface ImageResult extends DetectionResult {
  name: string;
  width: number;
  height: number;
  dice: number;
  iou: number;
  precision: number;
  recall: number;
  accuracy: number;
  hausdorff: number;
  hd: number;
  assd: number;
  surfaceDice: number;
  /** Pixel counts, for pooled (dataset-level) metrics. */
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** The numeric per-image metrics summarized in reports. */
export const SUMMARY_METRICS = ["dice", "iou", "precision", "recall", "hausdorff", "hd", "assd", "surfaceDice"] as const;
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];
/** Metrics where larger is worse. */
const LOWER_IS_BETTER = new Set<SummaryMetric>(["hausdorff", "hd", "assd"]);

export interface MetricSummary {
  mean: number;
  median: number;
  /** Worst value and its image (largest for distances, smallest otherwise); NaN values are skipped. */
  worst: { value: number; name: string };
  /** Images with a NaN value (see emptyPolicy). */
  nan: number;
}

export interface EvaluationSummary {
  images: number;
  metrics: Record<SummaryMetric, MetricSummary>;
  /** Dice/IoU/precision/recall from the pixel counts pooled over all images. */
  pooled: { dice: number; iou: number; precision: number; recall: number };
  detection: {
    truthRegions: number;
    found: number;
    missed: number;
    /** found / truthRegions. */
    instanceRecall: number;
    predictedRegions: number;
    falseAlarms: number;
    defectFreeImages: number;
    /** Defect-free images on which the prediction reported at least one region. */
    defectFreeWithAlarm: number;
    /** defectFreeWithAlarm / defectFreeImages. */
    falseAlarmImageRate: number;
  };
  percentile: number;
  tolerance: number;
}

/** Metrics of one prediction/truth pair of binary masks. */
export function evaluatePair(name: string, pred: Image, truth: Image, options: EvaluateOptions = {}): ImageResult {
  const percentile = options.percentile ?? 95;
  const tolerance = options.tolerance ?? 2;
  const c = confusion(pred, truth);
  const o = overlapMetrics(c, { emptyPolicy: options.emptyPolicy });
  const b = boundaryMetrics(pred, truth, { percentile, tolerance, spacing: options.spacing, emptyPolicy: options.emptyPolicy });
  const d = detectionMetrics(pred, truth, { minCoverage: options.minCoverage, minArea: options.minArea });
  return {
    name,
    width: pred.width,
    height: pred.height,
    ...o,
    hausdorff: b.hausdorff,
    hd: b.hausdorffPercentile,
    assd: b.assd,
    surfaceDice: b.surfaceDice,
    ...d,
    ...c,
  };
}

/** Checks that a mask is binary (0 and at most one other value) and names the file otherwise. */
export function checkBinary(name: string, img: Image): void {
  let other = -1;
  const data = img.data;
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value === 0 || value === other) continue;
    if (other < 0) other = value;
    else {
      throw new EdgesegError(
        "INVALID_IMAGE",
        `Expected a binary mask (0 and one foreground value) for ${name} but it holds ${other} and ${value}; pass --classes N for label maps`,
      );
    }
  }
}

function median(sorted: number[]): number {
  if (sorted.length === 0) return NaN;
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** Mean, median and worst of each metric, pooled overlap, and detection totals. */
export function summarize(results: ImageResult[], options: EvaluateOptions = {}): EvaluationSummary {
  const metrics = {} as Record<SummaryMetric, MetricSummary>;
  for (const key of SUMMARY_METRICS) {
    const finite = results.filter((r) => !Number.isNaN(r[key]));
    const values = finite.map((r) => r[key]).sort((a, b) => a - b);
    const worstResult = LOWER_IS_BETTER.has(key)
      ? finite.reduce<ImageResult | null>((w, r) => (!w || r[key] > w[key] ? r : w), null)
      : finite.reduce<ImageResult | null>((w, r) => (!w || r[key] < w[key] ? r : w), null);
    metrics[key] = {
      mean: values.length ? values.reduce((s, x) => s + x, 0) / values.length : NaN,
      median: median(values),
      worst: { value: worstResult ? worstResult[key] : NaN, name: worstResult?.name ?? "" },
      nan: results.length - finite.length,
    };
  }
  const sum = results.reduce((s, r) => ({ tp: s.tp + r.tp, fp: s.fp + r.fp, fn: s.fn + r.fn, tn: s.tn + r.tn }), { tp: 0, fp: 0, fn: 0, tn: 0 });
  const pooled = overlapMetrics(sum, { emptyPolicy: options.emptyPolicy });
  const truthRegions = results.reduce((s, r) => s + r.truthRegions, 0);
  const found = results.reduce((s, r) => s + r.found, 0);
  const defectFree = results.filter((r) => r.defectFree);
  const withAlarm = defectFree.filter((r) => r.predictedRegions > 0).length;
  return {
    images: results.length,
    metrics,
    pooled: { dice: pooled.dice, iou: pooled.iou, precision: pooled.precision, recall: pooled.recall },
    detection: {
      truthRegions,
      found,
      missed: truthRegions - found,
      instanceRecall: truthRegions ? found / truthRegions : NaN,
      predictedRegions: results.reduce((s, r) => s + r.predictedRegions, 0),
      falseAlarms: results.reduce((s, r) => s + r.falseAlarms, 0),
      defectFreeImages: defectFree.length,
      defectFreeWithAlarm: withAlarm,
      falseAlarmImageRate: defectFree.length ? withAlarm / defectFree.length : NaN,
    },
    percentile: options.percentile ?? 95,
    tolerance: options.tolerance ?? 2,
  };
}

/** Per-class metrics of a pair of label maps (for multi-class models). */
export function evaluateLabelPair(pred: Image, truth: Image, classes: number, emptyPolicy?: EmptyPolicy) {
  return segmentationMetrics(pred, truth, { classes, emptyPolicy });
}
