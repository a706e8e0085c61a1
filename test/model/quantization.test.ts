// The bundled models: (a) the int8 graphs are fully fused by ORT (no float convolution left),
// (b) onnxruntime-web (wasm) and onnxruntime-node give the same logits on real frames,
// (c) every sidecar JSON matches its model's real input/output names and channel counts.
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opCounts, parseOnnxGraph } from "../helpers/onnxproto.js";

const require = createRequire(import.meta.url);
// onnxruntime-node MUST be loaded before onnxruntime-web: both share one onnxruntime-common, and the
// first one loaded owns the 'cpu' EP name (model-inference notes, gotcha 3). Each session's backend is checked.
const ortNode = require("onnxruntime-node") as typeof import("onnxruntime-node");
const ortWeb = require("onnxruntime-web") as typeof import("onnxruntime-web");
ortWeb.env.wasm.numThreads = 1;

const MODELS = new URL("../../models/", import.meta.url);
const INPUTS = new URL("../fixtures/inputs/", import.meta.url);
const BINARY = ["defect-unet-int8", "defect-unet-fp32"];
const MULTI = ["multiclass-unet-int8", "multiclass-unet-fp32"];
const ALL = [...BINARY, ...MULTI];
const modelPath = (n: string) => new URL(`${n}.onnx`, MODELS).pathname;

interface Sidecar {
  name: string;
  task: string;
  input: { name: string; channels: number; layout: string; size: null | [number, number]; multipleOf: number; normalize: { mean: number[]; std: number[] } };
  output: { name: string; kind: string; channels: number; classes: { name: string; color: number[] }[] };
  threshold: number;
  quantization: null | { format: string };
  training: { metrics: Record<string, unknown> };
}
const sidecar = (n: string): Sidecar => JSON.parse(readFileSync(new URL(`${n}.json`, MODELS), "utf8"));

const backendOf = (s: unknown): string => (s as { handler?: { constructor?: { name?: string } } }).handler?.constructor?.name ?? "?";

/** Normalizes an RGB frame into a [1,3,H,W] float32 tensor as the sidecar says. */
function toTensor(rgb: Uint8Array, w: number, h: number, sc: Sidecar): Float32Array {
  const x = new Float32Array(3 * w * h);
  const { mean, std } = sc.input.normalize;
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < w * h; p++) x[c * w * h + p] = (rgb[p * 3 + c]! / 255 - mean[c]!) / std[c]!;
  }
  return x;
}

/** Real frames, cropped to a multiple of 32: fruits (photo), camera (gray photo as RGB), a held-out-texture
 * frame with painted defects made by scripts/train/data.py. */
async function frames(): Promise<{ name: string; w: number; h: number; rgb: Uint8Array }[]> {
  const specs: [string, URL, number, number][] = [
    ["fruits", new URL("fruits641x479.png", INPUTS), 640, 448],
    ["camera", new URL("camera.png", INPUTS), 256, 224],
    ["gravel-defects", new URL("../fixtures/model/gravel_defects.png", import.meta.url), 256, 256],
  ];
  const out = [];
  for (const [name, url, w, h] of specs) {
    const { data } = await sharp(readFileSync(url)).removeAlpha().toColourspace("srgb").extract({ left: 0, top: 0, width: w, height: h })
      .raw().toBuffer({ resolveWithObject: true });
    out.push({ name, w, h, rgb: new Uint8Array(data.buffer, data.byteOffset, w * h * 3) });
  }
  return out;
}

describe("bundled models exist with their sidecars", () => {
  for (const n of ALL) {
    it(n, () => {
      expect(existsSync(modelPath(n))).toBe(true);
      expect(existsSync(new URL(`${n}.json`, MODELS))).toBe(true);
    });
  }
});

describe("(a) int8 graphs are fully fused by onnxruntime (level 'extended')", () => {
  let dir = "";
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "edgeseg-fused-")); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const n of [BINARY[0]!, MULTI[0]!]) {
    it(n, async () => {
      const src = parseOnnxGraph(readFileSync(modelPath(n)));
      const convs = src.nodes.filter((x) => x.opType === "Conv").length;
      expect(convs).toBeGreaterThan(3);
      const out = join(dir, `${n}.opt.onnx`);
      const s = await ortNode.InferenceSession.create(modelPath(n), { graphOptimizationLevel: "extended", optimizedModelFilePath: out });
      expect(backendOf(s)).toBe("OnnxruntimeSessionHandler");
      await s.release();
      const counts = opCounts(parseOnnxGraph(readFileSync(out)));
      const summary = JSON.stringify(Object.fromEntries(counts));
      // every float Conv of the QDQ graph became one QLinearConv; no float convolution remains
      expect(counts.get("QLinearConv") ?? 0, summary).toBe(convs);
      for (const op of ["Conv", "FusedConv", "com.microsoft:FusedConv", "com.microsoft:NhwcFusedConv"]) expect(counts.get(op) ?? 0, `${op} in ${summary}`).toBe(0);
      // skip concats run in int8; one Q at the input and one DQ before the float DepthToSpace
      expect(counts.get("com.microsoft:QLinearConcat") ?? 0, summary).toBe(src.nodes.filter((x) => x.opType === "Concat").length);
      expect(counts.get("QuantizeLinear"), summary).toBe(1);
      expect(counts.get("DequantizeLinear"), summary).toBe(1);
    });
  }
});

