// Regions: the per-component record returned by connectedComponents, the blob-feature
// definitions, convex-hull geometry (convex area, Feret diameter) and HALCON-style selection/sorting.
import { EdgesegError } from "../core/errors.js";
import * as v from "../core/validate.js";

/** Blob features that `connectedComponents` computes on request (`features: [...]` or `"all"`). */
export const FEATURE_NAMES = [
  "perimeter",
  "orientation",
  "majorAxisLength",
  "minorAxisLength",
  "eccentricity",
  "elongation",
  "circularity",
  "convexArea",
  "solidity",
  "holes",
  "eulerNumber",
  "feretDiameter",
  "meanIntensity",
  "minIntensity",
  "maxIntensity",
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/**
 * One connected component. The first eight fields are always present and equal OpenCV's
 * `connectedComponentsWithStats`; the others are present when requested. Coordinates: x to the
 * right, y down, pixel centres at integers. Names in brackets: scikit-image `regionprops` /
 * HALCON `region_features`.
 */
export interface Region {
  /** Label in the label image, 1..count. */
  label: number;
  /** Pixel count (CC_STAT_AREA) [area / area]. */
  area: number;
  /** Left column of the bounding box (CC_STAT_LEFT) [bbox[1] / column1]. */
  x: number;
  /** Top row of the bounding box (CC_STAT_TOP) [bbox[0] / row1]. */
  y: number;
  /** Bounding-box width (CC_STAT_WIDTH) [bbox[3] − bbox[1] / width]. */
  width: number;
  /** Bounding-box height (CC_STAT_HEIGHT) [bbox[2] − bbox[0] / height]. */
  height: number;
  /** Centroid column, mean x of the pixels [centroid[1] / column]. */
  cx: number;
  /** Centroid row, mean y of the pixels [centroid[0] / row]. */
  cy: number;
  /**
   * Perimeter exactly as scikit-image's `regionprops().perimeter` (`measure.perimeter` with
   * neighbourhood 4): pixels with a 4-neighbour outside the region form the border, and each border
   * pixel adds 0, 1, √2 or (1+√2)/2 by the pattern of its border neighbours. Isolated pixels and
   * 2-pixel regions have perimeter 0. HALCON's `contlength` differs.
   */
  perimeter?: number;
  /**
   * Angle in radians, in [−π/2, π/2], between the image rows axis (y, downwards) and the major axis,
   * scikit-image's `orientation` (counter-clockwise when looking at the image with y down).
   * HALCON's `orientation` (from the x axis, y up) is `orientation − π/2` wrapped into (−π/2, π/2].
   */
  orientation?: number;
  /** 4·√λ1 of the inertia tensor (ellipse with the same second moments) [axis_major_length / 2·ra]. */
  majorAxisLength?: number;
  /** 4·√λ2 of the inertia tensor [axis_minor_length / 2·rb]. */
  minorAxisLength?: number;
  /** √(1 − λ2/λ1), 0 for a circle, → 1 for a line; 0 for a single pixel [eccentricity]. */
  eccentricity?: number;
  /**
   * majorAxisLength / minorAxisLength [HALCON anisometry, Cognex elongation]: 1 for a disc,
   * `Infinity` for a straight 1-pixel line (minor axis 0), 1 for a single pixel.
   */
  elongation?: number;
  /**
   * 4π·area / perimeter² with the perimeter above (1 for a digital disc up to the estimator's bias;
   * small regions can exceed 1); 0 when the perimeter is 0. Not HALCON's `circularity`.
   */
  circularity?: number;
  /**
   * Pixels whose centres lie in the closed convex hull of the region's pixel-edge midpoints
   * (x ± ½, y) and (x, y ± ½) — scikit-image's `area_convex` (`convex_hull_image`), computed exactly.
   */
  convexArea?: number;
  /** area / convexArea [solidity / HALCON convexity]. */
  solidity?: number;
  /**
   * Holes: background areas (4-connected, other regions' pixels count as background) enclosed by
   * the region = 1 − eulerNumber [HALCON holes_num].
   */
  holes?: number;
  /** Euler number of the region's pixels with 8-connectivity (1 − holes) [euler_number / euler_number]. */
  eulerNumber?: number;
  /**
   * Maximum Feret diameter: the largest distance between two points of the convex-hull image's
   * outline at the pixel-edge midpoints — scikit-image's `feret_diameter_max`. (HALCON's
   * `max_diameter` measures between pixel centres, so it is about 1 smaller.)
   */
  feretDiameter?: number;
  /** Mean gray value under the region (needs `image`) [intensity_mean / gray_features mean]. */
  meanIntensity?: number;
  /** Minimum gray value under the region (needs `image`) [intensity_min / min]. */
  minIntensity?: number;
  /** Maximum gray value under the region (needs `image`) [intensity_max / max]. */
  maxIntensity?: number;
}

/** Every numeric field of {@link Region} that selection and sorting accept. */
export const REGION_FIELDS = ["label", "area", "x", "y", "width", "height", "cx", "cy", ...FEATURE_NAMES] as const;
export type RegionField = (typeof REGION_FIELDS)[number];

// ---- convex hull geometry (doubled coordinates: pixel (x, y) centre is (2x, 2y), all integers) ----

/**
 * Lower convex chain of points (t[i], s[i]) with strictly increasing t (Andrew's monotone chain,
 * collinear points dropped). Writes the kept indices into `idx` and returns their number.
 */
function lowerChain(t: Int32Array, s: Float64Array, n: number, idx: Int32Array): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    while (m >= 2) {
      const o = idx[m - 2]!;
      const a = idx[m - 1]!;
      const cross = (t[a]! - t[o]!) * (s[i]! - s[o]!) - (s[a]! - s[o]!) * (t[i]! - t[o]!);
      if (cross > 0) break;
      m--;
    }
    idx[m++] = i;
  }
  return m;
}

