// What the loop runs on each frame: a classical pipeline (threshold → refine → regions) or the
// Segmenter (model → refine → regions), plus the "convert" stage from the source's pixel format.
import { EdgesegError } from "../core/errors.js";
import type { Image, Mask } from "../core/image.js";
import { WasmImage, allocImage } from "../core/memory.js";
import { i420ToRgb, nv12ToRgb, toGray, yuyvToGray, yuyvToRgb } from "../kernels/color.js";
import { fillHoles, removeSmallRegions } from "../kernels/components.js";
import { morphology } from "../kernels/morphology.js";
import { adaptiveThreshold, threshold as fixedThreshold, otsuThreshold } from "../kernels/threshold.js";
import { builtin } from "../sources/node.js";
import type { Frame, PixelFormat } from "../sources/types.js";
import type { Segmenter, SegmenterOptions } from "../model/index.js";
import type { ClassicalPipelineConfig, ModelPipelineConfig, PipelineConfig, RefineConfig } from "./config.js";
import { type DetectedRegion, filterRegions, labelRegions, wantedFeatures } from "./regions.js";

/** Per-frame timings a processor fills in (ms). */
export interface ProcessTimings {
  preprocess: number;
  inference: number;
  postprocess: number;
}

/** A processor's answer for one frame. `mask` is reused by the next frame. */
export interface ProcessResult {
  mask: Mask;
  regions: DetectedRegion[];
}

/** One pipeline. `process` may be async (model inference). */
export interface Processor {
  readonly kind: PipelineConfig["kind"];
  /** What `process` takes: gray or RGB images. */
  readonly input: "gray" | "rgb";
  /** A one-line description for the status header ("classical: otsu, open 3 → regions ≥ 20 px"). */
  readonly description: string;
  process(image: Image, timings: ProcessTimings): ProcessResult | Promise<ProcessResult>;
  /** Runs once on a blank frame of this size so first-frame allocations happen before the stream starts. */
  warmup(width: number, height: number): Promise<void>;
  dispose(): void | Promise<void>;
}

/** Processes one blank frame of the given size and discards the result. */
async function warmupWith(p: Processor, width: number, height: number): Promise<void> {
  const blank = allocImage(width, height, p.input === "gray" ? 1 : 3);
  try {
    blank.data.fill(128);
    await p.process(blank, { preprocess: 0, inference: 0, postprocess: 0 });
  } finally {
    blank.dispose();
  }
}

// ---- convert: source pixels → what the processor takes ----

type YuvConvert = (frame: { width: number; height: number; data: Uint8Array }, options: { out: Image }) => Image;
const TO_RGB: Partial<Record<PixelFormat, YuvConvert>> = { yuyv: yuyvToRgb, nv12: nv12ToRgb, i420: i420ToRgb };

/**
 * The pixel formats a source may deliver for a processor taking `input`. Sources pick the cheapest
 * they produce natively: camera YUYV/NV12 and decoded 4:2:0 are converted here by the SIMD kernels
 * (4:2:0 frames start with their Y plane, so gray from them costs nothing).
 */
export function acceptedFormats(input: "gray" | "rgb"): PixelFormat[] {
  return input === "gray" ? ["gray", "i420", "nv12", "yuyv", "rgb"] : ["yuyv", "nv12", "i420", "rgb"];
}

/** Turns frames into the images a processor takes, into one reused buffer (no per-frame allocation). */
export class Converter {
  private target: WasmImage | null = null;
  private yPlane: (Image & { source: Uint8Array | null }) | null = null;
  constructor(readonly input: "gray" | "rgb") {}

  convert(frame: Frame): Image {
    if (frame.image && frame.format === this.input) return frame.image;
    if (this.input === "gray" && (frame.format === "i420" || frame.format === "nv12")) {
      // The Y plane is the gray image: a view, no copy (re-made only when the buffer changes).
      const data = frame.data;
      if (!this.yPlane || this.yPlane.source !== data) {
        this.yPlane = { width: frame.width, height: frame.height, channels: 1, data: data.subarray(0, frame.width * frame.height), source: data };
      }
      return this.yPlane;
    }
    const channels = this.input === "gray" ? 1 : 3;
    if (!this.target || this.target.width !== frame.width || this.target.height !== frame.height) {
      this.target?.dispose();
      this.target = allocImage(frame.width, frame.height, channels);
    }
    const out = this.target;
    if (frame.format === "rgb" && this.input === "gray") {
      toGray(frame.image!, { out });
      return out;
    }
    if (frame.format === "yuyv" && this.input === "gray") {
      yuyvToGray(frame, { out });
      return out;
    }
    if (frame.format === "gray" && this.input === "rgb") {
      throw new EdgesegError("UNSUPPORTED_FORMAT", "A model pipeline needs color frames but the source delivers gray; drop the source's gray format");
    }
    const convert = TO_RGB[frame.format];
    if (!convert || this.input !== "rgb") throw new EdgesegError("UNSUPPORTED_FORMAT", `Cannot convert ${frame.format} frames to ${this.input}`);
    convert(frame, { out });
    return out;
  }

