// The loop end to end on real footage, its statistics, and how it treats slow or failing sinks.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mask } from "../../src/core/image.js";
import { validateConfig } from "../../src/pipeline/config.js";
import { runPipeline } from "../../src/pipeline/loop.js";
import { acceptedFormats, createProcessor } from "../../src/pipeline/processors.js";
import { type DetectedRegion, labelRegions } from "../../src/pipeline/regions.js";
import { LatencyHistogram } from "../../src/pipeline/stats.js";
import { JsonlSink } from "../../src/sinks/jsonl.js";
import { OverlaySink } from "../../src/sinks/overlay.js";
import type { FrameRecord, Sink, SinkStats } from "../../src/sinks/types.js";
import { openSource } from "../../src/sources/open.js";
import { connectedComponents, fillHoles, removeSmallRegions } from "../../src/kernels/components.js";
import { morphology } from "../../src/kernels/morphology.js";
import { otsuThreshold } from "../../src/kernels/threshold.js";
import { expectSameArray } from "../helpers/compare.js";

const VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "edgeseg-loop-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Flood-fill reference: 8-connected regions with area and bounding box, in raster order. */
function referenceRegions(mask: Uint8Array, w: number, h: number, withCentroid = false): { area: number; x: number; y: number; width: number; height: number; cx?: number; cy?: number }[] {
  const seen = new Uint8Array(w * h);
  const out = [];
  const stack: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (!mask[i] || seen[i]) continue;
    let area = 0;
    let sx = 0;
    let sy = 0;
    let x0 = w;
    let y0 = h;
    let x1 = 0;
    let y1 = 0;
    stack.push(i);
    seen[i] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      area++;
      sx += x;
      sy += y;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const q = ny * w + nx;
          if (mask[q] && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
    }
    out.push({ area, x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1, ...(withCentroid ? { cx: sx / area, cy: sy / area } : {}) });
  }
  return out;
}

describe("LatencyHistogram", () => {
  it("matches exact quantiles within its 1% bucket width and keeps the exact max", () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    let s = 12345;
    for (let i = 0; i < 20000; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const v = 0.05 + ((s >>> 8) / 16777216) ** 3 * 80; // skewed, like latencies
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1]!;
      expect(h.quantile(q)).toBeGreaterThanOrEqual(exact);
      expect(h.quantile(q)).toBeLessThanOrEqual(exact * 1.0101);
    }
    expect(h.max).toBe(values.at(-1));
    h.record(NaN);
    expect(h.count).toBe(20000);
  });
});

describe("runPipeline (classical) on vtest.avi", () => {
  it("processes every frame, and each record's regions match a flood-fill reference", async () => {
    const config = validateConfig({
      source: { uri: `file:${VTEST}`, width: 384, height: 288 },
      pipeline: { kind: "classical", threshold: { kind: "fixed", value: 60, inverse: true }, regions: { minArea: 1, maxRegions: 100000 } },
    });
    const processor = await createProcessor(config.pipeline);
    const source = await openSource(config.source.uri, { accept: acceptedFormats(processor.input), width: 384, height: 288 });
    const jsonl = join(tmp, "records.jsonl");
    const sink = new JsonlSink({ path: jsonl });
    await sink.open();
    // Check some frames against an independent threshold + flood fill while their pixels are valid.
    const checked: number[] = [];
    const checker: Sink = {
      name: "checker",
      write(record: FrameRecord, view) {
        if (record.frame % 97 !== 0) return;
        const { data, width, height } = view.image;
        const mask = new Uint8Array(width * height);
        for (let i = 0; i < mask.length; i++) mask[i] = data[i]! <= 60 ? 255 : 0;
        const expected = referenceRegions(mask, width, height);
        const actual = record.regions.map(({ area, x, y, width: w, height: h }) => ({ area, x, y, width: w, height: h }));
        expect(actual).toEqual(expected);
        checked.push(record.frame);
      },
      flush: async () => undefined,
      close: async () => undefined,
      stats: (): SinkStats => ({ name: "checker", written: checked.length, dropped: 0, errors: 0 }),
    };
    const statuses: number[] = [];
    const summary = await runPipeline({ source, processor, sinks: [sink, checker], statusInterval: 0.2, onStatus: (s) => statuses.push(s.frames) });
    await sink.close();
    await source.close();
    await processor.dispose();
    expect(summary.endedBy).toBe("end");
    expect(summary.frames).toBe(795);
    expect(summary.dropped).toBe(0);
    expect(checked).toEqual([0, 97, 194, 291, 388, 485, 582, 679, 776]);
    expect(summary.defectFrames).toBeGreaterThan(700);
    expect(summary.stages.total.count).toBe(795);
    expect(summary.stages.inference.p50).toBeGreaterThan(0);
    expect(summary.stages.preprocess.count).toBe(0); // no preprocessing in the classical pipeline
    expect(statuses.length).toBeGreaterThan(0);
    const lines = readFileSync(jsonl, "utf8").trim().split("\n");
    expect(lines.length).toBe(795);
    const rec = JSON.parse(lines[10]!) as FrameRecord;
    expect(rec).toMatchObject({ frame: 10, width: 384, height: 288 });
    expect(Object.keys(rec.latencyMs)).toEqual(["capture", "convert", "preprocess", "inference", "postprocess", "total"]);
    expect(rec.regions.length).toBeGreaterThan(0);
    expect(rec.regions[0]).toHaveProperty("cx");
  });

  it("labelRegions gives area, box and centroid in raster order on a real mask", async () => {
    const { data, info } = await sharp("test/fixtures/inputs/coins.png").grayscale().raw().toBuffer({ resolveWithObject: true });
    const mask: Mask = { width: info.width, height: info.height, channels: 1, data: new Uint8Array(data.length) };
    for (let i = 0; i < data.length; i++) mask.data[i] = data[i]! > 110 ? 255 : 0;
    const regions: DetectedRegion[] = labelRegions(mask, { connectivity: 8 });
    const expected = referenceRegions(mask.data, info.width, info.height, true);
    expect(regions.length).toBeGreaterThan(10);
    expect(regions.map(({ area, x, y, width, height }) => ({ area, x, y, width, height }))).toEqual(expected.map(({ area, x, y, width, height }) => ({ area, x, y, width, height })));
    regions.forEach((r, i) => {
      expect(r.cx).toBeCloseTo(expected[i]!.cx!, 9);
      expect(r.cy).toBeCloseTo(expected[i]!.cy!, 9);
    });
  });
});

