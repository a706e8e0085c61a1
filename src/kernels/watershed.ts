// Watershed (marker-controlled, as OpenCV's cv::watershed) and region growing (as
// skimage.segmentation.flood with a tolerance).
import type { Image, Mask } from "../core/image.js";
import { addressOf, inputPointer, outputTarget, scratch, typedOutputTarget, type WasmBuffer } from "../core/memory.js";
import { EdgesegError } from "../core/errors.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";
import { asMask, maskOut } from "./threshold.js";

type WatershedExports = {
  watershedDiffs(img: number, channels: number, step: number, n: number, dst: number): void;
  watershedPoolBlocks(n: number): number;
  watershedFlood(markers: number, mask: number, w: number, h: number, dh: number, dv: number, pool: number, blkNext: number, lab: number, grad: number): number;
  watershedGrads(dh: number, dv: number, w: number, n: number, dst: number): void;
  regionGrowFlood(
    img: number, w: number, h: number, seed: number, lo: number, hi: number, conn8: boolean,
    visited: number, stamp: number, stack: number, out: number, labels: boolean, label: number,
  ): number;
};
const k = () => kernels() as unknown as WatershedExports;

export interface WatershedOptions {
  /**
   * An Int32Array of width × height to write the labels into (zero-copy when it lives in WASM
   * memory). It may be `markers` itself to label in place, as OpenCV does.
   */
  out?: Int32Array;
}

function markersArray(name: string, markers: unknown, length: number): Int32Array {
  if (!(markers instanceof Int32Array) || markers.length !== length) {
    v.invalidParameter(name, `an Int32Array of length ${length} (width × height)`, markers);
  }
  return markers;
}

/**
 * Marker-controlled watershed, identical to OpenCV's `cv.watershed(img, markers)`: returns the
 * labels, with -1 on the boundaries between regions and on the image's one-pixel frame.
 *
 * `markers` holds a positive label on the seed pixels of each region and 0 elsewhere (negative
 * values count as 0). Every other pixel is flooded from the markers in order of the colour
 * difference between neighbouring pixels (the largest absolute difference over the channels, as
 * OpenCV computes it), with 256 FIFO queues (Meyer's algorithm). OpenCV takes a 3-channel image;
 * here gray images are accepted too (the same as OpenCV on the gray replicated to 3 channels),
 * and RGBA (alpha ignored). Channel order does not matter. `markers` is not modified unless it is
 * also `out`.
 *
 * @example
 * const labels = watershed(rgb, markers); // markers: Int32Array, 0 = unknown, 1..n = seeds
 */
export function watershed(img: Image, markers: Int32Array, options?: WatershedOptions): Int32Array {
  v.image("img", img, [1, 3, 4]);
  const { width: w, height: h, channels } = img;
  const n = w * h;
  markersArray("markers", markers, n);
  const o = v.options("options", options, ["out"]);
  const out = o.out === undefined ? undefined : v.outArray("options.out", o.out, Int32Array, n);
  // Addresses of caller arrays that live in WASM memory, taken before any allocation here can
  // grow memory (which detaches their views but keeps the data where it is).
  const markersAddr = addressOf(markers);
  const outAddr = out ? addressOf(out) : -1;
  const kx = k();
  const dh = scratch("watershed.dh", n + 16);
  const dv = scratch("watershed.dv", n + 16);
  const blocks = kx.watershedPoolBlocks(n);
  const pool = scratch("watershed.pool", blocks * 256 * 4);
  const blkNext = scratch("watershed.blocks", blocks * 4);
  const lab = scratch("watershed.lab", n);
  const grad = scratch("watershed.grad", n * 4 + 64);
  const staged = outAddr >= 0 ? null : scratch("watershed.out", n * 4);
  const src = inputPointer(img, "watershed.in");
  const dst = outAddr >= 0 ? outAddr : staged!.ptr;
  const memory = kernels().memory;
  // Markers already in WASM memory are read in place (the kernel copies them row by row);
  // others are copied into the output first.
  if (markersAddr < 0) new Int32Array(memory.buffer, dst, n).set(markers);
  if (n > 1) kx.watershedDiffs(src, channels, 1, n - 1, dh.ptr);
  if (h > 1) kx.watershedDiffs(src, channels, w, n - w, dv.ptr);
  if (h > 2 && w > 1) kx.watershedGrads(dh.ptr, dv.ptr, w, n, grad.ptr);
  kx.watershedFlood(markersAddr >= 0 ? markersAddr : dst, dst, w, h, dh.ptr, dv.ptr, pool.ptr, blkNext.ptr, lab.ptr, grad.ptr);
  if (outAddr >= 0) return out!.byteLength === n * 4 ? out! : new Int32Array(memory.buffer, outAddr, n);
  const result = new Int32Array(memory.buffer, dst, n);
  if (out) {
    out.set(result);
    return out;
  }
  return result.slice();
}