describe("(b) onnxruntime-web (wasm) and onnxruntime-node agree on real frames", () => {
  for (const n of ALL) {
    const int8 = n.endsWith("int8");
    it(`${n}: ${int8 ? "bit-identical logits (U8S8)" : "logits within 2e-3, masks equal away from the threshold"}`, async () => {
      const sc = sidecar(n);
      const bytes = readFileSync(modelPath(n));
      const sn = await ortNode.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: 1 });
      const sw = await ortWeb.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
      expect(backendOf(sn)).toBe("OnnxruntimeSessionHandler");
      expect(backendOf(sw)).not.toBe("OnnxruntimeSessionHandler");
      let positives = 0;
      for (const f of await frames()) {
        const x = toTensor(f.rgb, f.w, f.h, sc);
        const dims = [1, 3, f.h, f.w];
        const a = (await sn.run({ input: new ortNode.Tensor("float32", x, dims) })).logits!;
        const b = (await sw.run({ input: new ortWeb.Tensor("float32", x, dims) })).logits!;
        expect(a.dims).toEqual([1, sc.output.channels, f.h, f.w]);
        expect(b.dims).toEqual(a.dims);
        const da = a.data as Float32Array, db = b.data as Float32Array;
        let maxDiff = 0, maskDiff = 0;
        const plane = f.w * f.h;
        for (let i = 0; i < da.length; i++) {
          const d = Math.abs(da[i]! - db[i]!);
          if (d > maxDiff || Number.isNaN(d)) maxDiff = Number.isNaN(d) ? Infinity : d;
        }
        if (sc.output.channels === 1) {
          for (let p = 0; p < plane; p++) {
            positives += da[p]! > 0 ? 1 : 0;
            if ((da[p]! > 0) !== (db[p]! > 0) && Math.abs(da[p]!) > 2e-3) maskDiff++;
          }
        } else {
          const C = sc.output.channels;
          for (let p = 0; p < plane; p++) {
            let ia = 0, ib = 0;
            for (let c = 1; c < C; c++) {
              if (da[c * plane + p]! > da[ia * plane + p]!) ia = c;
              if (db[c * plane + p]! > db[ib * plane + p]!) ib = c;
            }
            positives += ia > 0 ? 1 : 0;
            if (ia !== ib && Math.abs(da[ia * plane + p]! - da[ib * plane + p]!) > 4e-3) maskDiff++;
          }
        }
        expect(maxDiff, `${f.name}: max |node - web|`).toBeLessThanOrEqual(int8 ? 0 : 2e-3);
        expect(maskDiff, `${f.name}: mask pixels that differ`).toBe(0);
      }
      // the defect frame must light up something, or the comparison proves little
      expect(positives).toBeGreaterThan(50);
      await sn.release();
      await sw.release();
    });
  }
});

describe("(c) sidecars match their models", () => {
  for (const n of ALL) {
    it(n, async () => {
      const sc = sidecar(n);
      const s = await ortNode.InferenceSession.create(modelPath(n));
      expect(s.inputNames).toEqual([sc.input.name]);
      expect(s.outputNames).toEqual([sc.output.name]);
      const m = sc.input.multipleOf;
      expect(m).toBeGreaterThanOrEqual(1);
      const h = 2 * m, w = 3 * m;
      const r = await s.run({ [sc.input.name]: new ortNode.Tensor("float32", new Float32Array(3 * h * w), [1, sc.input.channels, h, w]) });
      expect(r[sc.output.name]!.dims).toEqual([1, sc.output.channels, h, w]);
      await s.release();
      expect(sc.input.layout).toBe("nchw");
      expect(sc.input.size).toBeNull();
      expect(sc.output.kind).toBe("logits");
      // 1 logit channel = binary with background + defect; C channels = one class each
      expect(sc.output.classes.length).toBe(sc.output.channels === 1 ? 2 : sc.output.channels);
      expect(sc.task).toBe(sc.output.channels === 1 ? "binary" : "multiclass");
      expect(sc.quantization === null).toBe(n.endsWith("fp32"));
      expect(sc.threshold).toBeGreaterThan(0);
      expect(sc.threshold).toBeLessThan(1);
    });
  }
});
