// `edgeseg bench`: how fast does a pipeline run on this device? Latency per stage (p50/p90/p99/max,
// first run apart), fps, RSS and WASM memory, for each backend × threads × precision × size; the
// kernel benchmark with its peers; reports as a table, JSON and HTML; comparison of two JSON results.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { arch, cpus, platform, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type LatencyStats, latencyStats } from "../bench/stats.js";
import { EdgesegError } from "../core/errors.js";
import type { Image } from "../core/image.js";
import { chart, page, table } from "../eval/html.js";
import { type Command, EXIT } from "./main.js";
import { ProgressBar } from "./progress.js";

const HELP = `Usage:
  edgeseg bench [options]                  latency of the model pipeline on this device
  edgeseg bench --kernels [family …]       kernel benchmark against opencv.js, native OpenCV and memcpy
  edgeseg bench --compare A.json B.json    ratios between two results (two devices, two commits)

Pipeline options (comma-separated lists run every combination, each in its own process):
  --model FILE           ONNX model with sidecar (default: the bundled defect model; --precision picks int8/fp32)
  --precision LIST       int8,fp32 (default int8)
  --backend LIST         wasm (onnxruntime-web) and/or native (onnxruntime-node) (default wasm)
  --threads LIST         inference threads, e.g. 1,2 (default: the number of cores)
  --size LIST            frame sizes WxH (default 640x480)
  --frames N             timed frames per configuration (default 100)
  --warmup N             untimed frames after the first (default 5)

Output:
  --out DIR              where bench.json and bench.html go (default bench-out)
  --json                 print the results as JSON on stdout
  -h, --help             this help

Exit codes: 0 done, 2 bad arguments, 3 a backend or model is unavailable.
`;

const packageRoot = fileURLToPath(new URL("../../", import.meta.url));

interface PipelineConfig {
  model: string;
  precision: string;
  backend: "wasm" | "native";
  threads: number;
  width: number;
  height: number;
  frames: number;
  warmup: number;
}

interface PipelineResult {
  config: PipelineConfig;
  stages: Record<string, LatencyStats>;
  fps: number;
  rssMB: { before: number; after: number };
  wasmMB: number;
  error?: string;
}

function list(value: string | undefined, fallback: string): string[] {
  return (value ?? fallback).split(",").map((s) => s.trim()).filter(Boolean);
}

function parseSize(s: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(s);
  if (!m) throw new EdgesegError("INVALID_ARGUMENT", `Expected a size like 640x480 for --size but received "${s}"`);
  return [Number(m[1]), Number(m[2])];
}

/** A deterministic textured frame with a few thin scratches (what a surface camera sees). */
export function benchFrame(width: number, height: number): Image {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const grain = 110 + 35 * Math.sin(x / 13 + Math.sin(y / 41) * 3) + 12 * Math.sin((x * 7 + y * 3) / 5);
      const scratch = Math.abs(((x + 2 * y) % 397) - 7) < 1.5 && y % 200 < 120 ? -70 : 0;
      const v = Math.max(0, Math.min(255, grain + scratch + (((x * 2654435761) ^ (y * 40503)) >>> 28)));
      const o = (y * width + x) * 3;
      data[o] = v;
      data[o + 1] = v * 0.95;
      data[o + 2] = v * 0.85;
    }
  }
  return { width, height, channels: 3, data };
}

