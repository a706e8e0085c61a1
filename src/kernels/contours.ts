// Contours of a mask: OpenCV's findContours (Suzuki–Abe border following) and contourArea.
import type { Image } from "../core/image.js";
import { inputPointer, scratch } from "../core/memory.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";

type ContourExports = {
  CONTOUR_WORK_SLACK: WebAssembly.Global;
  contoursPrepare(src: number, w: number, h: number, work: number): void;
  findContoursScan(
    work: number, w: number, h: number, mode: number, simple: boolean,
    pts: number, ptsCap: number, info: number, infoCap: number, ids: number, counts: number,
  ): number;
  contoursGather(pts: number, info: number, order: number, n: number, dst: number, offsets: number): void;
};
const k = () => kernels() as unknown as ContourExports;

/** Which borders to return: `"external"` = RETR_EXTERNAL, `"all"` = RETR_CCOMP (outer borders and their holes). */
export type ContourMode = "external" | "all";
/** `"none"` = every border pixel (CHAIN_APPROX_NONE); `"simple"` = only where the direction changes (CHAIN_APPROX_SIMPLE). */
export type ContourApproximation = "none" | "simple";

export interface FindContoursOptions {
  /** @default "external" */
  mode?: ContourMode;
  /** @default "none" */
  approximation?: ContourApproximation;
}

/** One border of a mask region. */
export interface Contour {
  /** Pixel coordinates as (x, y) pairs, in OpenCV's order (outer borders counter-clockwise on screen). A view into the result's `points`. */
  points: Int32Array;
  /** True for the border of a hole (mode "all" only). */
  isHole: boolean;
  /** Index (in `contours`) of the outer border around this hole, or -1 for outer borders. */
  parent: number;
}

/**
 * The borders found, in exactly the order cv.findContours returns them. The flat arrays are
 * the primary form (one allocation each, cheap with thousands of contours); `contours` gives one
 * object per border and is built on first access.
 */
export interface ContoursResult {
  /** Number of contours. */
  readonly count: number;
  /** Every contour's (x, y) pairs, contour after contour. */
  readonly points: Int32Array;
  /** `count + 1` point indices: contour i is points `offsets[i]` to `offsets[i + 1]` (pairs, so ×2 into `points`). */
  readonly offsets: Int32Array;
  /** 1 for hole borders. */
  readonly isHole: Uint8Array;
  /** Index of the enclosing outer border for holes, -1 for outer borders. */
  readonly parent: Int32Array;
  /**
   * OpenCV's hierarchy, 4 entries per contour: next sibling, previous sibling, first child, parent
   * (indices into the contours, -1 when absent).
   */
  readonly hierarchy: Int32Array;
  /** One object per contour (views into `points`), built on first access. */
  readonly contours: Contour[];
}

class Contours implements ContoursResult {
  private built: Contour[] | null = null;
  constructor(
    readonly count: number,
    readonly points: Int32Array,
    readonly offsets: Int32Array,
    readonly isHole: Uint8Array,
    readonly parent: Int32Array,
    readonly hierarchy: Int32Array,
  ) {}

  get contours(): Contour[] {
    if (this.built) return this.built;
    const list: Contour[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) {
      list[i] = {
        points: this.points.subarray(this.offsets[i]! * 2, this.offsets[i + 1]! * 2),
        isHole: this.isHole[i] !== 0,
        parent: this.parent[i]!,
      };
    }
    this.built = list;
    return list;
  }
}

const MODES = ["external", "all"] as const;
const APPROX = ["none", "simple"] as const;

// Grow-only capacities (points, contours) reached so far: a later call on a similar frame
// never re-runs the scan.
let ptsCap = 0;
let infoCap = 0;

/**
 * Finds the borders of the foreground regions of a mask (nonzero = foreground, 8-connected),
 * returning the same point lists, in the same order and with the same hierarchy, as OpenCV's
 * `findContours(mask, RETR_EXTERNAL | RETR_CCOMP, CHAIN_APPROX_NONE | CHAIN_APPROX_SIMPLE)`.
 *
 * - `mode: "external"`: only the outer border of each region not inside a hole of another one —
 *   the outline of each blob, what an application draws or sends instead of the mask.
 * - `mode: "all"`: every outer border and every hole border; a hole's `parent` is the outer
 *   border of the region around it (OpenCV's two-level RETR_CCOMP hierarchy; regions inside holes
 *   are top-level outer borders again).
 *
 * @example
 * const found = findContours(mask, { mode: "external", approximation: "simple" });
 * for (const c of found.contours) console.log(c.points.length / 2, contourArea(c.points));
 */
