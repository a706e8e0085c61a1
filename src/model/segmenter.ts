// The Segmenter: frames in, masks and regions out, through an ONNX model.
//
//   frame ─ preprocess (normalize into the input tensor, per tile, padded) ─ onnxruntime ─
//   postprocess in WASM (sigmoid/softmax, crop, tile blending or bilinear upsampling of the
//   probabilities, threshold/argmax) ─ refinement (morphology, holes, small regions) ─ regions
//   (connected components with per-region mean/max confidence).
//
// Everything per frame lives in buffers this object owns in WASM memory (grow-only, keyed by
// purpose), so steady-state frames allocate no frame-sized memory of ours. onnxruntime-web itself
// copies the input into its own heap and returns each output in a fresh array (measured in
// bench/model.ts; a pre-allocated output is not filled by ORT-web 1.30, so it is not used there).
// onnxruntime-node writes straight into our output buffer.
import { EdgesegError } from "../core/errors.js";
import type { Image, Mask } from "../core/image.js";
import { WasmBuffer } from "../core/memory.js";
import * as v from "../core/validate.js";
import type { Region } from "../kernels/regions.js";
import { checkModel } from "./check.js";
import { checkOnnxBytes, DEFAULT_MODEL_URL, loadSidecar, type ModelSource, readBytes, sourceName } from "./io.js";
import { post, upsampleTableBytes } from "./postprocess.js";
import { fillInput, fillInputResized, type InputTransform, inputTransform } from "./preprocess.js";
import { type ConfidenceSource, findRegions, refineMask, type RefineOptions, type RegionStats } from "./refine.js";
import { type Backend, createSession, defaultThreads, type Ort, type OrtSession, type OrtTensor } from "./runtime.js";
import type { Sidecar } from "./sidecar.js";

/** Tiling settings: square tiles of `size` px overlapping their neighbours by `overlap` px. */
export interface TileOptions {
  size: number;
  overlap: number;
}

export interface SegmenterOptions {
  /**
   * The ONNX model: a path, a URL, or its bytes.
   * @default the bundled int8 defect model, models/defect-unet-int8.onnx in the package
   */
  model?: ModelSource;
  /**
   * The model's sidecar (see {@link Sidecar}): an object, or a path/URL of its JSON.
   * @default next to the model: `<model without .onnx>.json`, else `<model>.json`
   */
  sidecar?: Sidecar | Record<string, unknown> | string | URL;
  /**
   * "wasm" = onnxruntime-web (everywhere); "native" = onnxruntime-node (Node only, an optional
   * dependency: much faster on x86 and arm64 where it installs; same masks for int8 models).
   * @default "wasm"
   */
  backend?: Backend;
  /**
   * Inference threads. For "wasm" this sets onnxruntime-web's process-global `env.wasm.numThreads`
   * (fixed after the first session; browsers need cross-origin isolation for more than 1).
   * @default min(4, logical cores)
   */
  threads?: number;
  /** Foreground probability threshold (binary models). @default the sidecar's `threshold` */
  threshold?: number;
  /** Mask refinement after thresholding (see {@link RefineOptions}). @default none */
  refine?: RefineOptions;
  /**
   * Tile frames at this size with this overlap, blending overlapping probabilities; `false` = one
   * inference per frame (at native resolution for dynamic models, resized to the model's size for
   * fixed-size ones). @default native resolution for dynamic-size models; tiles at the model's size
   * (overlap from the sidecar, else size/8) for fixed-size models
   */
  tile?: TileOptions | false;
  /** Run dynamic-size models on the whole frame at its own resolution (padded to `multipleOf`). */
  nativeResolution?: boolean;
  /** Also return the per-pixel class index map. @default false */
  classMap?: boolean;
  /** Also return the per-class probability planes. @default false */
  probabilities?: boolean;
  /** Compute regions (connected components with confidence). @default true */
  regions?: boolean;
  /**
   * Size of the two warm-up runs at create (the first onnxruntime-web runs cost several times a
   * steady one), or false. @default the tile/model size, else 640×480
   */
  warmup?: { width: number; height: number } | false;
  /** An onnxruntime module to use instead of importing one (custom builds, bundles). */
  ort?: Ort;
}

/** Per-call options of {@link Segmenter.segment}. */
export interface SegmentOptions {
  /**
   * Return arrays the caller owns instead of views of the segmenter's buffers.
   * @default false
   */
  copy?: boolean;
}

