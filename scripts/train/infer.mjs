// Batch inference through a real runtime, for scripts/train/evaluate.py.
//   node scripts/train/infer.mjs <model.onnx> <images.u8> <out.f32> <N> <H> <W> [node|web] [threads]
// images.u8: N*H*W*3 uint8 RGB (NHWC); normalization from the model's sidecar JSON (same basename).
// out.f32: N*C*H*W float32 logits. Prints one JSON line with the backend that actually ran.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync, existsSync } from "node:fs";

const require = createRequire(import.meta.url);
const [modelPath, inPath, outPath, n, h, w, rt = "node", threads = "1"] = process.argv.slice(2);
const N = Number(n), H = Number(h), W = Number(w);
// onnxruntime-node first: it and onnxruntime-web share onnxruntime-common (see the model-inference notes)
const ort = rt === "node" ? require("onnxruntime-node") : require("onnxruntime-web");
if (rt === "web") ort.env.wasm.numThreads = Number(threads);
const sidecarPath = modelPath.replace(/\.onnx$/, ".json");
const side = existsSync(sidecarPath) ? JSON.parse(readFileSync(sidecarPath, "utf8")) : null;
const { mean, std } = side?.input?.normalize ?? { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
const opts = rt === "node"
  ? { executionProviders: ["cpu"], intraOpNumThreads: Number(threads), graphOptimizationLevel: "all" }
  : { executionProviders: ["wasm"], graphOptimizationLevel: "all" };
const s = await ort.InferenceSession.create(readFileSync(modelPath), opts);
const img = readFileSync(inPath);
const plane = H * W;
const x = new Float32Array(3 * plane);
let out = null;
let C = 0;
for (let i = 0; i < N; i++) {
  const base = i * plane * 3;
  for (let c = 0; c < 3; c++) {
    const m = mean[c], k = 1 / (255 * std[c]), off = m / std[c];
    for (let p = 0; p < plane; p++) x[c * plane + p] = img[base + p * 3 + c] * k - off;
  }
  const r = await s.run({ [s.inputNames[0]]: new ort.Tensor("float32", x, [1, 3, H, W]) });
  const y = r[s.outputNames[0]];
  if (!out) { C = y.dims[1]; out = new Float32Array(N * C * plane); }
  out.set(y.data, i * C * plane);
}
writeFileSync(outPath, Buffer.from(out.buffer));
console.log(JSON.stringify({ backend: s.handler?.constructor?.name, rt, channels: C }));
