// The run configuration (a JSON file or CLI flags), validated once with errors that name the key.
import { EdgesegError } from "../core/errors.js";
import * as v from "../core/validate.js";
import { FEATURE_NAMES, REGION_FIELDS } from "../kernels/regions.js";
import type { MqttSinkOptions } from "../sinks/mqtt.js";
import type { OverlaySinkOptions } from "../sinks/overlay.js";
import type { DeliveryMode } from "../sources/types.js";
import type { RegionFilter } from "./regions.js";

/** Mask refinement after thresholding or inference. */
export interface RefineConfig {
  /** Morphological opening with a square of this (odd) size: removes specks. @default 0 (off) */
  open?: number;
  /** Morphological closing with a square of this (odd) size: bridges gaps. @default 0 (off) */
  close?: number;
  /** Fill holes inside regions. @default false */
  fillHoles?: boolean;
  /** Remove regions smaller than this from the mask itself. @default 0 (off) */
  minArea?: number;
}

export type ThresholdConfig =
  | { kind: "fixed"; value: number; inverse?: boolean }
  | { kind: "otsu"; inverse?: boolean }
  | { kind: "adaptive"; method?: "mean" | "gaussian"; blockSize?: number; c?: number; inverse?: boolean };

/** Thresholding on gray frames: no model. */
export interface ClassicalPipelineConfig {
  kind: "classical";
  threshold: ThresholdConfig;
  refine?: RefineConfig;
  regions?: RegionFilter;
}

/** The Segmenter (a trained model) on RGB frames. */
export interface ModelPipelineConfig {
  kind: "model";
  /** Path of the .onnx model (its sidecar JSON beside it). @default the bundled defect model */
  model?: string;
  /** onnxruntime-web ("wasm"), onnxruntime-node ("native"), or "auto": native where it is installed, else wasm. @default "auto" */
  backend?: "auto" | "wasm" | "native";
  /** Inference threads. @default 2 */
  threads?: number;
  /** Probability threshold, 0–1. @default the model's recommended threshold */
  threshold?: number;
  /** Tile frames (size default 256, overlap default 32); `false` for one inference per frame. @default the Segmenter's choice for the model */
  tile?: { size?: number; overlap?: number } | false;
  /** Class names the model must have (checked against its sidecar). */
  classes?: string[];
  refine?: RefineConfig;
  regions?: RegionFilter;
}

export type PipelineConfig = ClassicalPipelineConfig | ModelPipelineConfig;

export interface SourceConfig {
  /** A source URI (see `edgeseg run --help`). */
  uri: string;
  width?: number;
  height?: number;
  fps?: number;
  /** Pace a file at its frame rate like a camera. @default false */
  realtime?: boolean;
  loop?: boolean;
  /** Reopen attempts when the source fails. @default 0 (3 for cameras and streams) */
  retry?: number;
  retryDelayMs?: number;
  /** `latest` (drop stale frames) or `every` (process every frame). @default latest for live sources, every for files */
  mode?: DeliveryMode;
}

export interface JsonlSinkConfig {
  /** A file path, or "-" for stdout. */
  path: string;
  /** Write every Nth frame's record (1 = all). @default 1 */
  every?: number;
}

/** The `overlays` sink's config keys: its options minus the internal back-pressure bound. */
export type OverlaySinkConfig = Omit<OverlaySinkOptions, "maxPending">;

/** The `mqtt` sink's config keys: its options minus the internal in-flight bound. */
export type MqttSinkConfig = Omit<MqttSinkOptions, "maxInFlight">;

export interface PreviewSinkConfig {
  /** TCP port on 127.0.0.1 (0 = any free port). @default 8080 */
  port?: number;
  /** Interface to listen on. Only loopback unless you mean it. @default "127.0.0.1" */
  host?: string;
  /** Maximum preview frames per second. @default 10 */
  fps?: number;
}

export interface SinksConfig {
  jsonl?: JsonlSinkConfig;
  overlays?: OverlaySinkConfig;
  mqtt?: MqttSinkConfig;
  preview?: PreviewSinkConfig;
}

export interface LoopConfig {
  /** Stop after this many frames (0 = no limit). @default 0 */
  maxFrames?: number;
  /** Stop after this many seconds (0 = no limit). @default 0 */
  duration?: number;
  /** Seconds between live status updates. @default 1 */
  statusInterval?: number;
}

/** Everything `edgeseg run` needs. */
export interface RunConfig {
  source: SourceConfig;
  pipeline: PipelineConfig;
  sinks: SinksConfig;
  loop: LoopConfig;
}

