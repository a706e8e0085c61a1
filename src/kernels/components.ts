// Connected components with OpenCV's statistics, blob features on request, hole filling and
// region masks. Kernels: assembly/components.ts (run-based labelling, see its header).
//
// Mask rule everywhere in this file: any nonzero byte is foreground, 0 is background.
// Scratch (grow-only, so steady-state calls allocate nothing in WASM memory): the runs, their
// union-find parents/labels and the row index are sized for the frame (h × ceil(w/2) runs at most);
// per-label accumulators are sized by the label count after the scan.
import { EdgesegError } from "../core/errors.js";
import type { Image, Mask } from "../core/image.js";
import { inputPointer, outputTarget, scratch, typedOutputTarget, type WasmBuffer, wasmMemory } from "../core/memory.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";
import { convexFeatures, FEATURE_NAMES, type FeatureName, type Region } from "./regions.js";
import { asMask, maskOut } from "./threshold.js";

export type { FeatureName, Region } from "./regions.js";

type ComponentExports = {
  ccScan(mask: number, w: number, h: number, conn8: boolean, invert: boolean, runs: number, parent: number, rowStart: number): number;
  ccResolve(parent: number, n: number): number;
  ccLabelsStats(w: number, h: number, runs: number, labels: number, rowStart: number, out: number, stats: number, centroids: number): void;
  ccAreas(runs: number, labels: number, n: number, count: number, areas: number): void;
  ccKeepMask(w: number, h: number, runs: number, labels: number, rowStart: number, keep: number, out: number, invertRuns: boolean): void;
  ccBorderFlags(w: number, h: number, runs: number, labels: number, rowStart: number, count: number, flags: number): void;
  ccMoments(h: number, runs: number, labels: number, rowStart: number, count: number, stats: number, sums: number): void;
  ccPerimeterEuler(w: number, h: number, img: number, runs: number, labels: number, rowStart: number, count: number, border: number, perimeter: number, euler: number): void;
  ccIntensity(w: number, h: number, gray: number, runs: number, labels: number, rowStart: number, count: number, sums: number, minmax: number): void;
};
const k = () => kernels() as unknown as ComponentExports;

/** Pixel connectivity: 4 (edge neighbours) or 8 (edge and corner neighbours). */
export type Connectivity = 4 | 8;

export interface ConnectedComponentsOptions {
  /** Which neighbours join foreground pixels into one component. @default 8 */
  connectivity?: Connectivity;
  /**
   * A caller-owned `Int32Array` of `width × height` to write the labels into. When it is a view of
   * WASM memory (e.g. `new WasmBuffer(n * 4).view(Int32Array)`) nothing is copied; without it every
   * call allocates a new array.
   */
  labels?: Int32Array;
  /** Blob features to compute per region (see {@link Region}), or `"all"`. @default none */
  features?: readonly FeatureName[] | "all";
  /** A gray image of the mask's size, for `meanIntensity`, `minIntensity` and `maxIntensity`. */
  image?: Image;
}

export interface ComponentsResult {
  /** Number of foreground components; labels are 1..count. */
  count: number;
  /** Label per pixel, row-major: 0 = background, components 1..count in raster order of their first pixel. */
  labels: Int32Array;
  /** One plain object per component, `regions[i].label === i + 1`. These are the only per-call JS allocations besides `labels`. */
  regions: Region[];
}

const INTENSITY: readonly FeatureName[] = ["meanIntensity", "minIntensity", "maxIntensity"];

/** The runs of the last scan, in WASM scratch. */
interface Runs {
  w: number;
  h: number;
  n: number;
  count: number;
  runs: WasmBuffer;
  labels: WasmBuffer;
  rows: WasmBuffer;
}

/**
 * A caller's view of WASM memory is detached when memory grows during the call (first call at a
 * new frame size); return a live view of the same bytes instead of an empty array.
 */
function reattach<T extends Int32Array | Uint8Array>(view: T, ptr: number, length: number, ctor: { new (b: ArrayBuffer, o: number, n: number): T }): T {
  return view.length === length ? view : new ctor(wasmMemory().buffer, ptr, length);
}

