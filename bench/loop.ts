// The real-time loop's targets (issue 5), measured end to end through real sources:
//   1. model:     640×480 at 30 fps (the sample clip paced by ffmpeg -re) through the bundled int8 model
//                 and refinement: every frame processed (no drops), p99 frame read → regions out < 33 ms.
//                 Once with onnxruntime-node ("native", where it installs) and once with onnxruntime-web.
//   2. classical: 1920×1080 at 30 fps (ffmpeg testsrc2, paced) through Otsu + opening + regions: no drops.
//   3. memory:    10,000 frames unpaced (640×480 synthetic, classical + JSONL to /dev/null):
//                 RSS growth after warm-up < 5 MB.
//
//   node --expose-gc --import tsx bench/loop.ts            all three
//   node --expose-gc --import tsx bench/loop.ts --quick    shorter runs (for iterating; not the figures)
//   node --import tsx bench/loop.ts model classical        only these (also model-native, model-wasm)
// Prints PASS/FAIL per target and writes bench/results/loop-<date>.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { type RunSummary, runPipeline } from "../src/pipeline/loop.js";
import { acceptedFormats, createProcessor } from "../src/pipeline/processors.js";
import { validateConfig } from "../src/pipeline/config.js";
import { JsonlSink } from "../src/sinks/jsonl.js";
import { openSource } from "../src/sources/open.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.filter((a) => !a.startsWith("--"));
const want = (name: string) => only.length === 0 || only.includes(name);

interface Outcome {
  name: string;
  target: string;
  pass: boolean | null;
  figures: Record<string, number | string>;
  note?: string;
}
const outcomes: Outcome[] = [];

function stageLine(s: RunSummary): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [stage, h] of Object.entries(s.stages)) {
    if (h.count === 0) continue;
    out[`${stage}.p50`] = +h.p50.toFixed(3);
    out[`${stage}.p99`] = +h.p99.toFixed(3);
  }
  return out;
}

async function run(uri: string, pipeline: unknown, source: Record<string, unknown>, loop: { maxFrames?: number; onStatus?: (frames: number) => void } = {}, sinks: JsonlSink[] = []): Promise<RunSummary> {
  const config = validateConfig({ source: { uri, ...source }, pipeline });
  const processor = await createProcessor(config.pipeline);
  const src = await openSource(uri, { accept: acceptedFormats(processor.input), ...config.source });
  for (const s of sinks) await s.open();
  try {
    return await runPipeline({ source: src, processor, sinks, maxFrames: loop.maxFrames, statusInterval: 0.5, onStatus: (st) => loop.onStatus?.(st.frames) });
  } finally {
    await src.close();
    for (const s of sinks) await s.close();
    await processor.dispose();
  }
}

// Memory first, in a process no model session has touched yet.
if (want("memory")) {
  // 10,000 frames measured after a 2,500-frame warm-up (V8 sizes its young generation to the
  // allocation rate during the first thousands of frames; that plateau is not a leak).
  const frames = quick ? 2000 : 10_000;
  const warmup = quick ? 500 : 2500;
  const gc = (globalThis as { gc?: () => void }).gc;
  let rssWarm = 0;
  let heapWarm = 0;
  let heapLast = 0;
  let sampled = false;
  const samples: number[] = [];
  const s = await run(
    "synthetic:?width=640&height=480&realtime=0",
    { kind: "classical", threshold: { kind: "otsu", inverse: true }, refine: { open: 3 }, regions: { minArea: 20 } },
    { mode: "every" },
    {
      maxFrames: warmup + frames,
      onStatus: (n) => {
        gc?.();
        const m = process.memoryUsage();
        samples.push(+(m.rss / 1048576).toFixed(1));
        heapLast = m.heapUsed / 1048576;
        if (!sampled && n >= warmup) {
          sampled = true;
          rssWarm = m.rss / 1048576;
          heapWarm = m.heapUsed / 1048576;
        }
      },
    },
    [new JsonlSink({ path: "/dev/null" })],
  );
  // The end point is the last sample inside the loop (after it, closing sinks frees memory).
  const rssEnd = samples.at(-1) ?? 0;
  const growth = rssEnd - rssWarm;
  outcomes.push({
    name: `memory over ${frames} frames after ${warmup} warm-up frames (unpaced)`,
    target: "RSS growth < 5 MB",
    pass: sampled && growth < 5,
    figures: {
      frames: s.frames,
      fps: +s.fps.toFixed(1),
      rssWarmMB: +rssWarm.toFixed(1),
      rssEndMB: +rssEnd.toFixed(1),
      growthMB: +growth.toFixed(2),
      heapUsedWarmMB: +heapWarm.toFixed(1),
      heapUsedEndMB: +heapLast.toFixed(1),
      rssFirstMB: samples[0] ?? 0,
      gc: gc ? "forced before samples" : "not exposed (run with --expose-gc)",
    },
    note: `RSS samples every 0.5 s (MB): ${samples.join(" ")}`,
  });
}