/**
 * A connected region of one class, with the model's confidence over it. Area, bounding box and
 * centroid are those of {@link Region} (from `connectedComponents`).
 */
export interface SegmentRegion extends Pick<Region, "area" | "x" | "y" | "width" | "height" | "cx" | "cy"> {
  /** 1-based index within this result. */
  label: number;
  /** Class index (1.. for foreground classes; always 1 for binary models). */
  class: number;
  className: string;
  /** Mean and maximum probability of the region's class over its pixels. */
  meanConfidence: number;
  maxConfidence: number;
}

export interface SegmentTimings {
  preprocess: number;
  inference: number;
  postprocess: number;
  total: number;
}

/**
 * What `segment()` returns. Unless `{ copy: true }` was passed, `mask.data`, `classMap.data` and
 * `probabilities` are views of the segmenter's buffers: **valid until the next `segment()` or
 * `dispose()`**. Read `.data` again rather than keeping an old array across other edgeseg calls
 * (WASM memory growth detaches old views; the getters always return a live one).
 */
export interface SegmentResult {
  width: number;
  height: number;
  /** 0/255 foreground mask (any non-background class) at the frame's resolution. */
  mask: Mask;
  /** Class index per pixel (0 = background), when `classMap: true`. */
  classMap?: Mask;
  /**
   * Probability planes at the frame's resolution, when `probabilities: true`: one plane (the
   * foreground class) for binary models, else one plane per class, plane k at k·width·height.
   */
  probabilities?: Float32Array;
  regions: SegmentRegion[];
  timings: SegmentTimings;
}

type Mode = "native" | "tiled" | "resize";

interface Tile {
  x0: number;
  y0: number;
  w: number;
  h: number;
  rampL: number;
  rampR: number;
  rampT: number;
  rampB: number;
}

interface Plan {
  width: number;
  height: number;
  /** Model input width/height (every tile is padded to it). */
  mw: number;
  mh: number;
  tiles: Tile[];
}

const now = (): number => performance.now();
const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;

/** A view of a buffer as a mask image whose `data` is always live (re-created after memory growth). */
class LiveMask implements Mask {
  readonly channels = 1 as const;
  constructor(
    readonly width: number,
    readonly height: number,
    private readonly buffer: WasmBuffer,
  ) {}
  get data(): Uint8Array {
    return this.buffer.u8.subarray(0, this.width * this.height);
  }
}

/**
 * Runs a segmentation model on camera frames: preprocessing by edgeseg's kernels, inference in
 * onnxruntime (web or native), postprocessing in WASM, optional refinement, and regions.
 *
 * @example
 * const seg = await Segmenter.create({ threads: 2 });            // the bundled int8 defect model
 * const { mask, regions, timings } = await seg.segment(frame);    // frame: { width, height, channels: 3, data }
 * for (const r of regions) console.log(r.className, r.area, r.maxConfidence.toFixed(2));
 * seg.dispose();
 */
export class Segmenter {
  /** The validated sidecar of the loaded model. */
  readonly sidecar: Sidecar;
  readonly backend: Backend;
  /** Inference threads actually in use. */
  readonly threads: number;
  /** How frames are fed to the model: "native" (whole frame), "tiled", or "resize" (fixed-size model, no tiling). */
  readonly mode: Mode;
  readonly tile: TileOptions | null;
  readonly threshold: number;

  /** The threshold in logit space, ln(t / (1 - t)), for the binary fast path. */
  private readonly logitThreshold: number;
  private readonly ort: Ort;
  private session: OrtSession | null;
  private readonly transform: InputTransform;
  private readonly fixedSize: [number, number] | null;
  private readonly refineOptions: RefineOptions | undefined;
  private readonly wantClassMap: boolean;
  private readonly wantProbabilities: boolean;
  private readonly wantRegions: boolean;
  private readonly classes: number; // output channels (1 = binary)
  private readonly apply: boolean; // apply sigmoid/softmax
  private readonly buffers = new Map<string, WasmBuffer>();
  private plan: Plan | null = null;
  private inputTensor: { tensor: OrtTensor; buffer: ArrayBufferLike; mw: number; mh: number } | null = null;
  private outputTensor: { tensor: OrtTensor; buffer: ArrayBufferLike; mw: number; mh: number } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(init: {
    sidecar: Sidecar;
    backend: Backend;
    threads: number;
    ort: Ort;
    session: OrtSession;
    fixedSize: [number, number] | null;
    mode: Mode;
    tile: TileOptions | null;
    threshold: number;
    refine?: RefineOptions;
    classMap: boolean;
    probabilities: boolean;
    regions: boolean;
  }) {
    this.sidecar = init.sidecar;
    this.backend = init.backend;
    this.threads = init.threads;
    this.ort = init.ort;
    this.session = init.session;
    this.fixedSize = init.fixedSize;
    this.mode = init.mode;
    this.tile = init.tile;
    this.threshold = init.threshold;
    this.logitThreshold = Math.log(init.threshold / (1 - init.threshold));
    this.refineOptions = init.refine;
    this.wantClassMap = init.classMap;
    this.wantProbabilities = init.probabilities;
    this.wantRegions = init.regions;
    this.transform = inputTransform(init.sidecar);
    this.classes = init.sidecar.output.channels;
    this.apply = init.sidecar.output.kind === "logits";
  }