/** Runs one configuration in this process (each configuration gets its own process: ORT's thread count is process-global). */
async function runChild(config: PipelineConfig): Promise<PipelineResult> {
  const { Segmenter } = await import("../model/index.js");
  const { memoryStats } = await import("../core/memory.js");
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  const segmenter = await Segmenter.create({ model: config.model, backend: config.backend, threads: config.threads });
  try {
    const frame = benchFrame(config.width, config.height);
    const samples: Record<string, number[]> = { total: [] };
    const firsts: Record<string, number> = {};
    const record = (timings: Record<string, number>, wall: number, first: boolean) => {
      const all = { ...timings, total: wall };
      for (const [stage, ms] of Object.entries(all)) {
        if (typeof ms !== "number") continue;
        if (first) firsts[stage] = ms;
        else (samples[stage] ??= []).push(ms);
      }
    };
    let t = performance.now();
    let r = await segmenter.segment(frame);
    record(r.timings as unknown as Record<string, number>, performance.now() - t, true);
    for (let i = 0; i < config.warmup; i++) await segmenter.segment(frame);
    const started = performance.now();
    for (let i = 0; i < config.frames; i++) {
      t = performance.now();
      r = await segmenter.segment(frame);
      record(r.timings as unknown as Record<string, number>, performance.now() - t, false);
    }
    const elapsed = performance.now() - started;
    const stages: Record<string, LatencyStats> = {};
    for (const [stage, s] of Object.entries(samples)) stages[stage] = latencyStats(firsts[stage] ?? NaN, s);
    return {
      config,
      stages,
      fps: (config.frames / elapsed) * 1000,
      rssMB: { before: rssBefore, after: process.memoryUsage().rss / 2 ** 20 },
      wasmMB: memoryStats().memoryBytes / 2 ** 20,
    };
  } finally {
    segmenter.dispose();
  }
}

function device() {
  const require = createRequire(import.meta.url);
  // Some packages (onnxruntime-web) do not export package.json: find it beside their entry point.
  const version = (name: string): string | null => {
    try {
      let dir = dirname(require.resolve(name));
      for (let i = 0; i < 5; i++, dir = dirname(dir)) {
        const file = join(dir, "package.json");
        if (existsSync(file)) {
          const pkg = JSON.parse(readFileSync(file, "utf8"));
          if (pkg.name === name) return pkg.version as string;
        }
      }
    } catch {
      // not installed
    }
    return null;
  };
  return {
    date: new Date().toISOString(),
    platform: platform(),
    arch: arch(),
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    versions: { edgeseg: require("../../package.json").version as string, "onnxruntime-web": version("onnxruntime-web"), "onnxruntime-node": version("onnxruntime-node") },
  };
}

const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? "—" : x < 10 ? x.toFixed(2) : x.toFixed(1));

function pipelineTable(results: PipelineResult[]): string[] {
  const lines = [["config", "stage", "first", "p50", "p90", "p99", "max", "fps", "RSS MB"].join(" | ")];
  for (const r of results) {
    const c = r.config;
    const name = `${c.precision} ${c.backend} t${c.threads} ${c.width}x${c.height}`;
    if (r.error) {
      lines.push(`${name} | error: ${r.error}`);
      continue;
    }
    for (const [stage, s] of Object.entries(r.stages)) {
      lines.push([name, stage, f(s.first), f(s.p50), f(s.p90), f(s.p99), f(s.max), stage === "total" ? f(r.fps) : "", stage === "total" ? f(r.rssMB.after) : ""].join(" | "));
    }
  }
  return lines;
}