// ---- validation ----

type Obj = Record<string, unknown>;

function obj(name: string, value: unknown, allowed: readonly string[], required = false): Obj | undefined {
  if (value === undefined && !required) return undefined;
  if (!v.isObject(value)) v.invalidParameter(name, "an object", value);
  v.knownKeys(name, value, allowed);
  return value;
}

const opt = <T>(value: unknown, check: (x: unknown) => T): T | undefined => (value === undefined ? undefined : check(value));

function str(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) v.invalidParameter(name, "a non-empty string", value);
  return value;
}

function refine(name: string, value: unknown): RefineConfig | undefined {
  const o = obj(name, value, ["open", "close", "fillHoles", "minArea"]);
  if (!o) return undefined;
  const size = (k: string) => opt(o[k], (x) => (x === 0 ? 0 : v.oddInteger(`${name}.${k}`, x, 1, 99)));
  return {
    open: size("open"),
    close: size("close"),
    fillHoles: opt(o.fillHoles, (x) => v.boolean(`${name}.fillHoles`, x)),
    minArea: opt(o.minArea, (x) => v.integer(`${name}.minArea`, x, 0, 1e9)),
  };
}

function range(name: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || value.some((x) => typeof x !== "number" || Number.isNaN(x)) || value[0] > value[1]) {
    v.invalidParameter(name, "a [min, max] pair of numbers", value);
  }
  return [value[0], value[1]];
}

function regions(name: string, value: unknown): RegionFilter | undefined {
  const o = obj(name, value, ["connectivity", "minArea", "maxArea", "features", "select", "maxRegions"]);
  if (!o) return undefined;
  let features: string[] | "all" | undefined;
  if (o.features !== undefined) {
    if (o.features === "all") features = "all";
    else if (Array.isArray(o.features)) features = o.features.map((f, i) => v.oneOf(`${name}.features[${i}]`, f, FEATURE_NAMES));
    else v.invalidParameter(`${name}.features`, '"all" or an array of feature names', o.features);
  }
  let select: Record<string, [number, number]> | undefined;
  if (o.select !== undefined) {
    if (!v.isObject(o.select)) v.invalidParameter(`${name}.select`, "an object of { feature: [min, max] }", o.select);
    select = Object.fromEntries(
      Object.entries(o.select).map(([k, r]) => {
        v.oneOf(`a key of ${name}.select`, k, REGION_FIELDS);
        return [k, range(`${name}.select.${k}`, r)];
      }),
    );
  }
  return {
    connectivity: opt(o.connectivity, (x) => v.oneOf(`${name}.connectivity`, x, [4, 8] as const)),
    minArea: opt(o.minArea, (x) => v.integer(`${name}.minArea`, x, 0, 1e9)),
    maxArea: opt(o.maxArea, (x) => v.number(`${name}.maxArea`, x, 0)),
    features,
    select,
    maxRegions: opt(o.maxRegions, (x) => v.integer(`${name}.maxRegions`, x, 1, 100000)),
  };
}

function threshold(name: string, value: unknown): ThresholdConfig {
  if (typeof value === "number") return { kind: "fixed", value: v.number(name, value, 0, 255) };
  if (value === "otsu") return { kind: "otsu" };
  if (value === "adaptive") return { kind: "adaptive" };
  const o = obj(name, value, ["kind", "value", "inverse", "method", "blockSize", "c"], true)!;
  const kind = v.oneOf(`${name}.kind`, o.kind, ["fixed", "otsu", "adaptive"] as const);
  const inverse = opt(o.inverse, (x) => v.boolean(`${name}.inverse`, x));
  const misplaced = (keys: string[]) => {
    for (const k of keys) if (o[k] !== undefined) throw new EdgesegError("INVALID_ARGUMENT", `${name}.${k} does not apply to a threshold of kind "${kind}"`);
  };
  if (kind === "fixed") {
    misplaced(["method", "blockSize", "c"]);
    return { kind, value: v.number(`${name}.value`, o.value, 0, 255), inverse };
  }
  if (kind === "otsu") {
    misplaced(["value", "method", "blockSize", "c"]);
    return { kind, inverse };
  }
  misplaced(["value"]);
  return {
    kind,
    method: opt(o.method, (x) => v.oneOf(`${name}.method`, x, ["mean", "gaussian"] as const)),
    blockSize: opt(o.blockSize, (x) => v.oddInteger(`${name}.blockSize`, x, 3, 163)),
    c: opt(o.c, (x) => v.number(`${name}.c`, x, -255, 255)),
    inverse,
  };
}

