import { describe, expect, it } from "vitest";
import { boundaryMetrics, confusion, dice, EdgesegError, hausdorff, iou, overlapMetrics, segmentationMetrics } from "../../src/index.js";
import type { Image } from "../../src/index.js";
import { loadImage, loadManifest } from "../helpers/fixtures.js";
import { PROPERTY_SIZES, randomMask, rng } from "../helpers/random.js";

const cases = loadManifest("metrics");

describe("metrics: golden fixtures (numpy counts, MONAI definitions via scipy, skimage Hausdorff)", () => {
  it("has fixtures", () => expect(cases.length).toBeGreaterThan(15));
  for (const c of cases.filter((c) => c.expected.confusion)) {
    it(`${c.name}: confusion and overlap metrics`, async () => {
      const pred = await loadImage("metrics", c.inputs.pred);
      const truth = await loadImage("metrics", c.inputs.truth);
      const e = c.expected.confusion;
      expect(confusion(pred, truth)).toEqual({ tp: e.tp, fp: e.fp, fn: e.fn, tn: e.tn });
      const m = segmentationMetrics(pred, truth);
      for (const key of ["dice", "iou", "precision", "recall", "accuracy"] as const) expect(m[key]).toBeCloseTo(e[key], 6);
    });
  }
  for (const c of cases.filter((c) => c.expected.boundary)) {
    it(`${c.name}: boundary metrics to 1e-3 px`, async () => {
      const pred = await loadImage("metrics", c.inputs.pred);
      const truth = await loadImage("metrics", c.inputs.truth);
      const e = c.expected.boundary;
      const m = boundaryMetrics(pred, truth, { spacing: c.params.spacing, percentile: c.params.percentile, tolerance: c.params.tolerance });
      expect(m.predSurfacePixels).toBe(e.predSurfacePixels);
      expect(m.truthSurfacePixels).toBe(e.truthSurfacePixels);
      expect(Math.abs(m.hausdorff - e.hausdorff)).toBeLessThan(1e-3);
      expect(Math.abs(m.hausdorffPercentile - e.hausdorffPercentile)).toBeLessThan(1e-3);
      expect(Math.abs(m.assd - e.assd)).toBeLessThan(1e-3);
      expect(m.surfaceDice).toBeCloseTo(e.surfaceDice, 6);
    });
  }
  for (const c of cases.filter((c) => c.params.classes)) {
    it(`${c.name}: confusion matrix and per-class Dice`, async () => {
      const pred = await loadImage("metrics", c.inputs.pred);
      const truth = await loadImage("metrics", c.inputs.truth);
      const m = confusion(pred, truth, { classes: c.params.classes as number });
      expect(Array.from(m.matrix)).toEqual(c.expected.matrix);
      const s = segmentationMetrics(pred, truth, { classes: c.params.classes as number, includeBackground: true });
      s.perClass.forEach((pc, i) => expect(pc.dice).toBeCloseTo(c.expected.perClassDice[i], 6));
      expect(s.accuracy).toBeCloseTo(c.expected.accuracy, 6);
      expect(s.macro.dice).toBeCloseTo(c.expected.perClassDice.reduce((a: number, b: number) => a + b, 0) / 4, 6);
    });
  }
});

describe("metrics: empty masks follow emptyPolicy", () => {
  const get = (name: string) => cases.find((c) => c.name === name)!;
  it("both empty", async () => {
    const c = get("empty_both");
    const pred = await loadImage("metrics", c.inputs.pred);
    const truth = await loadImage("metrics", c.inputs.truth);
    expect(segmentationMetrics(pred, truth).dice).toBe(1);
    expect(segmentationMetrics(pred, truth, { emptyPolicy: "zero" }).dice).toBe(0);
    expect(segmentationMetrics(pred, truth, { emptyPolicy: "nan" }).dice).toBeNaN();
    expect(segmentationMetrics(pred, truth, { emptyPolicy: "nan" }).accuracy).toBe(1); // denominator is the pixel count
    expect(hausdorff(pred, truth)).toBe(0);
    expect(hausdorff(pred, truth, { emptyPolicy: "nan" })).toBeNaN();
    expect(boundaryMetrics(pred, truth).surfaceDice).toBe(1);
  });
  it("empty prediction, non-empty truth", async () => {
    const c = get("empty_pred");
    const pred = await loadImage("metrics", c.inputs.pred);
    const truth = await loadImage("metrics", c.inputs.truth);
    const m = segmentationMetrics(pred, truth);
    expect(m.dice).toBe(0);
    expect(m.recall).toBe(0);
    expect(m.precision).toBe(1); // no predicted pixels: the ratio's denominator is zero
    expect(segmentationMetrics(pred, truth, { emptyPolicy: "nan" }).precision).toBeNaN();
    expect(hausdorff(pred, truth)).toBe(Infinity);
    expect(hausdorff(pred, truth, { emptyPolicy: "nan" })).toBeNaN();
    expect(boundaryMetrics(pred, truth).surfaceDice).toBe(0);
  });
});

