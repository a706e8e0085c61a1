// Instance-level detection metrics for defects: was each true defect found, and what did the
// prediction report that is not there?
import type { Image } from "../core/image.js";
import * as v from "../core/validate.js";
import { connectedComponents } from "../kernels/components.js";

export interface DetectionOptions {
  /** A true region counts as found when the prediction covers at least this fraction of its pixels. @default 0.5 */
  minCoverage?: number;
  /** Connectivity of regions in both masks. @default 8 */
  connectivity?: 4 | 8;
  /** Predicted regions smaller than this many pixels are ignored (noise the application would filter). @default 1 */
  minArea?: number;
}

/** Region-level results of one prediction against its ground truth. */
export interface DetectionResult {
  truthRegions: number;
  found: number;
  missed: number;
  predictedRegions: number;
  /** Predicted regions (≥ minArea) that touch no true defect pixel. */
  falseAlarms: number;
  /** True when the ground truth has no defect at all. */
  defectFree: boolean;
}

/**
 * Matches the regions of a predicted mask against the regions of the ground truth.
 * A true region is *found* when the prediction covers ≥ `minCoverage` of its pixels; a predicted
 * region is a *false alarm* when none of its pixels is a true defect pixel.
 *
 * @example
 * const { found, missed, falseAlarms } = detectionMetrics(pred, truth, { minCoverage: 0.5 });
 */
export function detectionMetrics(pred: Image, truth: Image, options?: DetectionOptions): DetectionResult {
  v.image("pred", pred, [1]);
  v.image("truth", truth, [1]);
  v.sameSize("pred", pred, "truth", truth);
  const o = v.options("options", options, ["minCoverage", "connectivity", "minArea"]);
  const minCoverage = o.minCoverage === undefined ? 0.5 : v.number("options.minCoverage", o.minCoverage, 0, 1);
  const connectivity = o.connectivity === undefined ? 8 : v.oneOf("options.connectivity", o.connectivity, [4, 8] as const);
  const minArea = o.minArea === undefined ? 1 : v.integer("options.minArea", o.minArea, 1, Number.MAX_SAFE_INTEGER);

  const t = connectedComponents(truth, { connectivity });
  const truthLabels = t.labels;
  const truthAreas = t.regions.map((r) => r.area);
  const p = connectedComponents(pred, { connectivity });
  const predLabels = p.labels;
  const predAreas = p.regions.map((r) => r.area);

  const covered = new Int32Array(t.count + 1);
  const overlap = new Int32Array(p.count + 1);
  const n = pred.width * pred.height;
  for (let i = 0; i < n; i++) {
    const tl = truthLabels[i]!;
    const pl = predLabels[i]!;
    if (tl > 0 && pl > 0) {
      covered[tl]!++;
      overlap[pl]!++;
    }
  }
  let found = 0;
  for (let r = 1; r <= t.count; r++) if (covered[r]! >= minCoverage * truthAreas[r - 1]!) found++;
  let predictedRegions = 0;
  let falseAlarms = 0;
  for (let r = 1; r <= p.count; r++) {
    if (predAreas[r - 1]! < minArea) continue;
    predictedRegions++;
    if (overlap[r] === 0) falseAlarms++;
  }
  return { truthRegions: t.count, found, missed: t.count - found, predictedRegions, falseAlarms, defectFree: t.count === 0 };
}