function pipeline(name: string, value: unknown): PipelineConfig {
  const o = obj(name, value, ["kind", "threshold", "refine", "regions", "model", "backend", "threads", "tile", "classes"], true)!;
  const kind = v.oneOf(`${name}.kind`, o.kind, ["classical", "model"] as const);
  if (kind === "classical") {
    for (const k of ["model", "backend", "threads", "tile", "classes"]) {
      if (o[k] !== undefined) throw new EdgesegError("INVALID_ARGUMENT", `${name}.${k} applies to a model pipeline, not to "classical"`);
    }
    if (o.threshold === undefined) throw new EdgesegError("INVALID_ARGUMENT", `${name}.threshold is required for a classical pipeline (a number 0–255, "otsu", "adaptive", or { kind, … })`);
    return { kind, threshold: threshold(`${name}.threshold`, o.threshold), refine: refine(`${name}.refine`, o.refine), regions: regions(`${name}.regions`, o.regions) };
  }
  let tile: ModelPipelineConfig["tile"];
  if (o.tile === false) tile = false;
  else if (o.tile !== undefined) {
    const t = obj(`${name}.tile`, o.tile, ["size", "overlap"])!;
    tile = { size: opt(t.size, (x) => v.integer(`${name}.tile.size`, x, 16, 4096)), overlap: opt(t.overlap, (x) => v.integer(`${name}.tile.overlap`, x, 0, 1024)) };
  }
  let classes: string[] | undefined;
  if (o.classes !== undefined) {
    if (!Array.isArray(o.classes) || o.classes.length === 0 || !o.classes.every((c) => typeof c === "string")) v.invalidParameter(`${name}.classes`, "a non-empty array of class names", o.classes);
    classes = o.classes as string[];
  }
  return {
    kind,
    model: opt(o.model, (x) => str(`${name}.model`, x)),
    backend: opt(o.backend, (x) => v.oneOf(`${name}.backend`, x, ["auto", "wasm", "native"] as const)),
    threads: opt(o.threads, (x) => v.integer(`${name}.threads`, x, 1, 64)),
    threshold: opt(o.threshold, (x) => v.number(`${name}.threshold`, x, 0, 1)),
    tile,
    classes,
    refine: refine(`${name}.refine`, o.refine),
    regions: regions(`${name}.regions`, o.regions),
  };
}

function source(name: string, value: unknown): SourceConfig {
  if (typeof value === "string") return { uri: value };
  const o = obj(name, value, ["uri", "width", "height", "fps", "realtime", "loop", "retry", "retryDelayMs", "mode"], true)!;
  return {
    uri: str(`${name}.uri`, o.uri),
    width: opt(o.width, (x) => v.integer(`${name}.width`, x, 1, v.MAX_DIMENSION)),
    height: opt(o.height, (x) => v.integer(`${name}.height`, x, 1, v.MAX_DIMENSION)),
    fps: opt(o.fps, (x) => v.number(`${name}.fps`, x, 0.01, 1000)),
    realtime: opt(o.realtime, (x) => v.boolean(`${name}.realtime`, x)),
    loop: opt(o.loop, (x) => v.boolean(`${name}.loop`, x)),
    retry: opt(o.retry, (x) => v.integer(`${name}.retry`, x, 0, 1_000_000)),
    retryDelayMs: opt(o.retryDelayMs, (x) => v.integer(`${name}.retryDelayMs`, x, 0, 600_000)),
    mode: opt(o.mode, (x) => v.oneOf(`${name}.mode`, x, ["latest", "every"] as const)),
  };
}