/** A seed list: `[x, y]` pairs, or a flat array of x, y. */
export type Seeds = ReadonlyArray<readonly [number, number]> | Int32Array | ReadonlyArray<number>;

export interface RegionGrowOptions {
  /** Pixels whose value differs from the seed's by at most this much join the region (≥ 0). */
  tolerance: number;
  /** 4 (edge neighbours) or 8 (edge and corner neighbours, scikit-image's default). @default 8 */
  connectivity?: 4 | 8;
}

export interface RegionGrowMaskOptions extends RegionGrowOptions {
  /** A caller-owned 1-channel image of the input's size to write the mask into. */
  out?: Image;
}

export interface RegionGrowLabelsOptions extends RegionGrowOptions {
  /** An Int32Array of width × height to write the labels into. */
  out?: Int32Array;
}

function seedIndices(seeds: Seeds, w: number, h: number): number[] {
  const flat: number[] = [];
  if (seeds instanceof Int32Array || (Array.isArray(seeds) && seeds.length > 0 && typeof seeds[0] === "number")) {
    const a = seeds as ArrayLike<number>;
    if (a.length % 2 !== 0) v.invalidParameter("seeds", "x, y pairs (an even length)", seeds);
    for (let i = 0; i < a.length; i++) flat.push(a[i]!);
  } else if (Array.isArray(seeds)) {
    seeds.forEach((s, i) => {
      if (!Array.isArray(s) || s.length !== 2) v.invalidParameter(`seeds[${i}]`, "an [x, y] pair", s);
      flat.push(s[0], s[1]);
    });
  } else v.invalidParameter("seeds", "an array of [x, y] pairs or an Int32Array of x, y", seeds);
  if (flat.length === 0) v.invalidParameter("seeds", "at least one seed", seeds);
  const out: number[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const x = flat[i]!;
    const y = flat[i + 1]!;
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= w || y >= h) {
      throw new EdgesegError("INVALID_ARGUMENT", `Expected integer coordinates inside the ${w}×${h} image for seeds[${i / 2}] but received [${x}, ${y}]`);
    }
    out.push(y * w + x);
  }
  return out;
}

function growOptions(o: Partial<RegionGrowOptions>): { tolerance: number; conn8: boolean } {
  if (o.tolerance === undefined) v.invalidParameter("options.tolerance", "a number ≥ 0", o.tolerance);
  const tolerance = v.number("options.tolerance", o.tolerance, 0);
  const connectivity = o.connectivity === undefined ? 8 : v.oneOf("options.connectivity", o.connectivity, [4, 8] as const);
  return { tolerance, conn8: connectivity === 8 };
}

// Flood stamps: each flood marks the pixels it reached with a new stamp (1..255), so the byte
// buffer is cleared only when it is (re)allocated or after 255 floods.
let visitedBuf: WasmBuffer | null = null;
let stamp = 0;

interface FloodSetup {
  indices: number[];
  src: number;
  visited: WasmBuffer;
  stack: WasmBuffer;
}

