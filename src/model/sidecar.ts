// The model sidecar: a JSON file next to each .onnx that says how to feed the model and read its
// output. Parsed and validated once at Segmenter.create; every error names the key at fault.
import { EdgesegError } from "../core/errors.js";
import { describe, isObject } from "../core/validate.js";

/** Element type of the model's input tensor. */
export type InputDtype = "float32" | "uint8" | "int8";

/** What the model's output holds: raw scores, or scores with the activation already applied. */
export type OutputKind = "logits" | "sigmoid" | "softmax";

/** One class of the model's output (index 0 is the background). */
export interface SidecarClass {
  name: string;
  /** Display colour, RGB 0..255. */
  color: [number, number, number];
}

/**
 * The sidecar JSON (the schema the training scripts write). Only `name`, `input`, `output` are
 * required; the rest is documentation of how the model was made, kept verbatim.
 */
export interface Sidecar {
  name: string;
  version?: string;
  /** "binary" (one foreground class) or "multiclass". */
  task: "binary" | "multiclass";
  input: {
    name: string;
    dtype: InputDtype;
    layout: "nchw";
    channels: 1 | 3;
    colorOrder: "rgb" | "bgr" | "gray";
    /** Fixed [height, width], or null for a fully convolutional model taking any size. */
    size: [number, number] | null;
    /** Height and width must be multiples of this (the U-Net's total downsampling). */
    multipleOf: number;
    /** Applied to pixel / 255: x = (p / 255 - mean[c]) / std[c]. */
    normalize: { mean: number[]; std: number[] };
    /**
     * For integer inputs: q = round(x / scale) + zeroPoint, saturated. Defaults to the raw
     * pixels (scale 1/255, mean 0, std 1 for uint8; zeroPoint -128 for int8) when absent.
     */
    quantization?: { scale: number; zeroPoint: number };
  };
  output: {
    name: string;
    kind: OutputKind;
    /** 1 (binary, one logit or probability) or C ≥ 2 (one per class). */
    channels: number;
    classes: SidecarClass[];
  };
  /** Foreground probability threshold for binary models. */
  threshold: number;
  inference?: { tile?: { size: number; overlap: number } | null; nativeResolution?: boolean };
  quantization?: Record<string, unknown>;
  training?: Record<string, unknown>;
}

function bad(where: string, key: string, expected: string, actual: unknown): never {
  throw new EdgesegError("BAD_CONFIG", `Invalid model sidecar ${where}: expected ${expected} for "${key}" but received ${describe(actual)}`);
}

function str(where: string, key: string, v: unknown): string {
  if (typeof v !== "string" || v.length === 0) bad(where, key, "a non-empty string", v);
  return v;
}

function num(where: string, key: string, v: unknown, min: number, max: number, integer = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    bad(where, key, `${integer ? "an integer" : "a number"} between ${min} and ${max}`, v);
  }
  return v;
}

