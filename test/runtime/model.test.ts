// The model pipeline end to end: real footage through ffmpeg, the bundled int8 model (the
// Segmenter), refinement and regions; and models that do not match the config.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/pipeline/config.js";
import { runPipeline } from "../../src/pipeline/loop.js";
import { acceptedFormats, createProcessor } from "../../src/pipeline/processors.js";
import type { FrameRecord, Sink } from "../../src/sinks/types.js";
import { openSource } from "../../src/sources/open.js";

const VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "edgeseg-model-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function collect(): { sink: Sink; records: FrameRecord[] } {
  const records: FrameRecord[] = [];
  return {
    records,
    sink: {
      name: "collect",
      write: (r) => void records.push(structuredClone(r)),
      flush: async () => undefined,
      close: async () => undefined,
      stats: () => ({ name: "collect", written: records.length, dropped: 0, errors: 0 }),
    },
  };
}

async function runModel(uri: string, maxFrames: number, extra: object = {}) {
  const config = validateConfig({ source: uri, pipeline: { kind: "model", threads: 1, refine: { open: 3, minArea: 20 }, regions: { minArea: 20 }, ...extra } });
  const processor = await createProcessor(config.pipeline);
  const source = await openSource(uri, { accept: acceptedFormats(processor.input) });
  const { sink, records } = collect();
  try {
    const summary = await runPipeline({ source, processor, sinks: [sink], maxFrames });
    return { summary, records, format: source.format };
  } finally {
    await source.close();
    await processor.dispose();
  }
}

describe("model pipeline", () => {
  it("runs vtest.avi (real footage, decoded by ffmpeg, converted from 4:2:0 by our kernels) through the bundled model", async () => {
    const { summary, records, format } = await runModel(`file:${VTEST}`, 12);
    expect(format).toBe("i420");
    expect(summary).toMatchObject({ endedBy: "max-frames", frames: 12, failed: 0, dropped: 0 });
    for (const stage of ["convert", "preprocess", "inference", "postprocess", "total"] as const) expect(summary.stages[stage].count).toBe(12);
    expect(summary.stages.inference.p50).toBeGreaterThan(summary.stages.preprocess.p50);
    expect(records).toHaveLength(12);
    expect(records[0]).toMatchObject({ width: 768, height: 576 });
  });

  it("finds the defects of the sample conveyor clip, with class and confidence per region", async () => {
    const { summary, records } = await runModel("samples/conveyor.mp4", 40);
    expect(summary.frames).toBe(40);
    // The clip shows panels with painted defects in most frames.
    expect(summary.defectFrames).toBeGreaterThan(20);
    const region = records.flatMap((r) => r.regions)[0]!;
    expect(region).toMatchObject({ className: "defect", class: 1 });
    expect(region.meanConfidence).toBeGreaterThan(0.5);
    expect(region.maxConfidence).toBeGreaterThanOrEqual(region.meanConfidence!);
    expect(records.every((r) => r.regions.every((g) => g.area >= 20))).toBe(true);
  });

  it("says exactly what does not match when the model and the config disagree", async () => {
    const config = validateConfig({ source: "synthetic:", pipeline: { kind: "model", threads: 1, classes: ["scratch", "crack"] } });
    await expect(createProcessor(config.pipeline)).rejects.toThrow(/pipeline\.classes is \[scratch, crack\] but the model .* has classes \[background, defect\]/);
    // Either every class or only the foreground ones may be listed.
    const ok = await createProcessor(validateConfig({ source: "synthetic:", pipeline: { kind: "model", threads: 1, classes: ["defect"] } }).pipeline);
    await ok.dispose();
  });

  it("exits with one clear line for a file that is not a model", async () => {
    const fake = join(tmp, "fake.onnx");
    writeFileSync(fake, "not an onnx model at all");
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["bin/edgeseg.js", "run", "synthetic:", "--pipeline", "model", "--model", fake], { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stderr }));
    });
    const lines = r.stderr.trim().split("\n");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^edgeseg run: .*fake\.onnx.* \[(BAD_MODEL|CORRUPT_FILE|MODEL_MISMATCH|IO_ERROR)\]$/);
    expect(r.code).toBe(3);
  });
});
