// Regions of a mask as the loop reports them, and the region filters of a pipeline config.
import type { Mask } from "../core/image.js";
import { WasmBuffer } from "../core/memory.js";
import { connectedComponents } from "../kernels/components.js";
import { type FeatureName, type Region, type RegionCriteria, selectRegions } from "../kernels/regions.js";

/**
 * One region (a defect candidate) in frame pixels: the components kernel's {@link Region} (label,
 * area, box, centroid as OpenCV's connectedComponentsWithStats, plus the blob features asked for);
 * model pipelines add the class and the model's confidence over the region.
 */
export type DetectedRegion = Region & {
  class?: number;
  className?: string;
  meanConfidence?: number;
  maxConfidence?: number;
};

/** Region filters: HALCON select_shape-style ranges per feature, plus a cap on the count. */
export interface RegionFilter {
  /** Neighbourhood for labelling. @default 8 */
  connectivity?: 4 | 8;
  /** Keep regions with at least this many pixels. @default 1 */
  minArea?: number;
  /** Keep regions with at most this many pixels. @default Infinity */
  maxArea?: number;
  /** Extra features to compute (names of the components kernel), or "all". @default [] */
  features?: string[] | "all";
  /** `{ feature: [min, max] }` ranges a region must fall in (e.g. `{ circularity: [0, 0.5] }`). */
  select?: Record<string, [number, number]>;
  /** Report at most this many regions per frame, largest first. @default 256 */
  maxRegions?: number;
}

const BASIC_FIELDS = new Set(["label", "area", "x", "y", "width", "height", "cx", "cy"]);
let labelBuffer: WasmBuffer | null = null;

/** The features the filter needs: those listed plus any named in `select`. */
export function wantedFeatures(filter: RegionFilter): string[] | "all" {
  if (filter.features === "all") return "all";
  const wanted = new Set(filter.features ?? []);
  for (const key of Object.keys(filter.select ?? {})) if (!BASIC_FIELDS.has(key)) wanted.add(key);
  return [...wanted];
}

/**
 * Connected regions of `mask` (the `connectedComponents` kernel): area, bounding box and centroid
 * as OpenCV's connectedComponentsWithStats, plus the blob features the filter asks for.
 */
export function labelRegions(mask: Mask, filter: RegionFilter = {}): DetectedRegion[] {
  const connectivity = filter.connectivity ?? 8;
  const features = wantedFeatures(filter);
  const n = mask.width * mask.height;
  // The label image stays in one reused WASM buffer instead of a new Int32Array per frame.
  if (!labelBuffer || labelBuffer.byteLength !== n * 4) {
    labelBuffer?.dispose();
    labelBuffer = new WasmBuffer(n * 4);
  }
  const labels = labelBuffer.view(Int32Array);
  const options = features === "all" || features.length > 0 ? { connectivity, features: features as FeatureName[] | "all", labels } : { connectivity, labels };
  return connectedComponents(mask, options).regions;
}

/** Applies the filter's area and feature ranges and the count cap (largest regions kept). */
export function filterRegions(regions: DetectedRegion[], filter: RegionFilter = {}): DetectedRegion[] {
  const min = filter.minArea ?? 1;
  const max = filter.maxArea ?? Infinity;
  let kept = regions.filter((r) => r.area >= min && r.area <= max);
  if (filter.select) {
    kept = selectRegions(kept, filter.select as RegionCriteria);
  }
  const cap = filter.maxRegions ?? 256;
  if (kept.length > cap) kept = kept.sort((a, b) => b.area - a.area).slice(0, cap);
  return kept;
}