/** Plain reference: counts, surfaces and brute-force distances. */
function referenceBoundary(pred: Image, truth: Image, sx: number, sy: number) {
  const { width: w, height: h } = pred;
  const surface = (m: Image) => {
    const pts: Array<[number, number]> = [];
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        if (!m.data[y * w + x]) continue;
        const inner = x > 0 && y > 0 && x < w - 1 && y < h - 1 && m.data[y * w + x - 1] && m.data[y * w + x + 1] && m.data[(y - 1) * w + x] && m.data[(y + 1) * w + x];
        if (!inner) pts.push([x, y]);
      }
    return pts;
  };
  const a = surface(pred);
  const b = surface(truth);
  const directed = (from: Array<[number, number]>, to: Array<[number, number]>) =>
    from.map(([x, y]) => Math.sqrt(Math.min(...to.map(([u, v]) => ((x - u) * sx) ** 2 + ((y - v) * sy) ** 2))));
  return { a: directed(a, b), b: directed(b, a) };
}

describe("metrics: property tests against a plain reference", () => {
  for (const [w, h] of PROPERTY_SIZES.filter(([w, h]) => w * h <= 64 * 48)) {
    it(`${w}×${h}`, () => {
      for (let seed = 1; seed <= 4; seed++) {
        const pred = randomMask(w, h, seed * 31 + w);
        const truth = randomMask(w, h, seed * 17 + h);
        let tp = 0, fp = 0, fn = 0;
        for (let i = 0; i < w * h; i++) {
          const p = pred.data[i]! > 0, t = truth.data[i]! > 0;
          if (p && t) tp++; else if (p) fp++; else if (t) fn++;
        }
        expect(confusion(pred, truth)).toEqual({ tp, fp, fn, tn: w * h - tp - fp - fn });
        const r = rng(seed);
        const sx = 0.5 + r(), sy = 0.5 + r();
        const ref = referenceBoundary(pred, truth, sx, sy);
        const m = boundaryMetrics(pred, truth, { spacing: [sx, sy] });
        if (ref.a.length && ref.b.length) {
          expect(m.hausdorff).toBeCloseTo(Math.max(...ref.a, ...ref.b), 4);
          const all = [...ref.a, ...ref.b];
          expect(m.assd).toBeCloseTo(all.reduce((s, d) => s + d, 0) / all.length, 4);
        }
      }
    });
  }
  it("counts past 255 per SIMD lane (a 1920×1080 full mask) without overflow", () => {
    const full: Image = { width: 1920, height: 1080, channels: 1, data: new Uint8Array(1920 * 1080).fill(7) };
    const half: Image = { width: 1920, height: 1080, channels: 1, data: new Uint8Array(1920 * 1080) };
    half.data.fill(1, 0, 1920 * 540 + 3);
    expect(confusion(full, half)).toEqual({ tp: 1920 * 540 + 3, fp: 1920 * 540 - 3, fn: 0, tn: 0 });
    expect(dice(half, half)).toBe(1);
    expect(iou(full, half)).toBeCloseTo((1920 * 540 + 3) / (1920 * 1080), 9);
  });
});

describe("metrics: bad input", () => {
  const a: Image = { width: 4, height: 3, channels: 1, data: new Uint8Array(12) };
  const b: Image = { width: 3, height: 4, channels: 1, data: new Uint8Array(12) };
  const labels: Image = { width: 4, height: 3, channels: 1, data: Uint8Array.from({ length: 12 }, (_, i) => i % 6) };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["size mismatch", () => confusion(a, b), /Expected truth to be 4×3 like pred but received 3×4/],
    ["colour prediction", () => dice({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }, a), /pred\.channels/],
    ["labels beyond classes", () => confusion(labels, labels, { classes: 4 }), /label values below options\.classes = 4 but 4 pixels/],
    ["one class", () => confusion(a, a, { classes: 1 }), /options\.classes/],
    ["bad policy", () => overlapMetrics({ tp: 0, fp: 0, fn: 0, tn: 0 }, { emptyPolicy: "ignore" as never }), /options\.emptyPolicy/],
    ["bad spacing", () => boundaryMetrics(a, a, { spacing: [1, 0] }), /options\.spacing\[1\]/],
    ["bad percentile", () => hausdorff(a, a, { percentile: 101 }), /options\.percentile/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});
