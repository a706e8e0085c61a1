import { describe, expect, it } from "vitest";
import {
  allocImage,
  distanceTransform,
  EdgesegError,
  type Image,
  memoryStats,
  NO_TARGET_DISTANCE,
  NO_TARGET_SQUARED_DISTANCE,
  squaredDistanceTransform,
  WasmBuffer,
} from "../../src/index.js";
import { countMismatches, expectSameArray } from "../helpers/compare.js";
import { loadArray, loadImage, loadManifest } from "../helpers/fixtures.js";
import { LARGE_SIZES, PROPERTY_SIZES, randomMask, rng } from "../helpers/random.js";

/** Column distances (1-D, two sweeps) to the nearest target; Infinity when the column has none. */
function columnDistances(mask: Image, toForeground: boolean): Float64Array {
  const { width: w, height: h, data } = mask;
  const g = new Float64Array(w * h);
  for (let x = 0; x < w; x++) {
    let d = Infinity;
    for (let y = 0; y < h; y++) {
      d = (data[y * w + x] !== 0) === toForeground ? 0 : d + 1;
      g[y * w + x] = d;
    }
    d = Infinity;
    for (let y = h - 1; y >= 0; y--) {
      d = (data[y * w + x] !== 0) === toForeground ? 0 : d + 1;
      g[y * w + x] = Math.min(g[y * w + x]!, d);
    }
  }
  return g;
}

/**
 * Plain reference for the squared distances of the given rows: the minimum over every column p of the
 * row of (x - p)² + g(p)² (exact by construction, O(width²) per row). -1 marks "no target at all".
 */
function referenceRows(mask: Image, rows: number[], toForeground: boolean): Float64Array {
  const { width: w } = mask;
  const g = columnDistances(mask, toForeground);
  const out = new Float64Array(rows.length * w);
  rows.forEach((y, i) => {
    for (let x = 0; x < w; x++) {
      let best = Infinity;
      for (let p = 0; p < w; p++) best = Math.min(best, (x - p) ** 2 + g[y * w + p]! ** 2);
      out[i * w + x] = best === Infinity ? -1 : best;
    }
  });
  return out;
}

/** Brute force over every pair of pixels (small masks only): squared distances, -1 when no target. */
function bruteForce(mask: Image, toForeground: boolean): Float64Array {
  const { width: w, height: h, data } = mask;
  const targets: Array<[number, number]> = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((data[y * w + x] !== 0) === toForeground) targets.push([x, y]);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let best = Infinity;
      for (const [tx, ty] of targets) best = Math.min(best, (x - tx) ** 2 + (y - ty) ** 2);
      out[y * w + x] = best === Infinity ? -1 : best;
    }
  }
  return out;
}

/** The float32 distances the API promises for exact squared distances (sentinel when there is no target). */
function asDistances(d2: Float64Array): Float32Array {
  return Float32Array.from(d2, (v) => (v < 0 ? NO_TARGET_DISTANCE : Math.sqrt(v)));
}
function asSquared(d2: Float64Array): Int32Array {
  return Int32Array.from(d2, (v) => (v < 0 ? NO_TARGET_SQUARED_DISTANCE : v));
}

/** A mask with a few scattered targets: long runs and deep distances. */
function sparseMask(w: number, h: number, seed: number, targets: number): Image {
  const r = rng(seed);
  const data = new Uint8Array(w * h).fill(255);
  for (let i = 0; i < targets; i++) data[Math.floor(r() * w * h)] = 0;
  return { width: w, height: h, channels: 1, data };
}

function invert(mask: Image): Image {
  return { ...mask, data: mask.data.map((p) => (p === 0 ? 200 : 0)) };
}