/** Validates the seeds and allocates everything before the output is staged (allocation can grow memory). */
function floodSetup(img: Image, seeds: Seeds): FloodSetup {
  const { width: w, height: h } = img;
  const n = w * h;
  const indices = seedIndices(seeds, w, h);
  const visited = scratch("regionGrow.visited", n);
  const stack = scratch("regionGrow.stack", n * 4);
  if (visited !== visitedBuf) {
    visited.u8.fill(0);
    visitedBuf = visited;
    stamp = 0;
  }
  return { indices, src: inputPointer(img, "regionGrow.in"), visited, stack };
}

function runFloods(img: Image, setup: FloodSetup, tolerance: number, conn8: boolean, out: number, labels: boolean): void {
  const { width: w, height: h } = img;
  const n = w * h;
  const { indices, src, visited, stack } = setup;
  const kx = k();
  const pixels = new Uint8Array(kernels().memory.buffer, src, n);
  indices.forEach((seed, i) => {
    const value = pixels[seed]!;
    // scikit-image passes seed ± tolerance to its uint8 flood as uint8, truncating both bounds.
    const lo = Math.max(0, Math.floor(value - tolerance));
    const hi = Math.min(255, Math.floor(value + tolerance));
    if (stamp === 255) {
      visited.u8.fill(0);
      stamp = 0;
    }
    kx.regionGrowFlood(src, w, h, seed, lo, hi, conn8, visited.ptr, ++stamp, stack.ptr, out, labels, i + 1);
  });
}

/**
 * Region growing: the pixels connected to any seed through pixels whose value is within
 * `tolerance` of that seed's value (inclusive), as a 0/255 mask — the union over the seeds of
 * scikit-image's `flood(img, seed, tolerance=..., connectivity=1 | 2)`. Each seed's region is
 * measured against its own seed value. Gray images only. A fractional tolerance is applied as
 * scikit-image applies it to 8-bit images: both bounds are truncated, so a pixel joins when
 * floor(seed − tolerance) ≤ value ≤ floor(seed + tolerance).
 *
 * @example
 * const mask = regionGrow(gray, [[120, 80], [300, 200]], { tolerance: 12, connectivity: 8 });
 */
export function regionGrow(img: Image, seeds: Seeds, options: RegionGrowMaskOptions): Mask {
  v.image("img", img, [1]);
  const o = v.options("options", options, ["tolerance", "connectivity", "out"]);
  const { tolerance, conn8 } = growOptions(o);
  maskOut("options.out", img, o.out);
  const n = img.width * img.height;
  const setup = floodSetup(img, seeds);
  // Read out's pixels only now: the setup may have grown memory (a WasmImage gives a fresh view).
  const dst = outputTarget(n, o.out?.data, "regionGrow.out");
  new Uint8Array(kernels().memory.buffer, dst.ptr, n).fill(0);
  runFloods(img, setup, tolerance, conn8, dst.ptr, false);
  return asMask(img, dst.finish());
}

/**
 * Like {@link regionGrow} but labels each seed's region: pixel = 1 + the index of the first seed
 * (in the given order) whose region contains it, 0 for pixels no region reaches.
 *
 * @example
 * const labels = regionGrowLabels(gray, new Int32Array([120, 80, 300, 200]), { tolerance: 12 });
 */
export function regionGrowLabels(img: Image, seeds: Seeds, options: RegionGrowLabelsOptions): Int32Array {
  v.image("img", img, [1]);
  const o = v.options("options", options, ["tolerance", "connectivity", "out"]);
  const { tolerance, conn8 } = growOptions(o);
  const n = img.width * img.height;
  const out = o.out === undefined ? undefined : v.outArray("options.out", o.out, Int32Array, n);
  const setup = floodSetup(img, seeds);
  const dst = typedOutputTarget(Int32Array, n, out, "regionGrow.labels");
  new Int32Array(kernels().memory.buffer, dst.ptr, n).fill(0);
  runFloods(img, setup, tolerance, conn8, dst.ptr, true);
  return dst.finish();
}
