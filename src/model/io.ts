// Reading model and sidecar files: paths and file: URLs through node:fs, other URLs through fetch.
import { EdgesegError } from "../core/errors.js";
import { parseSidecar, type Sidecar } from "./sidecar.js";

/** The bundled default model (resolved relative to the package: same path from src/model and dist/model). */
export const DEFAULT_MODEL_URL = new URL("../../models/defect-unet-int8.onnx", import.meta.url);

export type ModelSource = string | URL | Uint8Array | ArrayBuffer;

function nodeFs(): typeof import("node:fs") | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (proc?.getBuiltinModule?.("node:fs") as typeof import("node:fs")) ?? null;
}

function toUrl(source: string | URL): URL {
  if (source instanceof URL) return source;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !/^[a-z]:[\\/]/i.test(source)) return new URL(source);
  if (typeof location !== "undefined" && !nodeFs()) return new URL(source, location.href);
  const path = source.startsWith("/") ? source : `${process.cwd()}/${source}`;
  return new URL(`file://${path.split("/").map(encodeURIComponent).join("/")}`);
}

/** A human-readable name for messages (the path for files). */
export function sourceName(source: string | URL): string {
  const url = toUrl(source);
  return url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
}

/** Reads a whole file; ENOENT and HTTP errors become IO_ERROR naming the file. */
export async function readBytes(source: string | URL, what: string): Promise<Uint8Array> {
  const url = toUrl(source);
  const name = sourceName(url);
  const fs = nodeFs();
  if (url.protocol === "file:" && fs) {
    try {
      return new Uint8Array(await fs.promises.readFile(url));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (e as Error).message;
      throw new EdgesegError("IO_ERROR", `Could not read the ${what} ${name}: ${why}`, { cause: e });
    }
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new EdgesegError("IO_ERROR", `Could not fetch the ${what} ${name}: ${(e as Error).message}`, { cause: e });
  }
  if (!response.ok) throw new EdgesegError("IO_ERROR", `Could not fetch the ${what} ${name}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Cheap sanity check that bytes look like an ONNX ModelProto: a protobuf whose first key is one of
 * ModelProto's fields (ir_version = 1 … functions = 25) with a matching wire type. Catches images,
 * JSON, text and empty files before onnxruntime's less specific "protobuf parsing failed".
 */
export function checkOnnxBytes(bytes: Uint8Array, name: string): void {
  if (bytes.length < 16) {
    throw new EdgesegError("BAD_MODEL", `The model ${name} is not an ONNX model: it is only ${bytes.length} bytes long`);
  }
  const key = bytes[0]!;
  const field = key >> 3;
  const wire = key & 7;
  const ok = (field === 1 && wire === 0) || (field >= 2 && field <= 25 && (wire === 0 || wire === 2));
  if (!ok) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new EdgesegError("BAD_MODEL", `The model ${name} is not an ONNX model (it starts with bytes ${head}, not an ONNX ModelProto)`);
  }
}

/** Candidate sidecar locations for a model file: foo.json, then foo.onnx.json. */
export function sidecarCandidates(model: string | URL): URL[] {
  const url = toUrl(model);
  const href = url.href;
  const base = href.replace(/\.onnx$/i, "");
  return base === href ? [new URL(`${href}.json`)] : [new URL(`${base}.json`), new URL(`${href}.json`)];
}

/** Loads and validates a sidecar given as an object, a path/URL, or next to the model. */
export async function loadSidecar(sidecar: unknown, model: ModelSource): Promise<Sidecar> {
  if (sidecar !== undefined && typeof sidecar === "object" && !(sidecar instanceof URL)) return parseSidecar(sidecar, "(options.sidecar)");
  let candidates: URL[];
  if (sidecar !== undefined) {
    if (typeof sidecar !== "string" && !(sidecar instanceof URL)) {
      throw new EdgesegError("INVALID_ARGUMENT", `Expected a sidecar object, path or URL for options.sidecar but received ${typeof sidecar}`);
    }
    candidates = [toUrl(sidecar)];
  } else if (typeof model === "string" || model instanceof URL) {
    candidates = sidecarCandidates(model);
  } else {
    throw new EdgesegError("INVALID_ARGUMENT", "Expected options.sidecar (an object, path or URL) when options.model is given as bytes: there is no file to find it next to");
  }
  let lastError: unknown;
  for (const url of candidates) {
    let bytes: Uint8Array;
    try {
      bytes = await readBytes(url, "model sidecar");
    } catch (e) {
      lastError = e;
      continue;
    }
    const name = sourceName(url);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new EdgesegError("BAD_CONFIG", `The model sidecar ${name} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    return parseSidecar(json, name);
  }
  throw new EdgesegError(
    "IO_ERROR",
    `No model sidecar found (looked for ${candidates.map(sourceName).join(" and ")}); pass options.sidecar`,
    { cause: lastError },
  );
}