export function findContours(mask: Image, options?: FindContoursOptions): ContoursResult {
  v.image("mask", mask, [1]);
  const o = v.options("options", options, ["mode", "approximation"]);
  const mode = o.mode === undefined ? "external" : v.oneOf("options.mode", o.mode, MODES);
  const approximation = o.approximation === undefined ? "none" : v.oneOf("options.approximation", o.approximation, APPROX);
  const { width: w, height: h } = mask;
  const all = mode === "all";
  const simple = approximation === "simple";
  const kx = k();
  const workBytes = (w + 2) * (h + 2) + (kx.CONTOUR_WORK_SLACK.value as number);
  const src = inputPointer(mask, "contours.in");
  const work = scratch("contours.work", workBytes);
  const ids = all ? scratch("contours.ids", (w + 2) * (h + 2) * 4) : work;
  const counts = scratch("contours.counts", 16);
  // First guesses for the output sizes; grown (once) from the totals the scan reports.
  ptsCap = Math.max(ptsCap, 1024, Math.min(w * h, (w + h) * 8));
  infoCap = Math.max(infoCap, 256);
  let n = 0;
  let total = 0;
  for (;;) {
    const pts = scratch("contours.points", ptsCap * 8);
    const info = scratch("contours.info", infoCap * 16);
    kx.contoursPrepare(src, w, h, work.ptr);
    n = kx.findContoursScan(work.ptr, w, h, all ? 1 : 0, simple, pts.ptr, ptsCap, info.ptr, infoCap, ids.ptr, counts.ptr);
    total = counts.view(Int32Array)[0]!;
    if (n <= infoCap && total <= ptsCap) break;
    ptsCap = Math.max(ptsCap, Math.ceil(total * 1.25));
    infoCap = Math.max(infoCap, Math.ceil(n * 1.25));
  }
  // Output order and hierarchy (scratch first: the views below must not see memory grow).
  const orderBuf = scratch("contours.order", n * 4 + 16);
  const offsetsBuf = scratch("contours.offsets", n * 4 + 16);
  const sorted = scratch("contours.sorted", total * 8 + 16);
  const info = scratch("contours.info", 0).view(Int32Array);
  const order = orderBuf.view(Int32Array);
  const isHole = new Uint8Array(n);
  const parent = new Int32Array(n).fill(-1);
  const hierarchy = new Int32Array(n * 4).fill(-1);
  orderContours(info, n, all, order, isHole, parent, hierarchy);
  kx.contoursGather(scratch("contours.points", 0).ptr, scratch("contours.info", 0).ptr, orderBuf.ptr, n, sorted.ptr, offsetsBuf.ptr);
  const points = sorted.view(Int32Array).slice(0, total * 2);
  const offsets = offsetsBuf.view(Int32Array).slice(0, n + 1);
  return new Contours(n, points, offsets, isHole, parent, hierarchy);
}

/**
 * Orders contours like OpenCV: cvFindContours inserts every new contour at the head of its
 * parent's child list, and findContours lists the tree depth first. So outer borders come in
 * reverse discovery order, each followed by its holes in reverse discovery order.
 * `info` holds 4 i32 per discovered contour: first point, count, isHole, parent (discovery index).
 */
function orderContours(
  info: Int32Array, n: number, all: boolean,
  order: Int32Array, isHole: Uint8Array, parent: Int32Array, hierarchy: Int32Array,
): void {
  if (!all) {
    for (let i = 0; i < n; i++) {
      order[i] = n - 1 - i;
      hierarchy[i * 4] = i + 1 < n ? i + 1 : -1;
      hierarchy[i * 4 + 1] = i - 1;
    }
    return;
  }
  // Children lists in reverse discovery order (head insertion), as linked lists.
  const firstChild = new Int32Array(n).fill(-1);
  const nextSibling = new Int32Array(n).fill(-1);
  for (let d = 0; d < n; d++) {
    const p = info[d * 4 + 3]!;
    if (p >= 0) {
      nextSibling[d] = firstChild[p]!;
      firstChild[p] = d;
    }
  }
  let o = 0;
  let prevTop = -1;
  for (let d = n - 1; d >= 0; d--) {
    if (info[d * 4 + 2] !== 0) continue;
    const top = o++;
    order[top] = d;
    if (prevTop >= 0) {
      hierarchy[prevTop * 4] = top;
      hierarchy[top * 4 + 1] = prevTop;
    }
    prevTop = top;
    let prevChild = -1;
    for (let c = firstChild[d]!; c >= 0; c = nextSibling[c]!) {
      const i = o++;
      order[i] = c;
      isHole[i] = 1;
      parent[i] = top;
      hierarchy[i * 4 + 3] = top;
      if (prevChild >= 0) {
        hierarchy[prevChild * 4] = i;
        hierarchy[i * 4 + 1] = prevChild;
      } else hierarchy[top * 4 + 2] = i;
      prevChild = i;
    }
  }
}

export interface ContourAreaOptions {
  /**
   * Return the signed area, like OpenCV's `oriented=true`: negative for polygons that run
   * counter-clockwise on screen (y down), as findContours' outer borders do. @default false
   */
  oriented?: boolean;
}

/**
 * Area enclosed by a polygon of (x, y) pairs (the shoelace formula), identical to OpenCV's
 * `contourArea`. Pixel centres are the vertices, so a contour's area is smaller than its pixel count.
 *
 * @example
 * const area = contourArea(findContours(mask).contours[0].points);
 */
export function contourArea(points: ArrayLike<number>, options?: ContourAreaOptions): number {
  if (points === null || typeof points !== "object" || typeof points.length !== "number" || points.length % 2 !== 0) {
    v.invalidParameter("points", "an array of (x, y) pairs of even length", points);
  }
  const o = v.options("options", options, ["oriented"]);
  const oriented = o.oriented === undefined ? false : v.boolean("options.oriented", o.oriented);
  const n = points.length / 2;
  if (n < 3) return 0;
  let px = points[(n - 1) * 2]!;
  let py = points[(n - 1) * 2 + 1]!;
  let a = 0;
  for (let i = 0; i < n; i++) {
    const x = points[i * 2]!;
    const y = points[i * 2 + 1]!;
    a += px * y - py * x;
    px = x;
    py = y;
  }
  a *= 0.5;
  return oriented ? a : Math.abs(a);
}