for (const backend of ["native", "wasm"] as const) {
  if (!want("model") && !want(`model-${backend}`)) continue;
  const frames = quick ? 90 : 300;
  const name = `model (${backend}) 640×480 @ 30 fps`;
  const target = "no drops, p99 read→regions < 33 ms";
  const { Segmenter } = (await import("../src/index.js")) as { Segmenter?: unknown };
  if (!Segmenter) {
    outcomes.push({ name, target, pass: null, figures: {}, note: "not measured: the Segmenter is not in this build" });
    continue;
  }
  // The sample clip (15 fps) re-timed to 30 fps and paced by ffmpeg like a camera; latest-frame-wins, so lateness shows as drops.
  const uri = "lavfi:movie=samples/conveyor.mp4:loop=0,setpts=N/(30*TB)";
  try {
    const s = await run(uri, { kind: "model", backend, threads: 2, refine: { open: 3, minArea: 20 } }, { realtime: true, mode: "latest", fps: 30 }, { maxFrames: frames });
    const p99 = s.stages.total.p99;
    outcomes.push({
      name,
      target,
      pass: s.dropped === 0 && p99 < 33,
      figures: { frames: s.frames, fps: +s.fps.toFixed(2), dropped: s.dropped, defectFrames: s.defectFrames, pipeline: s.pipeline, ...stageLine(s) },
    });
  } catch (e) {
    outcomes.push({ name, target, pass: null, figures: {}, note: `not measured: ${(e as Error).message}` });
  }
}

if (want("classical")) {
  const frames = quick ? 90 : 300;
  const uri = "lavfi:testsrc2=size=1920x1080:rate=30";
  const s = await run(uri, { kind: "classical", threshold: { kind: "otsu" }, refine: { open: 3 }, regions: { minArea: 50 } }, { realtime: true, mode: "latest" }, { maxFrames: frames });
  outcomes.push({
    name: "classical 1920×1080 @ 30 fps",
    target: "no drops",
    pass: s.dropped === 0 && s.frames === frames,
    figures: { frames: s.frames, fps: +s.fps.toFixed(2), dropped: s.dropped, pipeline: s.pipeline, ...stageLine(s) },
  });
}

console.log(`edgeseg loop bench — ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load ${loadavg().map((l) => l.toFixed(2)).join(" ")}${quick ? ", --quick" : ""}`);
for (const o of outcomes) {
  const verdict = o.pass === null ? "SKIP" : o.pass ? "PASS" : "FAIL";
  console.log(`${verdict}  ${o.name}: ${o.target}`);
  console.log(`      ${Object.entries(o.figures).map(([k, v]) => `${k}=${v}`).join("  ")}`);
  if (o.note) console.log(`      ${o.note}`);
}
mkdirSync("bench/results", { recursive: true });
const file = `bench/results/loop-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.json`;
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), quick, cores: cpus().length, loadavg: loadavg(), node: process.version, outcomes }, null, 2));
console.log(`wrote ${file}`);
process.exitCode = outcomes.some((o) => o.pass === false) ? 1 : 0;