/** Scans and labels the runs of `mask` (or of its zero pixels when `invert`). */
function labelRuns(mask: Image, connectivity: Connectivity, invert: boolean): Runs {
  const { width: w, height: h } = mask;
  const src = inputPointer(mask, "cc.in");
  const maxRuns = h * ((w + 1) >> 1);
  const runs = scratch("cc.runs", maxRuns * 4);
  const labels = scratch("cc.parent", maxRuns * 4);
  const rows = scratch("cc.rows", (h + 1) * 4);
  const n = k().ccScan(src, w, h, connectivity === 8, invert, runs.ptr, labels.ptr, rows.ptr);
  const count = k().ccResolve(labels.ptr, n);
  return { w, h, n, count, runs, labels, rows };
}

function connectivityOption(value: unknown): Connectivity {
  return value === undefined ? 8 : v.oneOf("options.connectivity", value, [4, 8] as const);
}

function featureList(value: unknown, hasImage: boolean): FeatureName[] {
  if (value === undefined) return [];
  if (value === "all") return FEATURE_NAMES.filter((f) => hasImage || !INTENSITY.includes(f));
  if (!Array.isArray(value)) v.invalidParameter("options.features", 'an array of feature names or "all"', value);
  value.forEach((f, i) => v.oneOf(`options.features[${i}]`, f, FEATURE_NAMES));
  const list = value as FeatureName[];
  const needsImage = list.find((f) => INTENSITY.includes(f));
  if (needsImage && !hasImage) {
    throw new EdgesegError("INVALID_ARGUMENT", `Expected options.image (a gray image of the mask's size) for feature "${needsImage}" but received undefined`);
  }
  return list;
}

/**
 * Labels the connected components of a mask (nonzero = foreground) and measures each one.
 *
 * Labels: background 0, components 1..count numbered in raster order of their first pixel
 * (scikit-image's `label` order; OpenCV numbers 8-connected components differently but finds the
 * same pixel sets). Per region exactly what OpenCV's `connectedComponentsWithStats` gives: `area`,
 * bounding box `x, y, width, height` and centroid `cx, cy` — gathered while the labels are written,
 * in one pass over the frame after a run-based scan. Blob features (perimeter, orientation, axes,
 * convex area, holes, Feret diameter, intensity…) are computed only when listed in `features`;
 * see {@link Region} for their definitions.
 *
 * @example
 * const { count, labels, regions } = connectedComponents(mask, { connectivity: 8 });
 * const big = regions.filter((r) => r.area > 500);
 * const { regions: blobs } = connectedComponents(mask, { features: ["perimeter", "circularity"] });
 */
export function connectedComponents(mask: Image, options?: ConnectedComponentsOptions): ComponentsResult {
  v.image("mask", mask, [1]);
  const o = v.options("options", options, ["connectivity", "labels", "features", "image"]);
  const connectivity = connectivityOption(o.connectivity);
  const { width: w, height: h } = mask;
  const labelsOut = o.labels === undefined ? undefined : v.outArray("options.labels", o.labels, Int32Array, w * h);
  if (o.image !== undefined) {
    v.image("options.image", o.image, [1]);
    v.sameSize("mask", mask, "options.image", o.image);
  }
  const features = featureList(o.features, o.image !== undefined);

  // Output address first: scratch growth below may detach a caller's view of WASM memory.
  const dst = typedOutputTarget(Int32Array, w * h, labelsOut, "cc.labels");
  const r = labelRuns(mask, connectivity, false);
  const stats = scratch("cc.stats", (r.count + 1) * 20);
  const centroids = scratch("cc.centroids", (r.count + 1) * 16);
  k().ccLabelsStats(w, h, r.runs.ptr, r.labels.ptr, r.rows.ptr, dst.ptr, stats.ptr, centroids.ptr);

  const st = stats.view(Int32Array);
  const ce = centroids.view(Float64Array);
  const regions: Region[] = new Array(r.count);
  for (let L = 1; L <= r.count; L++) {
    const s = L * 5;
    regions[L - 1] = { label: L, area: st[s + 4]!, x: st[s]!, y: st[s + 1]!, width: st[s + 2]!, height: st[s + 3]!, cx: ce[L * 2]!, cy: ce[L * 2 + 1]! };
  }
  if (features.length > 0) addFeatures(r, regions, features, stats.ptr, dst.ptr, o.image);
  return { count: r.count, labels: reattach(dst.finish(), dst.ptr, w * h, Int32Array), regions };
}

