// Benchmark of the full Segmenter.segment() (preprocess + inference + postprocess) with the bundled
// int8 model, onnxruntime-web with 1 and 2 threads and onnxruntime-node as the native peer.
//
//   node --import tsx bench/model.ts            full run (writes bench/results/model-<date>.json)
//   node --import tsx bench/model.ts --quick    fewer runs
//   node --import tsx bench/model.ts --model models/defect-unet-fp32.onnx
//
// Every configuration runs in its own child process: onnxruntime-web's thread count is
// process-global, and a native session's spinning threads would disturb a web one. A CPU probe
// (two busy workers vs one) is printed with the results: 2-thread figures only mean something when
// it reads about 2.0 (the machine is shared).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { arch, cpus, platform } from "node:os";
import { Worker } from "node:worker_threads";
import sharp from "sharp";
import type { Image } from "../src/core/image.js";
import { Segmenter, type SegmenterOptions } from "../src/index.js";

interface Config {
  label: string;
  backend: "wasm" | "native";
  threads: number;
  width: number;
  height: number;
  tile?: { size: number; overlap: number };
  runs: number;
  model?: string;
}

interface Stats {
  first: number;
  median: number;
  p10: number;
  p90: number;
  runs: number;
}

interface ChildResult {
  config: Config;
  create: number;
  total: Stats;
  preprocess: Stats;
  inference: Stats;
  postprocess: Stats;
  /** Median of (pre + post) / total per run. */
  prePostShare: number;
  mode: string;
  regions: number;
  foreground: number;
  /** onnxruntime-web copies the input tensor into its own heap each run: a memcpy of the same bytes, ms. */
  inputCopy: number;
}

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const modelArg = args.includes("--model") ? args[args.indexOf("--model") + 1] : undefined;

function stats(xs: number[], first: number): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
  return { first, median: at(0.5), p10: at(0.1), p90: at(0.9), runs: xs.length };
}

