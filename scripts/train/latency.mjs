// Latency of candidate models at one frame size in onnxruntime-web (wasm) and onnxruntime-node.
// numThreads is process-global in ORT-web, so run one process per web thread count:
//   node scripts/train/latency.mjs --web-threads 2 [--node] [--h 480 --w 640 --runs 30] a.onnx b.onnx ...
// Prints one JSON line per (model, runtime). onnxruntime-node is loaded BEFORE onnxruntime-web
// (they share onnxruntime-common; the first one loaded owns the 'cpu' EP name) and every session's
// backend is checked by its handler class.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); if (i < 0) return d; const v = args[i + 1]; args.splice(i, 2); return v; };
const flag = (k) => { const i = args.indexOf(k); if (i < 0) return false; args.splice(i, 1); return true; };
const webThreads = Number(opt("--web-threads", "1"));
const H = Number(opt("--h", "480")), W = Number(opt("--w", "640"));
const runs = Number(opt("--runs", "30"));
const withNode = flag("--node");
const models = args;

const ortNode = withNode ? require("onnxruntime-node") : null;
const ortWeb = require("onnxruntime-web");
ortWeb.env.wasm.numThreads = webThreads;

// CPU probe: throughput of 2 workers running a fixed busy loop vs 1 (about 2.0 when two cores are free).
// The 2-thread rows only mean something when it reads near 2 (model-inference notes, gotcha 5).
async function probe() {
  const { Worker } = await import("node:worker_threads");
  const code = "const {parentPort}=require('node:worker_threads');let x=0;const t=performance.now();for(let i=0;i<3e7;i++)x=(x*1103515245+12345)%2147483647;parentPort.postMessage(performance.now()-t+x*0)";
  const run = (n) => Promise.all(Array.from({ length: n }, () => new Promise((res) => { const w = new Worker(code, { eval: true }); w.on("message", (t) => { res(t); w.terminate(); }); })));
  const t1 = Math.max(...(await run(1)));
  const t2 = Math.max(...(await run(2)));
  return +(2 * t1 / t2).toFixed(2);
}

function backendOf(s) { return s.handler?.constructor?.name ?? "?"; }

const median = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };

async function bench(ort, ep, file, threads) {
  const opts = { executionProviders: [ep], graphOptimizationLevel: "all" };
  if (ep === "cpu") { opts.intraOpNumThreads = threads; opts.extra = { session: { intra_op: { allow_spinning: "0" } } }; }
  const s = await ort.InferenceSession.create(readFileSync(file), opts);
  const x = new ort.Tensor("float32", new Float32Array(3 * H * W).map((_, i) => ((i * 2654435761) % 1000) / 500 - 1), [1, 3, H, W]);
  for (let i = 0; i < 5; i++) await s.run({ input: x });
  const t = [];
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); await s.run({ input: x }); t.push(performance.now() - t0); }
  const be = backendOf(s);
  await s.release();
  return { probe: await probe(), file, rt: ep === "cpu" ? "node" : "web", threads, backend: be, h: H, w: W, median: +median(t).toFixed(2), p10: +[...t].sort((a, b) => a - b)[Math.floor(runs * 0.1)].toFixed(2) };
}

console.log(JSON.stringify({ probe: await probe() }));
for (const f of models) {
  console.log(JSON.stringify(await bench(ortWeb, "wasm", f, webThreads)));
  if (ortNode) {
    console.log(JSON.stringify(await bench(ortNode, "cpu", f, 1)));
    console.log(JSON.stringify(await bench(ortNode, "cpu", f, 2)));
  }
}
