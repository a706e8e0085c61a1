import { describe, expect, it } from "vitest";
import { detectionMetrics } from "../../src/eval/detection.js";
import { evaluatePair, summarize } from "../../src/eval/evaluate.js";
import { EdgesegError, type Image } from "../../src/index.js";
import { referenceLabels } from "../kernels/components.reference.js";
import { randomMask } from "../helpers/random.js";

function blank(w: number, h: number): Image {
  return { width: w, height: h, channels: 1, data: new Uint8Array(w * h) };
}
function box(img: Image, x0: number, y0: number, x1: number, y1: number): Image {
  for (let y = y0; y < y1; y++) img.data.fill(255, y * img.width + x0, y * img.width + x1);
  return img;
}

/** Plain reference of the documented rule: flood-fill labels, coverage per true region, overlap per predicted region. */
function reference(pred: Image, truth: Image, minCoverage: number, minArea: number) {
  const { width: w, height: h } = pred;
  const t = referenceLabels(truth.data, w, h, 8);
  const p = referenceLabels(pred.data, w, h, 8);
  const tArea = new Array(t.count + 1).fill(0), covered = new Array(t.count + 1).fill(0);
  const pArea = new Array(p.count + 1).fill(0), overlap = new Array(p.count + 1).fill(0);
  for (let i = 0; i < w * h; i++) {
    tArea[t.labels[i]!]++;
    pArea[p.labels[i]!]++;
    if (t.labels[i]! && p.labels[i]!) {
      covered[t.labels[i]!]++;
      overlap[p.labels[i]!]++;
    }
  }
  let found = 0, predicted = 0, alarms = 0;
  for (let r = 1; r <= t.count; r++) if (covered[r] >= minCoverage * tArea[r]) found++;
  for (let r = 1; r <= p.count; r++) if (pArea[r] >= minArea) { predicted++; if (overlap[r] === 0) alarms++; }
  return { truthRegions: t.count, found, missed: t.count - found, predictedRegions: predicted, falseAlarms: alarms, defectFree: t.count === 0 };
}

describe("detectionMetrics", () => {
  it("counts found, missed and false-alarm regions by the documented rule", () => {
    const truth = box(box(box(blank(60, 40), 2, 2, 12, 12), 30, 5, 40, 15), 5, 30, 8, 33); // 100, 100, 9 px
    const pred = blank(60, 40);
    box(pred, 2, 2, 12, 7); // covers 50% of the first defect → found at 0.5
    box(pred, 30, 5, 33, 15); // 30% of the second → missed
    box(pred, 50, 30, 55, 35); // touches nothing → false alarm
    box(pred, 45, 2, 46, 3); // a 1-pixel speck → ignored with minArea 2
    expect(detectionMetrics(pred, truth)).toEqual({ truthRegions: 3, found: 1, missed: 2, predictedRegions: 4, falseAlarms: 2, defectFree: false });
    expect(detectionMetrics(pred, truth, { minArea: 2 })).toEqual({ truthRegions: 3, found: 1, missed: 2, predictedRegions: 3, falseAlarms: 1, defectFree: false });
    expect(detectionMetrics(pred, truth, { minCoverage: 0.3 }).found).toBe(2);
  });

  it("defect-free truth", () => {
    const r = detectionMetrics(box(blank(20, 20), 1, 1, 3, 3), blank(20, 20));
    expect(r).toEqual({ truthRegions: 0, found: 0, missed: 0, predictedRegions: 1, falseAlarms: 1, defectFree: true });
  });

  it("matches the plain reference on random masks", () => {
    for (const [w, h] of [[1, 1], [1, 33], [29, 1], [37, 23], [64, 48], [131, 77]] as const) {
      for (let seed = 1; seed <= 3; seed++) {
        const pred = randomMask(w, h, seed * 11 + w, 0.45);
        const truth = randomMask(w, h, seed * 7 + h, 0.45);
        expect(detectionMetrics(pred, truth, { minArea: 2 })).toEqual(reference(pred, truth, 0.5, 2));
      }
    }
  });

  it("summarize pools counts and rates over images", () => {
    const truth = box(blank(30, 30), 5, 5, 15, 15);
    const results = [
      evaluatePair("perfect", truth, truth),
      evaluatePair("missed", blank(30, 30), truth),
      evaluatePair("clean", blank(30, 30), blank(30, 30)),
      evaluatePair("alarm", box(blank(30, 30), 0, 0, 2, 2), blank(30, 30)),
    ];
    const s = summarize(results);
    expect(s.detection).toMatchObject({ truthRegions: 2, found: 1, missed: 1, instanceRecall: 0.5, defectFreeImages: 2, defectFreeWithAlarm: 1, falseAlarmImageRate: 0.5 });
    expect(s.metrics.dice.mean).toBeCloseTo((1 + 0 + 1 + 0) / 4, 12);
    expect(s.metrics.dice.worst.value).toBe(0);
    expect(s.metrics.hausdorff.worst.value).toBe(Infinity);
    expect(s.pooled.dice).toBeCloseTo((2 * 100) / (2 * 100 + 4 + 100), 12);
  });

  it("rejects bad options", () => {
    const m = blank(4, 4);
    expect(() => detectionMetrics(m, m, { minCoverage: 2 })).toThrow(EdgesegError);
    expect(() => detectionMetrics(m, m, { minCoverage: 2 })).toThrow(/options\.minCoverage/);
    expect(() => detectionMetrics(m, m, { connectivity: 6 as never })).toThrow(/options\.connectivity/);
    expect(() => detectionMetrics(m, blank(5, 4))).toThrow(/truth to be 4×4/);
  });
});
