// Regions of a mask as the loop reports them, and the region filters of a pipeline config.
import type { Mask } from "../core/image.js";
import { WasmBuffer } from "../core/memory.js";
import { kernel } from "./kernels.js";

/**
 * One region (a defect candidate) in frame pixels. Always has the OpenCV connectedComponentsWithStats
 * fields; blob features (perimeter, circularity, …) are present when the config asks for them and
 * the components kernel provides them; model pipelines add `class` and `confidence`.
 */
export interface Region {
  area: number;
  x: number;
  y: number;
  width: number;
  height: number;
  cx: number;
  cy: number;
  class?: string;
  confidence?: number;
  [feature: string]: number | string | undefined;
}

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
function wantedFeatures(filter: RegionFilter): string[] | "all" {
  if (filter.features === "all") return "all";
  const wanted = new Set(filter.features ?? []);
  for (const key of Object.keys(filter.select ?? {})) if (!BASIC_FIELDS.has(key)) wanted.add(key);
  return [...wanted];
}

/** Grow-only buffers of the plain-TypeScript labeller. */
class LabelScratch {
  labels = new Int32Array(0);
  parent = new Int32Array(0);
  ensure(pixels: number): void {
    if (this.labels.length < pixels) this.labels = new Int32Array(pixels);
    // At most one provisional label per two pixels in a row, plus one.
    if (this.parent.length < (pixels >> 1) + 2) this.parent = new Int32Array((pixels >> 1) + 2);
  }
}
const scratch = new LabelScratch();

function find(parent: Int32Array, a: number): number {
  while (parent[a]! !== a) {
    parent[a] = parent[parent[a]!]!;
    a = parent[a]!;
  }
  return a;
}

/** Merges the set of label `n` (0 = none) into `root`'s; returns the merged set's root (the smaller label). */
function unite(parent: Int32Array, root: number, n: number): number {
  if (n === 0) return root;
  const r = find(parent, n);
  if (r === root) return root;
  if (r < root) {
    parent[root] = r;
    return r;
  }
  parent[r] = root;
  return root;
}

/**
 * Connected regions of `mask` with area, bounding box and centroid: the WASM `connectedComponents`
 * kernel when this build has it, else a two-pass union-find in TypeScript (same statistics,
 * regions in raster order of their first pixel).
 */
export function labelRegions(mask: Mask, filter: RegionFilter = {}): Region[] {
  const connectivity = filter.connectivity ?? 8;
  const cc = kernel<(m: Mask, o: object) => { regions: Region[] }>("connectedComponents");
  if (cc) {
    const features = wantedFeatures(filter);
    const n = mask.width * mask.height;
    // The label image stays in one reused WASM buffer instead of a new Int32Array per frame.
    if (!labelBuffer || labelBuffer.byteLength !== n * 4) {
      labelBuffer?.dispose();
      labelBuffer = new WasmBuffer(n * 4);
    }
    const labels = labelBuffer.view(Int32Array);
    const result = cc(mask, features === "all" || features.length > 0 ? { connectivity, features, labels } : { connectivity, labels });
    return result.regions;
  }
  const { width: w, height: h } = mask;
  const data = mask.data;
  const stride = mask.stride ?? w;
  scratch.ensure(w * h);
  const { labels, parent } = scratch;
  let next = 1;
  parent[0] = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (data[y * stride + x] === 0) {
        labels[row + x] = 0;
        continue;
      }
      // Neighbours already visited: left, and the row above (up-left, up, up-right for 8-connectivity).
      const left = x > 0 ? labels[row + x - 1]! : 0;
      const up = y > 0 ? labels[row - w + x]! : 0;
      const upLeft = connectivity === 8 && y > 0 && x > 0 ? labels[row - w + x - 1]! : 0;
      const upRight = connectivity === 8 && y > 0 && x + 1 < w ? labels[row - w + x + 1]! : 0;
      let label = left || up || upLeft || upRight;
      if (label === 0) {
        if (next >= parent.length) {
          const grown = new Int32Array(parent.length * 2);
          grown.set(parent);
          scratch.parent = grown;
          return labelRegions(mask, filter);
        }
        parent[next] = next;
        label = next++;
      } else {
        let root = find(parent, label);
        root = unite(parent, root, left);
        root = unite(parent, root, up);
        root = unite(parent, root, upLeft);
        unite(parent, root, upRight);
      }
      labels[row + x] = label;
    }
  }
  // Resolve roots in order of first appearance: raster order of each region's first pixel.
  const index = new Int32Array(next).fill(-1);
  const regions: Region[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const l = labels[y * w + x]!;
      if (l === 0) continue;
      const root = find(parent, l);
      let i = index[root]!;
      if (i < 0) {
        i = index[root] = regions.length;
        regions.push({ area: 0, x, y, width: x, height: y, cx: 0, cy: 0 });
      }
      const r = regions[i]!;
      r.area++;
      r.cx += x;
      r.cy += y;
      if (x < r.x) r.x = x;
      if (x > r.width) r.width = x; // max x for now
      if (y > r.height) r.height = y; // max y for now
    }
  }
  for (const r of regions) {
    r.width = r.width - r.x + 1;
    r.height = r.height - r.y + 1;
    r.cx /= r.area;
    r.cy /= r.area;
  }
  return regions;
}

/** Applies the filter's area and feature ranges and the count cap (largest regions kept). */
export function filterRegions(regions: Region[], filter: RegionFilter = {}): Region[] {
  const min = filter.minArea ?? 1;
  const max = filter.maxArea ?? Infinity;
  let kept = regions.filter((r) => r.area >= min && r.area <= max);
  if (filter.select) {
    const select = kernel<(r: Region[], s: object) => Region[]>("selectRegions");
    if (select) kept = select(kept, filter.select);
    else {
      const ranges = Object.entries(filter.select);
      kept = kept.filter((r) => ranges.every(([k, [lo, hi]]) => typeof r[k] === "number" && (r[k] as number) >= lo && (r[k] as number) <= hi));
    }
  }
  const cap = filter.maxRegions ?? 256;
  if (kept.length > cap) kept = kept.sort((a, b) => b.area - a.area).slice(0, cap);
  return kept;
}