  dispose(): void {
    this.target?.dispose();
    this.target = null;
  }
}

// ---- refinement, shared by both pipelines ----

/** Applies open/close/fill/min-area to `mask` in place (through a reused scratch image). */
export class Refiner {
  private tmp: WasmImage | null = null;
  constructor(private readonly config: RefineConfig | undefined) {}

  get active(): boolean {
    const c = this.config ?? {};
    return Boolean(c.open || c.close || c.fillHoles || c.minArea);
  }

  describe(): string {
    const c = this.config ?? {};
    const parts = [c.open ? `open ${c.open}` : "", c.close ? `close ${c.close}` : "", c.fillHoles ? "fill holes" : "", c.minArea ? `remove < ${c.minArea} px` : ""];
    return parts.filter(Boolean).join(", ");
  }

  apply(mask: Mask): Mask {
    const c = this.config ?? {};
    if (!this.active) return mask;
    if (!this.tmp || this.tmp.width !== mask.width || this.tmp.height !== mask.height) {
      this.tmp?.dispose();
      this.tmp = allocImage(mask.width, mask.height, 1);
    }
    // Ping-pong between the mask and one scratch image; every kernel writes into `out` (zero-copy).
    let cur: Mask = mask;
    let other: Mask = this.tmp as Mask;
    const swap = () => ([cur, other] = [other, cur]);
    if (c.open) (morphology(cur, { op: "open", size: c.open, out: other }), swap());
    if (c.close) (morphology(cur, { op: "close", size: c.close, out: other }), swap());
    if (c.fillHoles) (fillHoles(cur, { out: other }), swap());
    if (c.minArea) (removeSmallRegions(cur, { minArea: c.minArea, out: other }), swap());
    if (cur !== mask) mask.data.set(cur.data);
    return mask;
  }

  dispose(): void {
    this.tmp?.dispose();
    this.tmp = null;
  }
}

// ---- classical ----

class ClassicalProcessor implements Processor {
  readonly kind = "classical" as const;
  readonly input = "gray" as const;
  readonly description: string;
  private mask: WasmImage | null = null;
  private readonly refiner: Refiner;
  private readonly thresholdFn: (img: Image, out: Mask) => Mask;

  constructor(private readonly config: ClassicalPipelineConfig) {
    this.refiner = new Refiner(config.refine);
    const t = config.threshold;
    const inverse = t.inverse ?? false;
    if (t.kind === "fixed") {
      this.thresholdFn = (img, out) => fixedThreshold(img, { value: t.value, inverse, out });
    } else if (t.kind === "otsu") {
      this.thresholdFn = (img, out) => otsuThreshold(img, { inverse, out }).mask;
    } else {
      const o = { method: t.method ?? "mean", blockSize: t.blockSize ?? 31, c: t.c ?? 5, inverse } as const;
      this.thresholdFn = (img, out) => adaptiveThreshold(img, { ...o, out });
    }
    const th = t.kind === "fixed" ? `threshold ${t.inverse ? "<=" : ">"} ${t.value}` : t.kind === "otsu" ? "Otsu threshold" : `adaptive ${t.method ?? "mean"} threshold (block ${t.blockSize ?? 31}, c ${t.c ?? 5})`;
    const r = config.regions ?? {};
    const refine = this.refiner.describe();
    this.description = `classical: ${th}${t.inverse && t.kind !== "fixed" ? " (inverse)" : ""}${refine ? `, ${refine}` : ""} → regions ≥ ${r.minArea ?? 1} px`;
  }

  warmup(width: number, height: number): Promise<void> {
    return warmupWith(this, width, height);
  }

  process(image: Image, timings: ProcessTimings): ProcessResult {
    const t0 = performance.now();
    if (!this.mask || this.mask.width !== image.width || this.mask.height !== image.height) {
      this.mask?.dispose();
      this.mask = allocImage(image.width, image.height, 1);
    }
    const mask = this.mask as Mask;
    this.thresholdFn(image, mask);
    const t1 = performance.now();
    this.refiner.apply(mask);
    const regions = filterRegions(labelRegions(mask, this.config.regions), this.config.regions);
    const t2 = performance.now();
    // No preprocessing in the classical pipeline: NaN keeps the stage out of the statistics.
    timings.preprocess = NaN;
    timings.inference = t1 - t0;
    timings.postprocess = t2 - t1;
    return { mask, regions };
  }