function pipelineHtml(dev: ReturnType<typeof device>, results: PipelineResult[], kernels: KernelRow[] | null): string {
  const ok = results.filter((r) => !r.error);
  const labels = ok.map((r) => `${r.config.precision} ${r.config.backend} t${r.config.threads} ${r.config.width}x${r.config.height}`);
  const stageNames = [...new Set(ok.flatMap((r) => Object.keys(r.stages).filter((s) => s !== "total")))];
  const palette = ["#4a78c2", "#e0813a", "#59a85a", "#c94b4b", "#8a63b8", "#888"];
  let body = `<p>${dev.cpu}, ${dev.cores} cores, ${dev.platform}/${dev.arch}, Node ${dev.node}, onnxruntime-web ${dev.versions["onnxruntime-web"]}, onnxruntime-node ${dev.versions["onnxruntime-node"] ?? "not installed"} — ${dev.date}</p>`;
  if (ok.length) {
    body += `<h2>Pipeline latency</h2>` + chart("stages", {
      type: "bar",
      data: { labels, datasets: stageNames.map((s, i) => ({ label: `${s} p50`, data: ok.map((r) => r.stages[s]?.p50 ?? 0), backgroundColor: palette[i % palette.length] })) },
      options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "ms (median per stage)" } } } },
    });
    body += chart("distribution", {
      type: "bar",
      data: { labels, datasets: (["p50", "p90", "p99", "max"] as const).map((p, i) => ({ label: `total ${p}`, data: ok.map((r) => r.stages.total?.[p] ?? 0), backgroundColor: palette[i] })) },
      options: { maintainAspectRatio: false, scales: { y: { title: { display: true, text: "ms per frame" } } } },
    });
    body += table(["config", "stage", "first", "p50", "p90", "p99", "max"], ok.flatMap((r, i) => Object.entries(r.stages).map(([s, st]) => [labels[i]!, s, f(st.first), f(st.p50), f(st.p90), f(st.p99), f(st.max)])));
    body += table(["config", "fps", "RSS before MB", "RSS after MB", "WASM MB"], ok.map((r, i) => [labels[i]!, f(r.fps), f(r.rssMB.before), f(r.rssMB.after), f(r.wasmMB)]));
  }
  if (kernels?.length) body += kernelHtml(kernels);
  return page("edgeseg bench", body);
}

interface KernelRow {
  kernel: string;
  size: string;
  ours: { median: number; first: number };
  opencvjs?: { median: number };
  native?: { median: number };
  floor: { median: number };
  vsOpencvjs?: number;
  vsNative?: number;
  vsFloor: number;
  targets: Array<{ label: string; pass: boolean }>;
}

function kernelHtml(rows: KernelRow[]): string {
  const labels = rows.map((r) => `${r.kernel} ${r.size}`);
  return `<h2>Kernels: speed-up of edgeseg over its peers</h2>` +
    chart("kernels", {
      type: "bar",
      data: {
        labels,
        datasets: [
          { label: "× faster than opencv.js", data: rows.map((r) => r.vsOpencvjs ?? null), backgroundColor: "#4a78c2" },
          { label: "× faster than native OpenCV (1 thread)", data: rows.map((r) => r.vsNative ?? null), backgroundColor: "#e0813a" },
        ],
      },
      options: { indexAxis: "y", maintainAspectRatio: false, scales: { x: { type: "logarithmic", title: { display: true, text: "speed-up (log scale)" } } } },
    }, Math.max(300, rows.length * 26)) +
    table(["kernel", "size", "ours ms", "opencv.js ms", "native ms", "memcpy ms", "vs opencv.js", "vs native", "ours/floor", "targets"],
      rows.map((r) => [r.kernel, r.size, f(r.ours.median), f(r.opencvjs?.median), f(r.native?.median), f(r.floor.median), r.vsOpencvjs ? `${f(r.vsOpencvjs)}×` : "—", r.vsNative ? `${f(r.vsNative)}×` : "—", `${f(r.vsFloor)}×`,
        r.targets.map((t) => `${t.pass ? "PASS" : "FAIL"} ${t.label}`).join("; ")]));
}

function runKernels(families: string[]): KernelRow[] {
  const script = join(packageRoot, "bench", "run.ts");
  if (!existsSync(script) || !existsSync(join(packageRoot, "node_modules", "tsx"))) {
    throw new EdgesegError("MISSING_TOOL", "The kernel benchmark runs from a source checkout with dev dependencies (git clone …; npm install)");
  }
  const before = Date.now();
  const run = spawnSync(process.execPath, ["--import", "tsx", script, ...families], { cwd: packageRoot, stdio: ["ignore", "inherit", "inherit"] });
  if (run.status !== 0) throw new EdgesegError("MISSING_TOOL", `The kernel benchmark failed (exit ${run.status})`);
  const dir = join(packageRoot, "bench", "results");
  const newest = readdirSync(dir).filter((n) => n.startsWith("kernels-") && statSync(join(dir, n)).mtimeMs >= before).sort().pop();
  if (!newest) throw new EdgesegError("IO_ERROR", "The kernel benchmark wrote no result file");
  return JSON.parse(readFileSync(join(dir, newest), "utf8")).results as KernelRow[];
}

