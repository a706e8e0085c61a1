// Kernel benchmark harness: each bench/kernels/<family>.ts exports `cases(ctx)`; run.ts times them
// side by side with opencv.js (same process), native OpenCV (child process, one thread) and a
// memcpy of the same bytes (the floor). Medians over many runs; the first run is reported apart.
import { createRequire } from "node:module";

export interface Peer {
  /** Runs once per timing sample; must do the same work as `ours`. */
  run: () => void;
  /** Frees what the peer allocated (opencv.js Mats). */
  dispose?: () => void;
}

export interface BenchCase {
  /** Kernel name as in the table, e.g. "threshold binary". */
  kernel: string;
  /** "1920x1080" etc. */
  size: string;
  /** edgeseg's call, with inputs and outputs already in WASM memory (like opencv.js's Mats in its heap). */
  ours: () => void;
  /** opencv.js doing the same, inputs already in its heap. */
  opencvjs?: Peer;
  /** Bytes moved by the floor memcpy: (input + output bytes) / 2. */
  floorBytes: number;
  /** Name of a case in bench/native/opencv_peer.py (native OpenCV, one thread). */
  native?: { name: string; args?: Record<string, unknown>; inputs: Record<string, NativeInput> };
  /** Ratios this case must meet (checked and printed as PASS/FAIL). */
  targets?: Array<{ label: string; check: (r: CaseResult) => boolean }>;
  dispose?: () => void;
}

/** An input handed to the native peer as a raw file (same pixels as ours). */
export interface NativeInput {
  width: number;
  height: number;
  channels: number;
  data: ArrayBufferView;
  dtype?: "uint8" | "int32";
}

export interface Timing {
  first: number;
  median: number;
  p10: number;
  p90: number;
  runs: number;
}

export interface CaseResult {
  kernel: string;
  size: string;
  ours: Timing;
  opencvjs?: Timing;
  native?: Timing;
  floor: Timing;
  vsOpencvjs?: number;
  vsNative?: number;
  vsFloor: number;
  targets: Array<{ label: string; pass: boolean }>;
}

export interface BenchContext {
  cv: any;
  /** Kernel results of other cases, for targets relating two cases (e.g. 15×15 vs 3×3). */
  results: Map<string, CaseResult>;
}

/**
 * Loads opencv.js 4.x (the pinned @techstark/opencv-js) and waits for its runtime. Its module
 * object is an Emscripten thenable that resolves to itself, so `await`ing it never settles:
 * wait through `then` once, then drop it.
 */
export async function loadOpenCvJs(): Promise<any> {
  const require = createRequire(import.meta.url);
  const cv = require("@techstark/opencv-js");
  if (!cv.Mat) {
    await new Promise<void>((resolve) => {
      if (typeof cv.then === "function") cv.then(() => resolve());
      else cv.onRuntimeInitialized = () => resolve();
    });
  }
  delete cv.then;
  return cv;
}

/** Times `fn`: one cold run, warm-ups, then samples until `minRuns` and `minMs` are both reached. */
export function time(fn: () => void, minRuns = 30, minMs = 300, maxRuns = 2000): Timing {
  let t = performance.now();
  fn();
  const first = performance.now() - t;
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while ((samples.length < minRuns || performance.now() - start < minMs) && samples.length < maxRuns) {
    t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  return { first, median: q(0.5), p10: q(0.1), p90: q(0.9), runs: samples.length };
}

const floorCache = new Map<number, Timing>();
/** A memcpy of `bytes` between two ArrayBuffers (filled, so pages are real). */
export function floorTiming(bytes: number): Timing {
  const cached = floorCache.get(bytes);
  if (cached) return cached;
  const a = new Uint8Array(bytes).map((_, i) => i * 31);
  const b = new Uint8Array(bytes);
  const t = time(() => b.set(a));
  floorCache.set(bytes, t);
  return t;
}

/** Fills a buffer with a deterministic, realistic pattern (untouched pages make kernels look 2× faster). */
export function fillRealistic(data: Uint8Array, width: number, channels = 1): void {
  for (let i = 0; i < data.length; i++) {
    const px = Math.floor(i / channels);
    const x = px % width;
    const y = Math.floor(px / width);
    const v = 128 + 60 * Math.sin(x / 37) * Math.cos(y / 23) + 40 * Math.sin((x + y) / 7) + ((i * 2654435761) >>> 28);
    data[i] = Math.max(0, Math.min(255, v | 0));
  }
}

/**
 * Compiles a small AssemblyScript source of bound probes (micro-kernels that measure what the hardware
 * allows, e.g. bench/histogram-bound.ts) and instantiates it; `pages` is its initial memory.
 */
export async function compileProbes<T>(source: string, pages: number): Promise<T & { memory: WebAssembly.Memory }> {
  const { default: asc } = await import("assemblyscript/asc");
  const { binary, stderr } = await asc.compileString(source, { optimizeLevel: 3, runtime: "stub", noAssert: true, initialMemory: pages, enable: ["simd"] } as never);
  if (!binary) throw new Error(`probe compile failed: ${stderr.toString()}`);
  const abort = () => {
    throw new Error("probe abort");
  };
  return new WebAssembly.Instance(new WebAssembly.Module(binary as BufferSource), { env: { abort } }).exports as T & { memory: WebAssembly.Memory };
}