  dispose(): void {
    this.mask?.dispose();
    this.refiner.dispose();
  }
}

// ---- model ----

class ModelProcessor implements Processor {
  readonly kind = "model" as const;
  readonly input = "rgb" as const;
  // The Segmenter refines inside segment() when given `refine`; regions are filtered here.
  constructor(
    private readonly config: ModelPipelineConfig,
    private readonly segmenter: Segmenter,
    readonly description: string,
  ) {}

  warmup(width: number, height: number): Promise<void> {
    return warmupWith(this, width, height);
  }

  async process(image: Image, timings: ProcessTimings): Promise<ProcessResult> {
    const result = await this.segmenter.segment(image);
    const t1 = performance.now();
    const regions = filterRegions(this.withFeatures(result.mask, result.regions), this.config.regions);
    const t2 = performance.now();
    // The Segmenter times its own stages; region features and filters count as postprocessing.
    timings.preprocess = result.timings.preprocess;
    timings.inference = result.timings.inference;
    timings.postprocess = result.timings.postprocess + (t2 - t1);
    return { mask: result.mask, regions };
  }

  /**
   * The Segmenter's regions carry class and confidence but no blob features. When the config asks
   * for features (or selects on them), label the mask with the components kernel and attach each
   * region's class and confidence by its box and area (identical for binary models; a multi-class
   * blob split between classes keeps its features without a class).
   */
  private withFeatures(mask: Mask, regions: DetectedRegion[]): DetectedRegion[] {
    const filter = this.config.regions ?? {};
    const features = wantedFeatures(filter);
    if (features !== "all" && features.length === 0) return regions;
    const blobs = labelRegions(mask, filter);
    const key = (r: DetectedRegion) => `${r.x},${r.y},${r.width},${r.height},${r.area}`;
    const byKey = new Map(regions.map((r) => [key(r), r]));
    return blobs.map((b) => {
      const m = byKey.get(key(b));
      return m ? { ...b, class: m.class, className: m.className, meanConfidence: m.meanConfidence, maxConfidence: m.maxConfidence } : b;
    });
  }

  async dispose(): Promise<void> {
    await this.segmenter.dispose();
  }
}

async function createModelProcessor(config: ModelPipelineConfig): Promise<Processor> {
  if (config.model !== undefined && !builtin("node:fs").existsSync(config.model)) {
    throw new EdgesegError("IO_ERROR", `pipeline.model: no such model file: ${config.model}`);
  }
  // Loaded on demand: classical runs never pay for onnxruntime.
  const { Segmenter } = await import("../model/index.js");
  const r = config.refine ?? {};
  const backend = config.backend ?? "auto";
  const options: SegmenterOptions = { threads: config.threads ?? 2 };
  if (config.model !== undefined) options.model = config.model;
  if (config.threshold !== undefined) options.threshold = config.threshold;
  if (config.tile !== undefined) options.tile = config.tile === false ? false : { size: config.tile.size ?? 256, overlap: config.tile.overlap ?? 32 };
  if (config.refine) options.refine = { open: r.open, close: r.close, fillHoles: r.fillHoles, minArea: r.minArea };
  let segmenter: Segmenter;
  let note = "";
  let used = backend;
  if (backend === "auto") {
    // onnxruntime-node where it installed (several times faster), else onnxruntime-web.
    try {
      segmenter = await Segmenter.create({ ...options, backend: "native" });
      used = "native";
    } catch (e) {
      if (!(e instanceof EdgesegError) || e.code !== "BAD_CONFIG") throw e;
      segmenter = await Segmenter.create({ ...options, backend: "wasm" });
      used = "wasm";
      note = ", onnxruntime-node unavailable";
    }
  } else segmenter = await Segmenter.create({ ...options, backend });
  if (config.classes) {
    const list = segmenter.sidecar.output.classes.map((c) => c.name);
    const same = (a: string[]) => a.length === config.classes!.length && a.every((n, i) => n === config.classes![i]);
    // Either every class (background first, as in the sidecar) or only the foreground classes.
    if (!same(list) && !same(list.slice(1))) {
      await segmenter.dispose();
      throw new EdgesegError("MODEL_MISMATCH", `pipeline.classes is [${config.classes.join(", ")}] but the model ${config.model ?? "(bundled)"} has classes [${list.join(", ")}]`);
    }
  }
  const name = config.model ?? "bundled model";
  return new ModelProcessor(config, segmenter, `model: ${name} (${used}${note}, ${segmenter.threads} threads)${config.refine ? ", refined" : ""}`);
}

/** Builds the processor a validated pipeline config describes (loads the model for `model`). */
export async function createProcessor(config: PipelineConfig): Promise<Processor> {
  return config.kind === "classical" ? new ClassicalProcessor(config) : createModelProcessor(config);
}