function compare(aPath: string, bPath: string, json: boolean): number {
  const read = (p: string) => {
    try {
      return JSON.parse(readFileSync(p, "utf8"));
    } catch (e) {
      throw new EdgesegError("IO_ERROR", `Cannot read bench result ${p}: ${(e as Error).message}`);
    }
  };
  const a = read(aPath);
  const b = read(bPath);
  const rows: Array<{ what: string; a: number; b: number; ratio: number }> = [];
  const key = (r: PipelineResult) => `${r.config.precision} ${r.config.backend} t${r.config.threads} ${r.config.width}x${r.config.height}`;
  const bPipelines = new Map<string, PipelineResult>((b.pipelines ?? []).map((r: PipelineResult) => [key(r), r]));
  for (const ra of (a.pipelines ?? []) as PipelineResult[]) {
    const rb = bPipelines.get(key(ra));
    if (!rb || ra.error || rb.error) continue;
    for (const [stage, s] of Object.entries(ra.stages)) {
      const sb = rb.stages[stage];
      if (sb) rows.push({ what: `${key(ra)} ${stage} p50`, a: s.p50, b: sb.p50, ratio: sb.p50 / s.p50 });
    }
  }
  const bKernels = new Map<string, KernelRow>((b.kernels ?? []).map((r: KernelRow) => [`${r.kernel} ${r.size}`, r]));
  for (const ka of (a.kernels ?? []) as KernelRow[]) {
    const kb = bKernels.get(`${ka.kernel} ${ka.size}`);
    if (kb) rows.push({ what: `${ka.kernel} ${ka.size}`, a: ka.ours.median, b: kb.ours.median, ratio: kb.ours.median / ka.ours.median });
  }
  if (rows.length === 0) throw new EdgesegError("INVALID_ARGUMENT", `${aPath} and ${bPath} have no configuration in common`);
  if (json) process.stdout.write(JSON.stringify({ a: { file: aPath, device: a.device }, b: { file: bPath, device: b.device }, rows }, null, 1) + "\n");
  else {
    process.stdout.write(`A = ${aPath} (${a.device?.cpu ?? "?"})\nB = ${bPath} (${b.device?.cpu ?? "?"})\nratio = B / A (above 1: B is slower)\n\n`);
    for (const r of rows) process.stdout.write(`${r.what.padEnd(48)} ${f(r.a).padStart(8)} ms ${f(r.b).padStart(8)} ms  ${r.ratio.toFixed(2)}×\n`);
  }
  return EXIT.OK;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      kernels: { type: "boolean" },
      compare: { type: "boolean" },
      child: { type: "string" },
      model: { type: "string" },
      precision: { type: "string" },
      backend: { type: "string" },
      threads: { type: "string" },
      size: { type: "string" },
      frames: { type: "string" },
      warmup: { type: "string" },
      out: { type: "string" },
      json: { type: "boolean" },
    },
  });
  if (values.child) {
    const result = await runChild(JSON.parse(values.child) as PipelineConfig).catch((e: Error) => ({ error: e.message }));
    process.stdout.write(`\n@@result ${JSON.stringify(result)}\n`);
    return EXIT.OK;
  }
  if (values.compare) {
    if (positionals.length !== 2) throw new EdgesegError("INVALID_ARGUMENT", "--compare takes two result files: edgeseg bench --compare A.json B.json");
    return compare(positionals[0]!, positionals[1]!, Boolean(values.json));
  }
  if (!values.kernels && positionals.length) throw new EdgesegError("INVALID_ARGUMENT", `Unexpected argument "${positionals[0]}" (kernel families go after --kernels)`);
  const dev = device();
  const outDir = values.out ?? "bench-out";
  let pipelines: PipelineResult[] = [];
  let kernels: KernelRow[] | null = null;
  if (values.kernels) kernels = runKernels(positionals);
  else {
    const backends = list(values.backend, "wasm");
    for (const b of backends) if (b !== "wasm" && b !== "native") throw new EdgesegError("INVALID_ARGUMENT", `Expected wasm or native for --backend but received "${b}"`);
    const precisions = list(values.precision, "int8");
    for (const p of precisions) if (p !== "int8" && p !== "fp32") throw new EdgesegError("INVALID_ARGUMENT", `Expected int8 or fp32 for --precision but received "${p}"`);
    const threads = list(values.threads, String(cpus().length)).map((t) => {
      const n = Number(t);
      if (!Number.isInteger(n) || n < 1 || n > 64) throw new EdgesegError("INVALID_ARGUMENT", `Expected thread counts between 1 and 64 for --threads but received "${t}"`);
      return n;
    });
    const sizes = list(values.size, "640x480").map(parseSize);
    const frames = Number(values.frames ?? 100);
    const warmup = Number(values.warmup ?? 5);
    if (!Number.isInteger(frames) || frames < 1) throw new EdgesegError("INVALID_ARGUMENT", `Expected a positive integer for --frames but received "${values.frames}"`);
    if (!Number.isInteger(warmup) || warmup < 0) throw new EdgesegError("INVALID_ARGUMENT", `Expected a non-negative integer for --warmup but received "${values.warmup}"`);
    const configs: PipelineConfig[] = [];
    for (const precision of precisions)
      for (const backend of backends)
        for (const t of threads)
          for (const [width, height] of sizes)
            configs.push({ model: values.model ?? join(packageRoot, "models", `defect-unet-${precision}.onnx`), precision: values.model ? "custom" : precision, backend: backend as "wasm" | "native", threads: t, width, height, frames, warmup });
    const bar = new ProgressBar(configs.length, "bench");
    for (const [i, config] of configs.entries()) {
      bar.update(i, `${config.precision} ${config.backend} t${config.threads} ${config.width}x${config.height}`);
      const child = spawnSync(process.execPath, [join(packageRoot, "bin", "edgeseg.js"), "bench", "--child", JSON.stringify(config)], { encoding: "utf8", maxBuffer: 1 << 24 });
      const line = child.stdout.split("\n").find((l) => l.startsWith("@@result "));
      const parsed = line ? JSON.parse(line.slice(9)) : { error: (child.stderr || `exit ${child.status}`).trim().split("\n").pop() };
      pipelines.push(parsed.error ? { config, stages: {}, fps: NaN, rssMB: { before: NaN, after: NaN }, wasmMB: NaN, error: parsed.error } : parsed);
    }
    bar.done();
  }
  await mkdir(outDir, { recursive: true });
  const result = { device: dev, pipelines, kernels };
  await writeFile(join(outDir, "bench.json"), JSON.stringify(result, null, 1));
  await writeFile(join(outDir, "bench.html"), pipelineHtml(dev, pipelines, kernels));
  if (values.json) process.stdout.write(JSON.stringify(result, null, 1) + "\n");
  else {
    if (pipelines.length) process.stdout.write(pipelineTable(pipelines).join("\n") + "\n");
    process.stdout.write(`\nwrote ${join(outDir, "bench.json")} and ${join(outDir, "bench.html")}\n`);
  }
  return pipelines.some((p) => p.error) ? EXIT.UNAVAILABLE : EXIT.OK;
}

export const command: Command = { summary: "latency per stage on this device, kernel speed against peers, reports", help: HELP, run };