/** Grow-only JS work arrays for the hull chains, reused across regions and calls. */
let work = { levels: 0, t: new Int32Array(0), left: new Float64Array(0), right: new Float64Array(0), li: new Int32Array(0), ri: new Int32Array(0), xmin: new Int32Array(0), xmax: new Int32Array(0) };
function ensureWork(levels: number): typeof work {
  if (work.levels < levels) {
    const n = Math.max(levels, work.levels * 2);
    work = { levels: n, t: new Int32Array(n), left: new Float64Array(n), right: new Float64Array(n), li: new Int32Array(n), ri: new Int32Array(n), xmin: new Int32Array(n), xmax: new Int32Array(n) };
  }
  return work;
}

/**
 * Convex hull of the edge midpoints of pixel rows [x0[i], x1[i]] at rows y0 + i (i < rows).
 * Level t = 2y + k (k = −1, 0, 1 relative to row centres) holds the extreme midpoints: left
 * 2x0 − 1 at the row's centre level and 2x0 at the half levels (right symmetric). Results: left
 * chain in (wk.t, wk.left)[wk.li[0..nl)] and right chain (negated values) in wk.right / wk.ri.
 */
function hullChains(wk: typeof work, y0: number, rows: number, x0: Int32Array, x1: Int32Array): { levels: number; nl: number; nr: number } {
  const levels = 2 * rows + 1;
  for (let j = 0; j < levels; j++) {
    wk.t[j] = 2 * y0 - 1 + j;
    wk.left[j] = Infinity;
    wk.right[j] = Infinity; // stores −X
  }
  for (let i = 0; i < rows; i++) {
    const a = x0[i]!;
    const b = x1[i]!;
    const c = 2 * i + 1; // centre level of row i
    wk.left[c] = 2 * a - 1;
    wk.right[c] = -(2 * b + 1);
    for (let j = c - 1; j <= c + 1; j += 2) {
      if (2 * a < wk.left[j]!) wk.left[j] = 2 * a;
      if (-2 * b < wk.right[j]!) wk.right[j] = -2 * b;
    }
  }
  const nl = lowerChain(wk.t, wk.left, levels, wk.li);
  const nr = lowerChain(wk.t, wk.right, levels, wk.ri);
  return { levels, nl, nr };
}