function sinks(name: string, value: unknown): SinksConfig {
  const o = obj(name, value, ["jsonl", "overlays", "mqtt", "preview"]) ?? {};
  const out: SinksConfig = {};
  if (o.jsonl !== undefined) {
    const j = typeof o.jsonl === "string" ? { path: o.jsonl } : obj(`${name}.jsonl`, o.jsonl, ["path", "every"], true)!;
    out.jsonl = { path: str(`${name}.jsonl.path`, j.path), every: opt(j.every, (x) => v.integer(`${name}.jsonl.every`, x, 1, 1e9)) };
  }
  if (o.overlays !== undefined) {
    const j = typeof o.overlays === "string" ? { dir: o.overlays } : obj(`${name}.overlays`, o.overlays, ["dir", "every", "onDefect", "defectGap", "format", "quality", "max"], true)!;
    out.overlays = {
      dir: str(`${name}.overlays.dir`, j.dir),
      every: opt(j.every, (x) => v.integer(`${name}.overlays.every`, x, 0, 1e9)),
      onDefect: opt(j.onDefect, (x) => v.boolean(`${name}.overlays.onDefect`, x)),
      defectGap: opt(j.defectGap, (x) => v.integer(`${name}.overlays.defectGap`, x, 0, 1e9)),
      format: opt(j.format, (x) => v.oneOf(`${name}.overlays.format`, x, ["png", "jpeg"] as const)),
      quality: opt(j.quality, (x) => v.integer(`${name}.overlays.quality`, x, 1, 100)),
      max: opt(j.max, (x) => v.integer(`${name}.overlays.max`, x, 0, 1e9)),
    };
  }
  if (o.mqtt !== undefined) {
    const j = typeof o.mqtt === "string" ? { url: o.mqtt } : obj(`${name}.mqtt`, o.mqtt, ["url", "prefix", "device", "statsInterval", "queue", "reconnectMs", "clientId"], true)!;
    const url = str(`${name}.mqtt.url`, j.url);
    if (!/^mqtts?:\/\/|^wss?:\/\//.test(url)) v.invalidParameter(`${name}.mqtt.url`, "an mqtt://, mqtts://, ws:// or wss:// URL", url);
    const topicPart = (k: string) =>
      opt(j[k], (x) => {
        const s = str(`${name}.mqtt.${k}`, x);
        if (/[#+\u0000]/.test(s)) v.invalidParameter(`${name}.mqtt.${k}`, "a topic part without #, + or NUL", s);
        return s;
      });
    out.mqtt = {
      url,
      prefix: topicPart("prefix"),
      device: topicPart("device"),
      statsInterval: opt(j.statsInterval, (x) => v.number(`${name}.mqtt.statsInterval`, x, 0.1, 86400)),
      queue: opt(j.queue, (x) => v.integer(`${name}.mqtt.queue`, x, 1, 1_000_000)),
      reconnectMs: opt(j.reconnectMs, (x) => v.integer(`${name}.mqtt.reconnectMs`, x, 10, 600_000)),
      clientId: opt(j.clientId, (x) => str(`${name}.mqtt.clientId`, x)),
    };
  }
  if (o.preview !== undefined) {
    const j = typeof o.preview === "number" ? { port: o.preview } : obj(`${name}.preview`, o.preview, ["port", "host", "fps"], true)!;
    out.preview = {
      port: opt(j.port, (x) => v.integer(`${name}.preview.port`, x, 0, 65535)),
      host: opt(j.host, (x) => str(`${name}.preview.host`, x)),
      fps: opt(j.fps, (x) => v.number(`${name}.preview.fps`, x, 0.1, 120)),
    };
  }
  return out;
}

/**
 * Validates a run configuration (a parsed JSON file). Every error names the offending key, e.g.
 * `Expected an integer between 1 and 64 for pipeline.threads but received 0 of type number`.
 * Throws EdgesegError with code BAD_CONFIG.
 */
export function validateConfig(value: unknown, origin = "config"): RunConfig {
  try {
    const o = obj("the config", value, ["$schema", "description", "source", "pipeline", "sinks", "loop"], true)!;
    if (o.source === undefined) throw new EdgesegError("INVALID_ARGUMENT", `"source" is required (a URI string or { uri, … })`);
    if (o.pipeline === undefined) throw new EdgesegError("INVALID_ARGUMENT", `"pipeline" is required ({ "kind": "classical", … } or { "kind": "model", … })`);
    const l = obj("loop", o.loop, ["maxFrames", "duration", "statusInterval"]) ?? {};
    return {
      source: source("source", o.source),
      pipeline: pipeline("pipeline", o.pipeline),
      sinks: sinks("sinks", o.sinks),
      loop: {
        maxFrames: opt(l.maxFrames, (x) => v.integer("loop.maxFrames", x, 0, Number.MAX_SAFE_INTEGER)),
        duration: opt(l.duration, (x) => v.number("loop.duration", x, 0)),
        statusInterval: opt(l.statusInterval, (x) => v.number("loop.statusInterval", x, 0.05, 3600)),
      },
    };
  } catch (e) {
    if (e instanceof EdgesegError && e.code !== "BAD_CONFIG") throw new EdgesegError("BAD_CONFIG", `${origin}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Reads and validates a JSON config file. */
export function loadConfig(path: string, readFile: (p: string) => string): RunConfig {
  let text: string;
  try {
    text = readFile(path);
  } catch (e) {
    throw new EdgesegError("BAD_CONFIG", `Cannot read the config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EdgesegError("BAD_CONFIG", `${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return validateConfig(json, path);
}