describe("distanceTransform: golden fixtures from OpenCV DIST_MASK_PRECISE (scipy-checked)", () => {
  const cases = loadManifest("distance");
  it("has fixtures", () => expect(cases.length).toBeGreaterThanOrEqual(13));
  for (const c of cases.filter((c) => c.inputs.mask)) {
    it(c.name, async () => {
      const mask = await loadImage("distance", c.inputs.mask);
      const expected = loadArray("distance", c.expected.distance) as Float32Array;
      expectSameArray(distanceTransform(mask), expected, c.name, mask.width, 1e-3);
      // The exact squared distances are the integers OpenCV's floats are the roots of.
      const d2 = squaredDistanceTransform(mask);
      const bad = d2.filter((v, i) => (v === NO_TARGET_SQUARED_DISTANCE ? expected[i] !== NO_TARGET_DISTANCE : Math.abs(expected[i]! ** 2 - v) > 0.05)).length;
      expect(bad, `${c.name}: squared distances off`).toBe(0);
    });
  }

  const big = cases.find((c) => c.name === "fruits1920x1080_otsu")!;
  it(big.name, async () => {
    const img = await loadImage("distance", big.inputs.img);
    const t = big.params.otsuThreshold as number;
    const mask: Image = { ...img, data: img.data.map((p) => (p > t ? 255 : 0)) };
    const d = distanceTransform(mask);
    let fg = 0;
    let sum = 0;
    let max = 0;
    for (let i = 0; i < d.length; i++) {
      if (mask.data[i]) fg++;
      sum += d[i]!;
      max = Math.max(max, d[i]!);
    }
    expect(fg).toBe(big.expected.foreground);
    expect(Math.abs(sum - big.expected.sum) / big.expected.sum).toBeLessThan(1e-6);
    expect(max).toBeCloseTo(big.expected.max, 3);
    const rows = big.params.rows as number[];
    const expected = loadArray("distance", big.expected.rows) as Float32Array;
    const w = mask.width;
    const got = new Float32Array(rows.length * w);
    rows.forEach((y, i) => got.set(d.subarray(y * w, y * w + w), i * w));
    expectSameArray(got, expected, "sampled rows", w, 1e-3);
  });
});

describe("distanceTransform: property tests against plain references", () => {
  for (const [w, h] of PROPERTY_SIZES) {
    it(`${w}×${h}: random blob masks, both targets, exact`, () => {
      const masks = [0.2, 0.5, 0.85].map((density, i) => randomMask(w, h, w * 131 + h * 7 + i, density));
      masks.push(sparseMask(w, h, w + h, 3));
      for (const [i, mask] of masks.entries()) {
        for (const to of ["background", "foreground"] as const) {
          const toFg = to === "foreground";
          if (w * h <= 4096) {
            const ref = bruteForce(mask, toFg);
            expectSameArray(squaredDistanceTransform(mask, { to }), asSquared(ref), `mask ${i} to=${to} squared`, w);
            expectSameArray(distanceTransform(mask, { to }), asDistances(ref), `mask ${i} to=${to}`, w);
          } else {
            // Large: every 9th row (plus the borders) against the O(width²)-per-row reference.
            const rows = Array.from({ length: h }, (_, y) => y).filter((y) => y % 9 === 0 || y === h - 1);
            const ref = referenceRows(mask, rows, toFg);
            const pick = <T extends Int32Array | Float32Array>(all: T, into: T) => (rows.forEach((y, r) => into.set(all.subarray(y * w, y * w + w), r * w)), into);
            expectSameArray(pick(squaredDistanceTransform(mask, { to }), new Int32Array(rows.length * w)), asSquared(ref), `mask ${i} to=${to} squared`, w);
            expectSameArray(pick(distanceTransform(mask, { to }), new Float32Array(rows.length * w)), asDistances(ref), `mask ${i} to=${to}`, w);
          }
        }
      }
    });
  }

  for (const [w, h] of LARGE_SIZES) {
    it(`${w}×${h}: sampled rows against the reference`, () => {
      // Sparse random targets (cheap to make at 4K) ...
      const mask = sparseMask(w, h, 77 + w, (w * h) / 2000);
      // A few long horizontal and vertical bands make deep distances and runs across the frame.
      for (let x = 0; x < w; x++) for (let y = 100; y < 140; y++) mask.data[y * w + x] = 255;
      const rows = [0, 1, 120, Math.floor(h / 2), h - 2, h - 1];
      const d2 = squaredDistanceTransform(mask);
      const got = new Int32Array(rows.length * w);
      rows.forEach((y, i) => got.set(d2.subarray(y * w, y * w + w), i * w));
      expectSameArray(got, asSquared(referenceRows(mask, rows, false)), "rows", w);
    });
  }

  it("a single target in a huge field: distances up to the far corner", () => {
    const w = 1500;
    const h = 900;
    const mask = sparseMask(w, h, 0, 0);
    mask.data[h * w - 1] = 0; // bottom-right corner
    mask.data[7 * w + 3] = 0; // and one near the top-left: every other column has no target at all
    const d2 = squaredDistanceTransform(mask);
    const rows = [0, 7, 450, h - 1];
    const got = new Int32Array(rows.length * w);
    rows.forEach((y, i) => got.set(d2.subarray(y * w, y * w + w), i * w));
    expectSameArray(got, asSquared(referenceRows(mask, rows, false)), "rows", w);
    mask.data[7 * w + 3] = 255;
    d2.set(squaredDistanceTransform(mask));
    expect(d2[0]).toBe((w - 1) ** 2 + (h - 1) ** 2);
    expect(d2[(h - 1) * w]).toBe((w - 1) ** 2);
    expect(distanceTransform(mask)[0]).toBeCloseTo(Math.hypot(w - 1, h - 1), 3);
  });

  it("no target pixel: OpenCV's sentinel; no foreground: all zero", () => {
    const full = sparseMask(19, 7, 1, 0);
    expect(countMismatches(distanceTransform(full), new Float32Array(19 * 7).fill(NO_TARGET_DISTANCE))).toBe(0);
    expect(countMismatches(squaredDistanceTransform(full), new Int32Array(19 * 7).fill(NO_TARGET_SQUARED_DISTANCE))).toBe(0);
    const empty = { ...full, data: new Uint8Array(19 * 7) };
    expect(countMismatches(distanceTransform(empty), new Float32Array(19 * 7))).toBe(0);
    expect(countMismatches(distanceTransform(empty, { to: "foreground" }), new Float32Array(19 * 7).fill(NO_TARGET_DISTANCE))).toBe(0);
  });

  it('{ to: "foreground" } equals the transform of the inverted mask', () => {
    const mask = randomMask(203, 101, 5, 0.3);
    expectSameArray(distanceTransform(mask, { to: "foreground" }), distanceTransform(invert(mask)), "inverse", 203);
  });

  it("writes into a WASM-resident out without copying, and into a plain out", () => {
    const mask = randomMask(45, 31, 9);
    const expected = distanceTransform(mask);
    const buf = new WasmBuffer(45 * 31 * 4);
    try {
      const view = buf.view(Float32Array);
      expect(distanceTransform(mask, { out: view })).toBe(view);
      expectSameArray(buf.view(Float32Array), expected, "wasm out", 45);
      const plain = new Float32Array(45 * 31).fill(-1);
      expect(distanceTransform(mask, { out: plain })).toBe(plain);
      expectSameArray(plain, expected, "plain out", 45);
      const plain2 = new Int32Array(45 * 31);
      expect(squaredDistanceTransform(mask, { out: plain2 })).toBe(plain2);
    } finally {
      buf.dispose();
    }
  });

  it("accepts a WasmImage mask and a padded stride; nonzero = foreground", () => {
    const mask = randomMask(29, 13, 4);
    const expected = distanceTransform(mask);
    const wasm = allocImage(29, 13, 1);
    try {
      wasm.data.set(mask.data.map((p) => (p ? 1 : 0)));
      expectSameArray(distanceTransform(wasm), expected, "WasmImage with 0/1 values", 29);
    } finally {
      wasm.dispose();
    }
    const padded = new Uint8Array(40 * 13).fill(99);
    for (let y = 0; y < 13; y++) padded.set(mask.data.subarray(y * 29, y * 29 + 29), y * 40);
    expectSameArray(distanceTransform({ width: 29, height: 13, channels: 1, data: padded, stride: 40 }), expected, "strided", 29);
  });

  it("does not modify its input or options and allocates nothing in steady state", () => {
    const mask = randomMask(320, 240, 3);
    const before = mask.data.slice();
    const options = Object.freeze({ to: "foreground" as const });
    distanceTransform(mask, options);
    const out = new Float32Array(320 * 240);
    distanceTransform(mask, { out });
    const mem = memoryStats();
    for (let i = 0; i < 5; i++) distanceTransform(mask, { out });
    expect(memoryStats()).toEqual(mem);
    expectSameArray(mask.data, before, "input");
  });
});