/** Value of a lower chain at level t (chain indices idx[0..n), values s, levels ts). */
function chainAt(ts: Int32Array, s: Float64Array, idx: Int32Array, n: number, t: number, cursor: { i: number }): { num: number; den: number } {
  while (cursor.i < n - 1 && ts[idx[cursor.i + 1]!]! < t) cursor.i++;
  const a = idx[cursor.i]!;
  if (ts[a] === t || cursor.i === n - 1) return { num: s[a]!, den: 1 };
  const b = idx[cursor.i + 1]!;
  const dt = ts[b]! - ts[a]!;
  // s(t) = s_a + (s_b − s_a)(t − t_a)/dt, kept as an exact fraction num/den (den > 0).
  return { num: s[a]! * dt + (s[b]! - s[a]!) * (t - ts[a]!), den: dt };
}

/** ceil(num / den) for exact integer num and den > 0 held in doubles. */
function ceilDiv(num: number, den: number): number {
  let q = Math.ceil(num / den);
  if ((q - 1) * den >= num) q--;
  else if (q * den < num) q++;
  return q;
}

/**
 * @internal Used by connectedComponents; not part of the public API.
 * Convex area, solidity and max Feret diameter of each region from its runs (u32 start | end << 16,
 * run labels, row index), following scikit-image's `convex_hull_image` and `feret_diameter_max`.
 */
export function convexFeatures(runs: Uint32Array, labels: Int32Array, rows: Int32Array, regions: Region[], want: Set<FeatureName>): void {
  const count = regions.length;
  const h = rows.length - 1;
  // Counting sort of the runs by label, stable so each region's runs stay in raster order.
  const start = new Int32Array(count + 2);
  for (let r = 0; r < labels.length; r++) start[labels[r]! + 1]!++;
  for (let L = 1; L <= count + 1; L++) start[L]! += start[L - 1]!;
  const order = new Int32Array(labels.length);
  const rowOf = new Int32Array(labels.length);
  const fill = start.slice();
  for (let y = 0; y < h; y++) {
    for (let r = rows[y]!; r < rows[y + 1]!; r++) {
      const p = fill[labels[r]!]!++;
      order[p] = r;
      rowOf[p] = y;
    }
  }
  let maxRows = 1;
  for (const g of regions) maxRows = Math.max(maxRows, g.height);
  const wk = ensureWork(2 * maxRows + 1);
  const x0 = new Int32Array(maxRows);
  const x1 = new Int32Array(maxRows);

  for (const g of regions) {
    const L = g.label;
    x0.fill(0x7fffffff, 0, g.height);
    x1.fill(-1, 0, g.height);
    for (let p = start[L]!; p < start[L + 1]!; p++) {
      const word = runs[order[p]!]!;
      const i = rowOf[p]! - g.y;
      x0[i] = Math.min(x0[i]!, word & 0xffff);
      x1[i] = Math.max(x1[i]!, (word >>> 16) - 1);
    }
    // Region hull → pixel centres inside (closed) per row: the convex-hull image.
    let c = hullChains(wk, g.y, g.height, x0, x1);
    const lc = { i: 0 };
    const rc = { i: 0 };
    let area = 0;
    for (let i = 0; i < g.height; i++) {
      const t = 2 * (g.y + i);
      const l = chainAt(wk.t, wk.left, wk.li, c.nl, t, lc);
      const r = chainAt(wk.t, wk.right, wk.ri, c.nr, t, rc);
      // Centre 2x must satisfy left ≤ 2x ≤ −right.
      const xmin = ceilDiv(l.num, 2 * l.den);
      const xmax = -ceilDiv(r.num, 2 * r.den);
      wk.xmin[i] = xmin;
      wk.xmax[i] = xmax;
      area += xmax - xmin + 1;
    }
    if (want.has("convexArea")) g.convexArea = area;
    if (want.has("solidity")) g.solidity = g.area / area;
    if (want.has("feretDiameter")) {
      // Hull of the convex-hull image's edge midpoints; the diameter is between two of its vertices.
      const hx0 = wk.xmin.slice(0, g.height);
      const hx1 = wk.xmax.slice(0, g.height);
      c = hullChains(wk, g.y, g.height, hx0, hx1);
      const px: number[] = [];
      const py: number[] = [];
      for (let j = 0; j < c.nl; j++) {
        px.push(wk.left[wk.li[j]!]!);
        py.push(wk.t[wk.li[j]!]!);
      }
      for (let j = 0; j < c.nr; j++) {
        px.push(-wk.right[wk.ri[j]!]!);
        py.push(wk.t[wk.ri[j]!]!);
      }
      let best = 0;
      for (let a = 0; a < px.length; a++) {
        for (let b = a + 1; b < px.length; b++) {
          const dx = px[a]! - px[b]!;
          const dy = py[a]! - py[b]!;
          const d = dx * dx + dy * dy;
          if (d > best) best = d;
        }
      }
      g.feretDiameter = Math.sqrt(best / 4);
    }
  }
}