/** A real photograph (the shared test input) cropped/resized to the frame size, RGB. */
async function frame(width: number, height: number): Promise<Image> {
  const src = new URL("../test/fixtures/inputs/fruits1920x1080.png", import.meta.url).pathname;
  const { data, info } = await sharp(src).removeAlpha().resize(width, height, { fit: "cover" }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

async function child(config: Config): Promise<ChildResult> {
  const img = await frame(config.width, config.height);
  const options: SegmenterOptions = {
    backend: config.backend,
    threads: config.threads,
    warmup: { width: config.width, height: config.height },
  };
  if (config.model) options.model = config.model;
  if (config.tile) options.tile = config.tile;
  const t0 = performance.now();
  const seg = await Segmenter.create(options);
  const create = performance.now() - t0;
  const first = await seg.segment(img);
  const firstT = first.timings;
  const runs: Array<typeof firstT> = [];
  for (let i = 0; i < 3; i++) await seg.segment(img); // settle
  let last = first;
  for (let i = 0; i < config.runs; i++) {
    last = await seg.segment(img);
    runs.push(last.timings);
  }
  let fg = 0;
  const m = last.mask.data;
  for (let i = 0; i < m.length; i++) if (m[i]) fg++;
  const pick = (k: keyof typeof firstT): Stats => stats(runs.map((t) => t[k]), firstT[k]);
  const shares = runs.map((t) => (t.preprocess + t.postprocess) / t.total).sort((a, b) => a - b);
  // What ORT-web's own input copy costs: the same bytes, WASM view → another heap.
  const inputBytes = 3 * Math.ceil(config.width / 8) * 8 * Math.ceil(config.height / 8) * 8 * 4;
  const from = new Float32Array(new WebAssembly.Memory({ initial: Math.ceil(inputBytes / 65536) }).buffer, 0, inputBytes / 4).fill(0.5);
  const to = new Float32Array(inputBytes / 4);
  const copies: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t = performance.now();
    to.set(from);
    copies.push(performance.now() - t);
  }
  const result: ChildResult = {
    config,
    create,
    total: pick("total"),
    preprocess: pick("preprocess"),
    inference: pick("inference"),
    postprocess: pick("postprocess"),
    prePostShare: shares[Math.floor(shares.length / 2)]!,
    mode: seg.mode,
    regions: last.regions.length,
    foreground: fg / m.length,
    inputCopy: copies.sort((a, b) => a - b)[10]!,
  };
  seg.dispose();
  return result;
}

/** Ratio of the work two busy workers finish in a fixed time to what one finishes: ~2.0 = two free cores. */
async function cpuProbe(): Promise<number> {
  const code = `
    const { parentPort } = require("node:worker_threads");
    const end = Date.now() + 300; let n = 0, x = 0;
    while (Date.now() < end) { for (let i = 0; i < 1e5; i++) x += Math.sqrt(i); n++; }
    parentPort.postMessage(n + (x < 0 ? 1 : 0));`;
  const run = (k: number): Promise<number> =>
    Promise.all(Array.from({ length: k }, () => new Promise<number>((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once("message", (n: number) => (resolve(n), void w.terminate()));
      w.once("error", reject);
    }))).then((ns) => ns.reduce((a, b) => a + b, 0));
  const one = await run(1);
  const two = await run(2);
  return two / one;
}

function runChild(config: Config): ChildResult | { config: Config; error: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, "--child", JSON.stringify(config)], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
    timeout: 600_000,
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (r.status !== 0 || !line) return { config, error: (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ") };
  return JSON.parse(line.slice(7)) as ChildResult;
}

const f = (x: number): string => x.toFixed(x < 10 ? 2 : 1);

async function main(): Promise<void> {
  const n640 = quick ? 10 : 40;
  const n1080 = quick ? 3 : 10;
  const configs: Config[] = [];
  for (const [backend, threads] of [["wasm", 1], ["wasm", 2], ["native", 1], ["native", 2]] as const) {
    configs.push({ label: `${backend === "wasm" ? "onnxruntime-web" : "onnxruntime-node"} t${threads}`, backend, threads, width: 640, height: 480, runs: n640, model: modelArg });
  }
  for (const [backend, threads] of [["wasm", 2], ["native", 2]] as const) {
    const name = backend === "wasm" ? "onnxruntime-web" : "onnxruntime-node";
    configs.push({ label: `${name} t${threads} native-res`, backend, threads, width: 1920, height: 1080, runs: n1080, model: modelArg });
    configs.push({ label: `${name} t${threads} tiled 256/32`, backend, threads, width: 1920, height: 1080, tile: { size: 256, overlap: 32 }, runs: n1080, model: modelArg });
  }
  const probeBefore = await cpuProbe();
  console.log(`CPU probe (2 workers / 1): ${probeBefore.toFixed(2)}${probeBefore < 1.7 ? "  (the machine is busy: 2-thread figures are not meaningful)" : ""}`);
  const results: Array<ChildResult | { config: Config; error: string }> = [];
  console.log("\n| config | frame | mode | create ms | first ms | median ms | p10 | p90 | pre | inference | post | (pre+post)/total | input memcpy |");
  console.log("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const c of configs) {
    const r = runChild(c);
    results.push(r);
    if ("error" in r) {
      console.log(`| ${c.label} | ${c.width}x${c.height} | failed: ${r.error} |`);
      continue;
    }
    console.log(
      `| ${c.label} | ${c.width}x${c.height} | ${r.mode} | ${f(r.create)} | ${f(r.total.first)} | **${f(r.total.median)}** | ${f(r.total.p10)} | ${f(r.total.p90)} | ` +
        `${f(r.preprocess.median)} | ${f(r.inference.median)} | ${f(r.postprocess.median)} | ${(100 * r.prePostShare).toFixed(1)}% | ${f(r.inputCopy)} |`,
    );
  }
  const probeAfter = await cpuProbe();
  console.log(`\nCPU probe after: ${probeAfter.toFixed(2)}`);
  const web2 = results.find((r) => !("error" in r) && r.config.backend === "wasm" && r.config.threads === 2 && r.config.width === 640) as ChildResult | undefined;
  const targets = [
    { label: "segment() 640×480 int8 2 threads median ≤ 20 ms (onnxruntime-web)", pass: !!web2 && web2.total.median <= 20, value: web2 ? `${f(web2.total.median)} ms` : "n/a" },
    { label: "pre+post ≤ 10% of segment() (onnxruntime-web t2, 640×480)", pass: !!web2 && web2.prePostShare <= 0.1, value: web2 ? `${(100 * web2.prePostShare).toFixed(1)}%` : "n/a" },
  ];
  console.log("");
  for (const t of targets) console.log(`${t.pass ? "PASS" : "FAIL"}  ${t.label}: ${t.value}`);
  const dir = new URL("./results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`model-${new Date().toISOString().replace(/[:.]/g, "-")}.json`, dir);
  writeFileSync(
    file,
    JSON.stringify({ date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, platform: platform(), arch: arch(), node: process.version }, cpuProbe: [probeBefore, probeAfter], quick, results, targets }, null, 2) + "\n",
  );
  console.log(`\nwrote ${file.pathname}`);
}

if (args[0] === "--child") {
  const result = await child(JSON.parse(args[1]!) as Config);
  console.log("RESULT " + JSON.stringify(result));
  process.exit(0); // onnxruntime-web's worker threads keep the process alive otherwise
} else {
  await main();
}