describe("distanceTransform: bad input", () => {
  const mask = { width: 4, height: 2, channels: 1 as const, data: new Uint8Array(8) };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["colour image", () => distanceTransform({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }), /gray image.*for mask\.channels but received 3/],
    ["short buffer", () => distanceTransform({ ...mask, data: new Uint8Array(7) }), /hold exactly 8 bytes .* received 7/],
    ["not an image", () => distanceTransform(null as never), /Expected an image .* for mask but received null/],
    ["unknown target", () => distanceTransform(mask, { to: "edges" as never }), /one of "background", "foreground" for options\.to but received "edges"/],
    ["unknown option", () => distanceTransform(mask, { metric: "L1" } as never), /Unknown option "metric"/],
    ["out of the wrong length", () => distanceTransform(mask, { out: new Float32Array(7) }), /Float32Array of length 8 for options\.out but received Float32Array of length 7/],
    ["out of the wrong type", () => distanceTransform(mask, { out: new Float64Array(8) as never }), /a Float32Array for options\.out but received Float64Array/],
    ["squared with a float out", () => squaredDistanceTransform(mask, { out: new Float32Array(8) as never }), /an Int32Array for options\.out but received Float32Array/],
    ["options not an object", () => distanceTransform(mask, 3 as never), /options object for options but received 3/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});