// ---- selection and sorting ----

/** Inclusive `[min, max]` ranges by field name, e.g. `{ area: [100, Infinity], circularity: [0.8, 1.2] }`. */
export type RegionCriteria = Partial<Record<RegionField, readonly [number, number]>>;

function fieldName(name: string, value: unknown): RegionField {
  return v.oneOf(name, value, REGION_FIELDS);
}

function requireField(regions: readonly Region[], field: RegionField): void {
  const missing = regions.find((g) => typeof g[field] !== "number");
  if (missing) {
    throw new EdgesegError(
      "INVALID_ARGUMENT",
      `Expected regions with the feature "${field}" (pass features: ["${field}"] to connectedComponents) but region ${missing.label} has none`,
    );
  }
}

/**
 * Keeps the regions whose every listed field lies in its inclusive `[min, max]` range — HALCON's
 * `select_shape` with operation "and". Fields are the {@link Region} names; blob features must
 * have been computed (`features` option of `connectedComponents`). Returns a new array.
 *
 * @example
 * const { regions } = connectedComponents(mask, { features: ["circularity"] });
 * const coins = selectRegions(regions, { area: [200, 5000], circularity: [0.8, 1.3] });
 */
export function selectRegions(regions: readonly Region[], criteria: RegionCriteria): Region[] {
  if (!Array.isArray(regions)) v.invalidParameter("regions", "an array of regions", regions);
  if (!v.isObject(criteria)) v.invalidParameter("criteria", "an object of [min, max] ranges by feature name", criteria);
  const checks: Array<[RegionField, number, number]> = [];
  for (const [key, range] of Object.entries(criteria)) {
    const field = fieldName("a criteria key", key);
    const name = `criteria.${key}`;
    if (!Array.isArray(range) || range.length !== 2) v.invalidParameter(name, "a [min, max] pair", range);
    const lo = v.number(`${name}[0]`, range[0]);
    const hi = v.number(`${name}[1]`, range[1]);
    if (lo > hi) v.invalidParameter(name, "min ≤ max", `${lo} > ${hi}`);
    requireField(regions, field);
    checks.push([field, lo, hi]);
  }
  return regions.filter((g) => checks.every(([f, lo, hi]) => (g[f] as number) >= lo && (g[f] as number) <= hi));
}

export interface SortOptions {
  /** The field to sort by (any {@link Region} name, e.g. "area", "cx", "circularity"). */
  by: RegionField;
  /** @default "ascending" */
  order?: "ascending" | "descending";
}

/**
 * Sorts regions by one field (stable, ties keep label order). Returns a new array.
 *
 * @example
 * const [biggest] = sortRegions(regions, { by: "area", order: "descending" });
 */
export function sortRegions(regions: readonly Region[], options: SortOptions): Region[] {
  if (!Array.isArray(regions)) v.invalidParameter("regions", "an array of regions", regions);
  const o = v.options("options", options, ["by", "order"]);
  const by = fieldName("options.by", o.by);
  const order = o.order === undefined ? "ascending" : v.oneOf("options.order", o.order, ["ascending", "descending"] as const);
  requireField(regions, by);
  const sign = order === "ascending" ? 1 : -1;
  return regions.slice().sort((a, b) => sign * ((a[by] as number) - (b[by] as number)));
}