function enumOf<T extends string>(where: string, key: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) bad(where, key, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`, v);
  return v as T;
}

function obj(where: string, key: string, v: unknown): Record<string, unknown> {
  if (!isObject(v)) bad(where, key, "an object", v);
  return v;
}

function numArray(where: string, key: string, v: unknown, length: number, min: number, max: number): number[] {
  if (!Array.isArray(v) || v.length !== length) bad(where, key, `an array of ${length} numbers`, v);
  return v.map((x, i) => num(where, `${key}[${i}]`, x, min, max));
}

/**
 * Validates a parsed sidecar object and returns a normalized, frozen copy (the caller's object
 * is not modified). `where` names the file in messages.
 *
 * @example
 * const sidecar = parseSidecar(JSON.parse(readFileSync("models/defect-unet-int8.json", "utf8")), "models/defect-unet-int8.json");
 */
export function parseSidecar(value: unknown, where = "(object)"): Sidecar {
  const w = where;
  const root = obj(w, "(root)", value);
  const name = str(w, "name", root.name);
  const version = root.version === undefined ? undefined : str(w, "version", root.version);
  const input = obj(w, "input", root.input);
  const output = obj(w, "output", root.output);

  const inName = str(w, "input.name", input.name);
  const dtype = enumOf(w, "input.dtype", input.dtype ?? "float32", ["float32", "uint8", "int8"] as const);
  const layout = enumOf(w, "input.layout", input.layout ?? "nchw", ["nchw"] as const);
  const channels = enumOf(w, "input.channels", input.channels, [1, 3] as never[]) as 1 | 3;
  const colorOrder = enumOf(w, "input.colorOrder", input.colorOrder ?? (channels === 1 ? "gray" : "rgb"), ["rgb", "bgr", "gray"] as const);
  if ((channels === 1) !== (colorOrder === "gray")) bad(w, "input.colorOrder", channels === 1 ? '"gray" for a 1-channel input' : '"rgb" or "bgr" for a 3-channel input', colorOrder);
  let size: [number, number] | null = null;
  if (input.size !== null && input.size !== undefined) {
    size = numArray(w, "input.size", input.size, 2, 1, 16384) as [number, number];
    if (!Number.isInteger(size[0]) || !Number.isInteger(size[1])) bad(w, "input.size", "[height, width] integers or null", input.size);
  }
  const multipleOf = num(w, "input.multipleOf", input.multipleOf ?? 1, 1, 1024, true);
  if (size && (size[0] % multipleOf !== 0 || size[1] % multipleOf !== 0)) bad(w, "input.size", `dimensions that are multiples of input.multipleOf = ${multipleOf}`, input.size);
  const norm = obj(w, "input.normalize", input.normalize ?? { mean: Array(channels).fill(0), std: Array(channels).fill(1) });
  const mean = numArray(w, "input.normalize.mean", norm.mean, channels, -1e6, 1e6);
  const std = numArray(w, "input.normalize.std", norm.std, channels, 1e-12, 1e6);
  let quantization: { scale: number; zeroPoint: number } | undefined;
  if (input.quantization !== undefined) {
    const q = obj(w, "input.quantization", input.quantization);
    quantization = { scale: num(w, "input.quantization.scale", q.scale, 1e-12, 1e6), zeroPoint: num(w, "input.quantization.zeroPoint", q.zeroPoint, -128, 255, true) };
  }

  const outName = str(w, "output.name", output.name);
  const kind = enumOf(w, "output.kind", output.kind, ["logits", "sigmoid", "softmax"] as const);
  const outChannels = num(w, "output.channels", output.channels, 1, 255, true);
  if (!Array.isArray(output.classes)) bad(w, "output.classes", "an array of { name, color }", output.classes);
  const classes = output.classes.map((c, i): SidecarClass => {
    const co = obj(w, `output.classes[${i}]`, c);
    return {
      name: str(w, `output.classes[${i}].name`, co.name),
      color: numArray(w, `output.classes[${i}].color`, co.color ?? [0, 0, 0], 3, 0, 255) as [number, number, number],
    };
  });
  const expectedClasses = outChannels === 1 ? 2 : outChannels;
  if (classes.length !== expectedClasses) {
    bad(w, "output.classes", `${expectedClasses} classes (background first) for output.channels = ${outChannels}`, output.classes);
  }
  if (outChannels === 1 && kind === "softmax") bad(w, "output.kind", '"logits" or "sigmoid" for a 1-channel output', kind);
  if (outChannels > 1 && kind === "sigmoid") bad(w, "output.kind", '"logits" or "softmax" for a multi-channel output', kind);
  const task = enumOf(w, "task", root.task ?? (outChannels === 1 ? "binary" : "multiclass"), ["binary", "multiclass"] as const);
  if ((task === "binary") !== (outChannels === 1)) bad(w, "task", outChannels === 1 ? '"binary" for output.channels = 1' : '"multiclass" for output.channels > 1', task);
  const threshold = num(w, "threshold", root.threshold ?? 0.5, 0, 1);

  let inference: Sidecar["inference"];
  if (root.inference !== undefined) {
    const inf = obj(w, "inference", root.inference);
    let tile: { size: number; overlap: number } | null | undefined;
    if (inf.tile !== undefined && inf.tile !== null) {
      const t = obj(w, "inference.tile", inf.tile);
      const tsize = num(w, "inference.tile.size", t.size, 8, 8192, true);
      const overlap = num(w, "inference.tile.overlap", t.overlap ?? 0, 0, tsize / 2, true);
      tile = { size: tsize, overlap };
    } else tile = inf.tile as null | undefined;
    const nativeResolution = inf.nativeResolution === undefined ? undefined : inf.nativeResolution;
    if (nativeResolution !== undefined && typeof nativeResolution !== "boolean") bad(w, "inference.nativeResolution", "a boolean", nativeResolution);
    inference = { tile, nativeResolution: nativeResolution as boolean | undefined };
  }
  const sidecar: Sidecar = {
    name,
    version,
    task,
    input: { name: inName, dtype, layout, channels, colorOrder, size, multipleOf, normalize: { mean, std }, quantization },
    output: { name: outName, kind, channels: outChannels, classes },
    threshold,
    inference,
    quantization: isObject(root.quantization) ? { ...root.quantization } : undefined,
    training: isObject(root.training) ? { ...root.training } : undefined,
  };
  return deepFreeze(sidecar);
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object") {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