  /**
   * Loads the model and its sidecar, creates the onnxruntime session, checks the session against
   * the sidecar (names, ranks, channels, sizes: MODEL_MISMATCH lists every difference) and runs
   * one warm-up inference. All validation happens here; `segment()` only checks the frame.
   *
   * @example
   * const seg = await Segmenter.create({ model: "models/defect-unet-fp32.onnx", backend: "native", refine: { minArea: 20 } });
   */
  static async create(options: SegmenterOptions = {}): Promise<Segmenter> {
    const o = v.options("options", options, [
      "model", "sidecar", "backend", "threads", "threshold", "refine", "tile", "nativeResolution", "classMap", "probabilities", "regions", "warmup", "ort",
    ]);
    const backend = o.backend === undefined ? "wasm" : v.oneOf("options.backend", o.backend, ["wasm", "native"] as const);
    const threadsExplicit = o.threads !== undefined;
    const threads = threadsExplicit ? v.integer("options.threads", o.threads, 1, 64) : defaultThreads();
    const threshold = o.threshold === undefined ? undefined : v.number("options.threshold", o.threshold, 0, 1);
    const refine = o.refine === undefined ? undefined : validateRefine(o.refine);
    const classMap = o.classMap === undefined ? false : v.boolean("options.classMap", o.classMap);
    const probabilities = o.probabilities === undefined ? false : v.boolean("options.probabilities", o.probabilities);
    const regions = o.regions === undefined ? true : v.boolean("options.regions", o.regions);
    const nativeResolution = o.nativeResolution === undefined ? undefined : v.boolean("options.nativeResolution", o.nativeResolution);
    let tileOpt: TileOptions | false | undefined;
    if (o.tile === false || o.tile === undefined) tileOpt = o.tile;
    else {
      const t = v.options("options.tile", o.tile, ["size", "overlap"]);
      const size = v.integer("options.tile.size", t.size, 8, 8192);
      tileOpt = { size, overlap: v.integer("options.tile.overlap", t.overlap ?? 0, 0, Math.floor(size / 2)) };
    }
    if (tileOpt && nativeResolution) throw new EdgesegError("INVALID_ARGUMENT", "options.tile and options.nativeResolution exclude each other: choose one");
    let warmup: { width: number; height: number } | false | undefined;
    if (o.warmup === false || o.warmup === undefined) warmup = o.warmup;
    else {
      const w = v.options("options.warmup", o.warmup, ["width", "height"]);
      warmup = { width: v.integer("options.warmup.width", w.width, 1, v.MAX_DIMENSION), height: v.integer("options.warmup.height", w.height, 1, v.MAX_DIMENSION) };
    }

    // Model bytes and sidecar.
    const model: ModelSource = o.model ?? DEFAULT_MODEL_URL;
    let bytes: Uint8Array;
    let modelName: string;
    if (typeof model === "string" || model instanceof URL) {
      modelName = sourceName(model);
      bytes = await readBytes(model, "model");
    } else if (model instanceof Uint8Array || model instanceof ArrayBuffer) {
      modelName = "(bytes)";
      bytes = model instanceof Uint8Array ? model : new Uint8Array(model);
    } else {
      v.invalidParameter("options.model", "a path, URL, Uint8Array or ArrayBuffer", model);
    }
    checkOnnxBytes(bytes, modelName);
    const sidecar = await loadSidecar(o.sidecar, model);
    const sidecarName = typeof o.sidecar === "string" || o.sidecar instanceof URL ? sourceName(o.sidecar) : o.sidecar ? "(options.sidecar)" : `next to ${modelName}`;
    if (threshold !== undefined && sidecar.output.channels > 1) {
      throw new EdgesegError("INVALID_ARGUMENT", `options.threshold applies to binary models; ${sidecar.name} has ${sidecar.output.channels} classes and uses the argmax`);
    }

    const { ort, session, threads: usedThreads } = await createSession({ backend, threads, threadsExplicit, bytes, source: modelName, ort: o.ort });
    let seg: Segmenter | null = null;
    try {
      const { fixedSize } = checkModel(session, sidecar, modelName, sidecarName);
      // Inference mode.
      let mode: Mode;
      let tile: TileOptions | null = null;
      const sidecarTile = sidecar.inference?.tile ?? null;
      if (tileOpt) {
        mode = "tiled";
        tile = tileOpt;
      } else if (fixedSize) {
        if (nativeResolution) throw new EdgesegError("INVALID_ARGUMENT", `options.nativeResolution needs a model with a dynamic input size; ${sidecar.name} takes ${fixedSize[0]}×${fixedSize[1]} only`);
        if (tileOpt === false) mode = "resize";
        else {
          mode = "tiled";
          const size = Math.min(fixedSize[0], fixedSize[1]);
          tile = { size, overlap: sidecarTile && sidecarTile.size === size ? sidecarTile.overlap : Math.floor(size / 8) };
        }
      } else if (nativeResolution === false && sidecarTile) {
        mode = "tiled";
        tile = { ...sidecarTile };
      } else if (tileOpt === undefined && nativeResolution === undefined && sidecar.inference?.nativeResolution === false && sidecarTile) {
        mode = "tiled";
        tile = { ...sidecarTile };
      } else mode = "native";
      if (tile) {
        const m = sidecar.input.multipleOf;
        if (!fixedSize && tile.size % m !== 0) throw new EdgesegError("INVALID_ARGUMENT", `Expected options.tile.size to be a multiple of the model's multipleOf = ${m} but received ${tile.size}`);
        if (fixedSize && (tile.size > fixedSize[0] || tile.size > fixedSize[1])) {
          throw new EdgesegError("INVALID_ARGUMENT", `Expected options.tile.size ≤ the model's input size ${fixedSize[0]}×${fixedSize[1]} but received ${tile.size}`);
        }
      }
      seg = new Segmenter({
        sidecar, backend, threads: usedThreads, ort, session, fixedSize, mode, tile,
        threshold: threshold ?? sidecar.threshold, refine, classMap, probabilities, regions,
      });
      if (warmup !== false) {
        const size = warmup ?? (tile ? { width: tile.size, height: tile.size } : fixedSize ? { width: fixedSize[1], height: fixedSize[0] } : { width: 640, height: 480 });
        const frame = { width: size.width, height: size.height, channels: 3 as const, data: new Uint8Array(size.width * size.height * 3).fill(128) };
        // Two runs: the first pays onnxruntime-web's allocations, the second still runs partly in
        // V8's baseline wasm tier (measured: ~400, ~120, then ~60 ms steady for the bundled model).
        await seg.segment(frame);
        await seg.segment(frame);
      }
      return seg;
    } catch (e) {
      if (seg) seg.dispose();
      else await session.release().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Segments one frame (1, 3 or 4 channels; RGB order, alpha ignored; gray frames feed a colour
   * model as R=G=B) at its own resolution. Calls are serialized: a call made while another runs
   * waits for it. A frame that fails (bad image, NaN output) rejects with an EdgesegError and
   * leaves the segmenter usable for the next frame.
   *
   * @example
   * const { mask, regions } = await seg.segment(frame);
   * const kept = await seg.segment(frame, { copy: true }); // arrays the caller owns
   */
  segment(image: Image, options?: SegmentOptions): Promise<SegmentResult> {
    const run = this.queue.then(() => this.segmentNow(image, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Releases the session and every buffer; the segmenter is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const session = this.session;
    this.session = null;
    this.inputTensor = null;
    this.outputTensor = null;
    // Release after any in-flight frame; buffers too (a running frame still holds views).
    void this.queue.then(async () => {
      for (const b of this.buffers.values()) b.dispose();
      this.buffers.clear();
      await session?.release().catch(() => undefined);
    });
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private ensureAlive(): void {
    if (this.disposed || !this.session) throw new EdgesegError("DISPOSED", "This Segmenter was disposed; create a new one with Segmenter.create()");
  }

  /** A grow-only buffer owned by this segmenter. */
  private buf(key: string, bytes: number): WasmBuffer {
    const b = this.buffers.get(key);
    if (b && b.byteLength >= bytes) return b;
    b?.dispose();
    const created = new WasmBuffer(Math.max(16, bytes));
    this.buffers.set(key, created);
    return created;
  }

  private planFor(width: number, height: number): Plan {
    if (this.plan && this.plan.width === width && this.plan.height === height) return this.plan;
    const m = this.sidecar.input.multipleOf;
    let plan: Plan;
    if (this.mode === "native") {
      plan = { width, height, mw: roundUp(width, m), mh: roundUp(height, m), tiles: [{ x0: 0, y0: 0, w: width, h: height, rampL: 0, rampR: 0, rampT: 0, rampB: 0 }] };
    } else if (this.mode === "resize") {
      const [mh, mw] = this.fixedSize!;
      plan = { width, height, mw, mh, tiles: [{ x0: 0, y0: 0, w: width, h: height, rampL: 0, rampR: 0, rampT: 0, rampB: 0 }] };
    } else {
      const { size, overlap } = this.tile!;
      const tw = Math.min(size, width);
      const th = Math.min(size, height);
      const mw = this.fixedSize ? this.fixedSize[1] : roundUp(tw, m);
      const mh = this.fixedSize ? this.fixedSize[0] : roundUp(th, m);
      const xs = tilePositions(width, tw, overlap);
      const ys = tilePositions(height, th, overlap);
      const tiles: Tile[] = [];
      for (const y0 of ys) {
        for (const x0 of xs) {
          tiles.push({
            x0, y0, w: tw, h: th,
            rampL: x0 > 0 ? overlap : 0, rampR: x0 + tw < width ? overlap : 0,
            rampT: y0 > 0 ? overlap : 0, rampB: y0 + th < height ? overlap : 0,
          });
        }
      }
      plan = { width, height, mw, mh, tiles };
    }
    this.plan = plan;
    return plan;
  }

  /** Our input buffer (model input size) and a function returning a current view of it. */
  private inputBuffer(mw: number, mh: number): { ptr: number; view: () => Float32Array | Uint8Array | Int8Array } {
    const dtype = this.transform.dtype;
    const b = this.buf("input", this.transform.channels * mw * mh * (dtype === "float32" ? 4 : 1));
    const ctor = dtype === "float32" ? Float32Array : dtype === "uint8" ? Uint8Array : Int8Array;
    return { ptr: b.ptr, view: () => b.view(ctor as typeof Float32Array) };
  }

  /**
   * The ORT input tensor over our input buffer, re-created only when the size changes or WASM
   * memory grew (growth detaches the view it holds). Take it after filling the buffer.
   */
  private inputTensor_(mw: number, mh: number): OrtTensor {
    const c = this.transform.channels;
    const view = this.inputBuffer(mw, mh).view();
    const t = this.inputTensor;
    if (!t || t.mw !== mw || t.mh !== mh || t.buffer !== view.buffer) {
      const data = view.subarray(0, c * mw * mh);
      this.inputTensor = { tensor: new this.ort.Tensor(this.transform.dtype, data as Float32Array, [1, c, mh, mw]), buffer: view.buffer, mw, mh };
    }
    return this.inputTensor!.tensor;
  }

  /** The model's output for the input just fed, in our memory: returns its pointer. */
  private async infer(input: OrtTensor, mw: number, mh: number): Promise<number> {
    const session = this.session!;
    const outName = this.sidecar.output.name;
    const n = this.classes * mw * mh;
    const out = this.buf("output", n * 4);
    if (this.backend === "native") {
      // onnxruntime-node fills a pre-allocated output in place: ours, in WASM memory.
      const view = out.view(Float32Array);
      const t = this.outputTensor;
      if (!t || t.mw !== mw || t.mh !== mh || t.buffer !== view.buffer) {
        this.outputTensor = { tensor: new this.ort.Tensor("float32", view.subarray(0, n), [1, this.classes, mh, mw]), buffer: view.buffer, mw, mh };
      }
      await session.run({ [this.sidecar.input.name]: input }, { [outName]: this.outputTensor!.tensor });
      return out.ptr;
    }
    const result = await session.run({ [this.sidecar.input.name]: input });
    const tensor = result[outName]!;
    const data = tensor.data as Float32Array;
    if (data.length !== n) {
      throw new EdgesegError("INFERENCE_FAILED", `The model's output '${outName}' has ${data.length} values (dims [${tensor.dims.join(", ")}]) but ${n} were expected (1×${this.classes}×${mh}×${mw})`);
    }
    out.view(Float32Array).set(data);
    tensor.dispose();
    return out.ptr;
  }

  private async segmentNow(image: Image, options?: SegmentOptions): Promise<SegmentResult> {
    this.ensureAlive();
    const t0 = now();
    v.image("image", image, [1, 3, 4]);
    const copy = options === undefined ? false : v.boolean("options.copy", v.options("options", options, ["copy"]).copy ?? false);
    const { width: W, height: H } = image;
    const n = W * H;
    const plan = this.planFor(W, H);
    const C = this.classes;
    const planes = C === 1 ? 1 : C; // probability planes kept per pixel
    const k = post();
    const prob = this.buf("prob", planes * n * 4);
    const mask = this.buf("mask", n);
    const classMap = C > 1 ? this.buf("classMap", n) : null;
    const single = plan.tiles.length === 1 && this.mode === "native";
    const fast = single && C === 1 && this.apply && !this.wantProbabilities;
    let confidence: ConfidenceSource = (cls) => ({ ptr: prob.ptr + (C === 1 ? 0 : cls * n * 4), stride: W, apply: false });
    let wsum: WasmBuffer | null = null;
    if (this.mode === "tiled") {
      wsum = this.buf("wsum", n * 4);
      k.zeroF32(prob.ptr, planes * n);
      k.zeroF32(wsum.ptr, n);
    }
    let pre = 0;
    let inf = 0;
    let postT = 0;
    const { mw, mh } = plan;
    // Reserve every buffer of this frame before taking any view: an allocation that grows WASM
    // memory detaches the views (and the ORT tensors over them) taken before it.
    this.buf("output", C * mw * mh * 4);
    if (this.mode === "resize") {
      this.buf("tileProb", planes * mw * mh * 4);
      this.buf("upTable", upsampleTableBytes(W));
    } else if (this.mode === "tiled") this.buf("tileProb", planes * plan.tiles[0]!.w * plan.tiles[0]!.h * 4);
    for (const tile of plan.tiles) {
      let t = now();
      const input = this.inputBuffer(mw, mh);
      if (this.mode === "resize") fillInputResized(image, this.transform, input.view, mw, mh);
      else fillInput(image, tile.x0, tile.y0, tile.w, tile.h, this.transform, input.view, input.ptr, mw, mh);
      const tensor = this.inputTensor_(mw, mh);
      pre += now() - t;
      t = now();
      let outPtr: number;
      try {
        outPtr = await this.infer(tensor, mw, mh);
      } catch (e) {
        if (e instanceof EdgesegError) throw e;
        throw new EdgesegError("INFERENCE_FAILED", `onnxruntime failed on a ${mw}×${mh} input: ${(e as Error).message}`, { cause: e });
      }
      if (this.disposed) this.ensureAlive();
      inf += now() - t;
      t = now();
      const nans = k.countNaN(outPtr, C * mw * mh);
      if (nans > 0) {
        throw new EdgesegError("INFERENCE_FAILED", `The model output ${nans} NaN value${nans === 1 ? "" : "s"} (of ${C * mw * mh}) for this frame; the frame was dropped (check the input and the model)`);
      }
      const plane = mw * mh;
      if (fast) {
        // Binary, whole frame, no probability map wanted: threshold the logits directly; regions
        // apply the sigmoid to their own pixels only.
        k.logitMask(outPtr, mw, mask.ptr, W, H, this.logitThreshold);
        confidence = () => ({ ptr: outPtr, stride: mw, apply: true });
      } else if (single) {
        // Whole frame: heads write the frame buffers directly (crop of the padded output).
        if (C === 1) k.binaryHead(outPtr, mw, prob.ptr, mask.ptr, W, H, this.threshold, this.apply);
        else k.softmaxHead(outPtr, plane, mw, C, prob.ptr, classMap!.ptr, W, H, this.apply);
      } else if (this.mode === "resize") {
        const tp = this.buf("tileProb", planes * plane * 4);
        if (C === 1) k.binaryHead(outPtr, mw, tp.ptr, 0, mw, mh, this.threshold, this.apply);
        else k.softmaxHead(outPtr, plane, mw, C, tp.ptr, 0, mw, mh, this.apply);
        const tab = this.buf("upTable", upsampleTableBytes(W));
        for (let c = 0; c < planes; c++) {
          k.upsampleBilinear(tp.ptr + c * plane * 4, mw, mh, prob.ptr + c * n * 4, C === 1 ? mask.ptr : 0, W, H, this.threshold, tab.ptr);
        }
      } else {
        const tp = this.buf("tileProb", planes * tile.w * tile.h * 4);
        if (C === 1) k.binaryHead(outPtr, mw, tp.ptr, 0, tile.w, tile.h, this.threshold, this.apply);
        else k.softmaxHead(outPtr, plane, mw, C, tp.ptr, 0, tile.w, tile.h, this.apply);
        k.blendTile(tp.ptr, planes, tile.w, tile.h, prob.ptr, wsum!.ptr, W, H, tile.x0, tile.y0, tile.rampL, tile.rampR, tile.rampT, tile.rampB);
      }
      postT += now() - t;
    }
    let t = now();
    if (this.mode === "tiled") {
      k.divideByWeights(prob.ptr, wsum!.ptr, planes, n);
      if (C === 1) k.thresholdF32(prob.ptr, mask.ptr, n, this.threshold);
    }
    if (C > 1) {
      if (!single) k.argmaxPlanes(prob.ptr, n, C, classMap!.ptr);
      k.foregroundMask(classMap!.ptr, mask.ptr, n);
    }
    const maskImage = new LiveMask(W, H, mask);
    if (this.refineOptions) refineMask(maskImage, this.refineOptions, classMap ? { classMap: classMap, prob, classes: C } : undefined);
    let regions: SegmentRegion[] = [];
    if (this.wantRegions) {
      const stats: RegionStats = { labels: this.buf("labels", n * 4), sums: (b) => this.buf("regionSums", b), maxes: (b) => this.buf("regionMaxes", b), scratchMask: () => this.buf("classMask", n) };
      regions = findRegions(maskImage, confidence, classMap, C, this.sidecar.output.classes.map((c) => c.name), stats);
    }
    postT += now() - t;
    const result: SegmentResult = {
      width: W,
      height: H,
      mask: copy ? { width: W, height: H, channels: 1, data: maskImage.data.slice() } : maskImage,
      regions,
      timings: { preprocess: pre, inference: inf, postprocess: postT, total: now() - t0 },
    };
    if (this.wantClassMap) {
      if (classMap) {
        const cm = new LiveMask(W, H, classMap);
        result.classMap = copy ? { width: W, height: H, channels: 1, data: cm.data.slice() } : cm;
      } else {
        // Binary model: the class map is the mask with 1 for the foreground class.
        const buf = this.buf("classMap", n);
        const data = buf.u8;
        const m = maskImage.data;
        for (let i = 0; i < n; i++) data[i] = m[i]! ? 1 : 0;
        const cm = new LiveMask(W, H, buf);
        result.classMap = copy ? { width: W, height: H, channels: 1, data: cm.data.slice() } : cm;
      }
    }
    if (this.wantProbabilities) {
      const view = prob.view(Float32Array).subarray(0, planes * n);
      result.probabilities = copy ? view.slice() : view;
    }
    return result;
  }
}

/** Start offsets of tiles of `tile` px covering `size` px with at least `overlap` px overlap. */
export function tilePositions(size: number, tile: number, overlap: number): number[] {
  if (tile >= size) return [0];
  const step = Math.max(1, tile - overlap);
  const out: number[] = [];
  for (let p = 0; p + tile < size; p += step) out.push(p);
  out.push(size - tile);
  return out;
}

function validateRefine(value: unknown): RefineOptions {
  const r = v.options("options.refine", value as RefineOptions, ["open", "close", "fillHoles", "minArea"]);
  const out: RefineOptions = {};
  if (r.open !== undefined) out.open = v.oddInteger("options.refine.open", r.open, 1, 63);
  if (r.close !== undefined) out.close = v.oddInteger("options.refine.close", r.close, 1, 63);
  if (r.fillHoles !== undefined) out.fillHoles = v.boolean("options.refine.fillHoles", r.fillHoles);
  if (r.minArea !== undefined) out.minArea = v.integer("options.refine.minArea", r.minArea, 0, 1 << 30);
  return Object.freeze(out);
}