describe("classical refinement and region filters", () => {
  it("equals the kernels composed by hand, and select keeps only regions in range", async () => {
    const { data, info } = await sharp("test/fixtures/inputs/coins.png").grayscale().raw().toBuffer({ resolveWithObject: true });
    const image = { width: info.width, height: info.height, channels: 1 as const, data: new Uint8Array(data) };
    const config = validateConfig({
      source: "synthetic:",
      pipeline: {
        kind: "classical",
        threshold: { kind: "otsu" },
        refine: { open: 3, fillHoles: true, minArea: 40 },
        regions: { minArea: 100, select: { circularity: [0.6, 1.5] } },
      },
    });
    const processor = await createProcessor(config.pipeline);
    const timings = { preprocess: 0, inference: 0, postprocess: 0 };
    const result = await processor.process(image, timings);
    // The same steps, by hand.
    let expected: Mask = otsuThreshold(image).mask;
    expected = morphology(expected, { op: "open", size: 3 });
    expected = fillHoles(expected);
    expected = removeSmallRegions(expected, { minArea: 40 });
    expectSameArray(result.mask.data, expected.data, "refined mask", info.width);
    const all = connectedComponents(expected, { features: ["circularity"] }).regions.filter((r) => r.area >= 100);
    const kept = all.filter((r) => r.circularity! >= 0.6 && r.circularity! <= 1.5);
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(all.length); // the filter removes something here
    expect(result.regions.map((r) => r.label)).toEqual(kept.map((r) => r.label));
    expect(timings.inference).toBeGreaterThan(0);
    expect(Number.isNaN(timings.preprocess)).toBe(true);
    await processor.dispose();
  });

  it("rejects unknown feature names when the config is read, naming the key", () => {
    const bad = (regions: object) => () => validateConfig({ source: "synthetic:", pipeline: { kind: "classical", threshold: 100, regions } }, "my.json");
    expect(bad({ select: { wobble: [0, 1] } })).toThrow(/^my\.json: Expected one of "label", "area".* for a key of pipeline\.regions\.select but received "wobble"/);
    expect(bad({ features: ["perimeter", "roundness"] })).toThrow(/for pipeline\.regions\.features\[1\] but received "roundness"/);
    expect(bad({ select: { area: [10, 1] } })).toThrow(/Expected a \[min, max\] pair of numbers for pipeline\.regions\.select\.area/);
  });
});

describe("sinks never stall the loop", () => {
  it("a failing sink is reported and skipped; a slow overlay sink drops (counted) instead of waiting", async () => {
    const config = validateConfig({ source: "synthetic:", pipeline: { kind: "classical", threshold: { kind: "fixed", value: 60, inverse: true } } });
    const processor = await createProcessor(config.pipeline);
    const source = await openSource("synthetic:?width=320&height=240&frames=60&realtime=0", { accept: acceptedFormats(processor.input) });
    const failing: Sink = {
      name: "failing",
      write() {
        throw new Error("disk on fire");
      },
      flush: async () => undefined,
      close: async () => undefined,
      stats: () => ({ name: "failing", written: 0, dropped: 0, errors: 0 }),
    };
    const dir = join(tmp, "overlays");
    const overlays = new OverlaySink({ dir, every: 1, format: "png", max: 0, maxPending: 1 });
    await overlays.open();
    const events: string[] = [];
    const summary = await runPipeline({ source, processor, sinks: [failing, overlays], onEvent: (m) => events.push(m) });
    await overlays.close();
    await source.close();
    await processor.dispose();
    expect(summary.frames).toBe(60);
    expect(summary.endedBy).toBe("end");
    expect(events.filter((m) => m.includes("sink failing failed: disk on fire")).length).toBe(60);
    const st = overlays.stats();
    // Every frame is accounted for: written or dropped, never silently lost.
    expect(st.written + st.dropped).toBe(60);
    expect(st.dropped).toBeGreaterThan(0);
    expect(readdirSync(dir).length).toBe(st.written);
  });

  it("stops after the current frame when aborted, and says so", async () => {
    const processor = await createProcessor(validateConfig({ source: "synthetic:", pipeline: { kind: "classical", threshold: 100 } }).pipeline);
    const source = await openSource("synthetic:?width=64&height=48&fps=100", { accept: ["gray"] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const summary = await runPipeline({ source, processor, signal: controller.signal });
    await source.close();
    expect(summary.endedBy).toBe("signal");
    expect(summary.frames).toBeGreaterThan(3);
    expect(summary.frames).toBeLessThan(30);
  });
});