/** Computes the requested features into the region objects. */
function addFeatures(r: Runs, regions: Region[], features: readonly FeatureName[], statsPtr: number, labelImage: number, image: Image | undefined): void {
  const want = new Set<FeatureName>(features);
  const has = (...names: FeatureName[]) => names.some((n) => want.has(n));
  const { w, h, count } = r;

  if (has("orientation", "majorAxisLength", "minorAxisLength", "eccentricity", "elongation")) {
    const sums = scratch("cc.moments", (count + 1) * 40);
    k().ccMoments(h, r.runs.ptr, r.labels.ptr, r.rows.ptr, count, statsPtr, sums.ptr);
    const m = sums.view(Float64Array);
    for (const region of regions) {
      const p = region.label * 5;
      const n = region.area;
      const sx = m[p]!, sy = m[p + 1]!;
      // scikit-image's inertia tensor [[a, b], [b, c]]: a = column variance, c = row variance, b = −covariance.
      const a = (m[p + 2]! - (sx * sx) / n) / n;
      const b = -(m[p + 3]! - (sx * sy) / n) / n;
      const c = (m[p + 4]! - (sy * sy) / n) / n;
      const half = Math.sqrt(((a - c) / 2) ** 2 + b * b);
      const l1 = Math.max(0, (a + c) / 2 + half);
      const l2 = Math.max(0, (a + c) / 2 - half);
      const major = 4 * Math.sqrt(l1);
      const minor = 4 * Math.sqrt(l2);
      // skimage's special case, kept as is (exact comparison) to give the same answers: a = c gives
      // ±π/4 by the sign of b (note: the opposite sign of the formula's limit).
      if (want.has("orientation")) region.orientation = a - c === 0 ? (b < 0 ? -Math.PI / 4 : Math.PI / 4) : 0.5 * Math.atan2(-2 * b, c - a);
      if (want.has("majorAxisLength")) region.majorAxisLength = major;
      if (want.has("minorAxisLength")) region.minorAxisLength = minor;
      if (want.has("eccentricity")) region.eccentricity = l1 === 0 ? 0 : Math.sqrt(1 - l2 / l1);
      if (want.has("elongation")) region.elongation = minor > 0 ? major / minor : major > 0 ? Infinity : 1;
    }
  }

  if (has("perimeter", "circularity", "eulerNumber", "holes")) {
    const border = scratch("cc.border", w * h);
    const perim = scratch("cc.perimeter", (count + 1) * 8);
    const euler = scratch("cc.euler", (count + 1) * 4);
    k().ccPerimeterEuler(w, h, labelImage, r.runs.ptr, r.labels.ptr, r.rows.ptr, count, border.ptr, perim.ptr, euler.ptr);
    const P = perim.view(Float64Array);
    const E = euler.view(Int32Array);
    for (const region of regions) {
      const p = P[region.label]!;
      if (want.has("perimeter")) region.perimeter = p;
      if (want.has("circularity")) region.circularity = p > 0 ? (4 * Math.PI * region.area) / (p * p) : 0;
      if (want.has("eulerNumber")) region.eulerNumber = E[region.label]!;
      if (want.has("holes")) region.holes = 1 - E[region.label]!;
    }
  }

  if (has("convexArea", "solidity", "feretDiameter")) {
    convexFeatures(
      r.runs.view(Uint32Array).subarray(0, r.n),
      r.labels.view(Int32Array).subarray(0, r.n),
      r.rows.view(Int32Array).subarray(0, h + 1),
      regions,
      want,
    );
  }

  if (image && has(...INTENSITY)) {
    const gray = inputPointer(image, "cc.gray");
    const sums = scratch("cc.isum", (count + 1) * 8);
    const minmax = scratch("cc.iminmax", (count + 1) * 8);
    k().ccIntensity(w, h, gray, r.runs.ptr, r.labels.ptr, r.rows.ptr, count, sums.ptr, minmax.ptr);
    const S = sums.view(Float64Array);
    const M = minmax.view(Int32Array);
    for (const region of regions) {
      const L = region.label;
      if (want.has("meanIntensity")) region.meanIntensity = S[L]! / region.area;
      if (want.has("minIntensity")) region.minIntensity = M[L * 2]!;
      if (want.has("maxIntensity")) region.maxIntensity = M[L * 2 + 1]!;
    }
  }
}

/** Options of the kernels that turn a mask into another 0/255 mask. */
export interface RegionMaskOptions {
  /** Which neighbours join foreground pixels into one component. @default 8 */
  connectivity?: Connectivity;
  /** A caller-owned 1-channel image of the input's size to write into (zero-copy if it is a `WasmImage`). */
  out?: Image;
}

export interface RemoveSmallRegionsOptions extends RegionMaskOptions {
  /** Components with fewer pixels than this are removed (scikit-image's `remove_small_objects(min_size)`). */
  minArea: number;
}

/** Writes the foreground runs whose label passes `keep` as a 0/255 mask. */
function keepMask(mask: Image, r: Runs, keep: (areas: Int32Array, flags: Uint8Array) => void, dst: { ptr: number; finish(): Uint8Array }): Mask {
  const areas = scratch("cc.areas", (r.count + 1) * 4);
  const flags = scratch("cc.keep", r.count + 1);
  k().ccAreas(r.runs.ptr, r.labels.ptr, r.n, r.count, areas.ptr);
  keep(areas.view(Int32Array), flags.u8);
  k().ccKeepMask(r.w, r.h, r.runs.ptr, r.labels.ptr, r.rows.ptr, flags.ptr, dst.ptr, false);
  return asMask(mask, reattach(dst.finish(), dst.ptr, r.w * r.h, Uint8Array));
}

/**
 * Removes the components smaller than `minArea` pixels (nonzero = foreground); the result is a
 * 0/255 mask. Same as scikit-image's `remove_small_objects(mask, min_size=minArea, connectivity)`.
 *
 * @example
 * const clean = removeSmallRegions(mask, { minArea: 50, connectivity: 8 });
 */
export function removeSmallRegions(mask: Image, options: RemoveSmallRegionsOptions): Mask {
  v.image("mask", mask, [1]);
  const o = v.options("options", options, ["minArea", "connectivity", "out"]);
  const minArea = v.number("options.minArea", o.minArea, 0);
  const connectivity = connectivityOption(o.connectivity);
  const dst = outputTarget(mask.width * mask.height, maskOut("options.out", mask, o.out)?.data, "cc.mask");
  const r = labelRuns(mask, connectivity, false);
  return keepMask(mask, r, (areas, flags) => {
    for (let L = 1; L <= r.count; L++) flags[L] = areas[L]! >= minArea ? 1 : 0;
  }, dst);
}

/**
 * Keeps only the largest component (the first in raster order on ties) as a 0/255 mask; an empty
 * mask gives an empty mask.
 *
 * @example
 * const part = largestRegion(mask, { connectivity: 8 });
 */
export function largestRegion(mask: Image, options?: RegionMaskOptions): Mask {
  v.image("mask", mask, [1]);
  const o = v.options("options", options, ["connectivity", "out"]);
  const connectivity = connectivityOption(o.connectivity);
  const dst = outputTarget(mask.width * mask.height, maskOut("options.out", mask, o.out)?.data, "cc.mask");
  const r = labelRuns(mask, connectivity, false);
  return keepMask(mask, r, (areas, flags) => {
    let best = 0;
    for (let L = 1; L <= r.count; L++) {
      flags[L] = 0;
      if (best === 0 || areas[L]! > areas[best]!) best = L;
    }
    if (best > 0) flags[best] = 1;
  }, dst);
}

export interface FillHolesOptions {
  /** A caller-owned 1-channel image of the input's size to write into (zero-copy if it is a `WasmImage`). */
  out?: Image;
}

/**
 * Fills the holes of a mask (nonzero = foreground): background pixels that are not 4-connected to
 * the image border become foreground. Identical to `scipy.ndimage.binary_fill_holes` with its
 * default (cross-shaped) structure; the result is a 0/255 mask.
 *
 * @example
 * const solid = fillHoles(mask);
 */
export function fillHoles(mask: Image, options?: FillHolesOptions): Mask {
  v.image("mask", mask, [1]);
  const o = v.options("options", options, ["out"]);
  const dst = outputTarget(mask.width * mask.height, maskOut("options.out", mask, o.out)?.data, "cc.mask");
  // Background components under scipy's cross structure; those touching the border stay background.
  const r = labelRuns(mask, 4, true);
  const flags = scratch("cc.keep", r.count + 1);
  k().ccBorderFlags(r.w, r.h, r.runs.ptr, r.labels.ptr, r.rows.ptr, r.count, flags.ptr);
  k().ccKeepMask(r.w, r.h, r.runs.ptr, r.labels.ptr, r.rows.ptr, flags.ptr, dst.ptr, true);
  return asMask(mask, reattach(dst.finish(), dst.ptr, r.w * r.h, Uint8Array));
}
