// Loads onnxruntime lazily and creates sessions.
//
// Two backends:
// - "wasm": onnxruntime-web. In Node the package's `node` export (dist/ort.node.min.mjs) finds its
//   wasm beside its JS, no wasmPaths needed. In a browser the same code imports
//   "onnxruntime-web/wasm" (the wasm-only build, ~100 kB of JS + ort-wasm-simd-threaded.wasm, instead
//   of the 28 MB JSEP build the bare specifier pulls in). A bundler sees only that literal specifier;
//   the Node specifier is computed so that browser bundles never include it. Serve
//   ort-wasm-simd-threaded.{wasm,mjs} next to the bundle, or set `ort.env.wasm.wasmPaths`, or pass
//   your own module with `Segmenter.create({ ort })`.
// - "native": onnxruntime-node (an optionalDependency), loaded on first use. It must be loaded
//   before onnxruntime-web whenever both end up sharing one onnxruntime-common (CommonJS builds,
//   bundled apps): the first package loaded owns the execution-provider name "cpu", and a native
//   session would then silently run in wasm. We load it first when asked for it, and every native
//   session is checked to really be an onnxruntime-node session.
import { EdgesegError } from "../core/errors.js";

/** The slice of the onnxruntime API edgeseg uses (same in onnxruntime-web and -node). */
export type Ort = typeof import("onnxruntime-web");
export type OrtSession = import("onnxruntime-web").InferenceSession;
export type OrtTensor = import("onnxruntime-web").Tensor;

export type Backend = "wasm" | "native";

const isNode = typeof process !== "undefined" && !!process.versions?.node;

let webPromise: Promise<Ort> | null = null;
let nativePromise: Promise<Ort> | null = null;
let webThreads: number | null = null;

/** Loads onnxruntime-web once (the Node build in Node, the wasm-only build in browsers). */
export function loadWeb(): Promise<Ort> {
  webPromise ??= (async () => {
    try {
      if (isNode) {
        const spec = ["onnxruntime", "web"].join("-"); // not a literal: keeps the Node build out of browser bundles
        return (await import(/* @vite-ignore */ spec)) as Ort;
      }
      return (await import("onnxruntime-web/wasm")) as unknown as Ort;
    } catch (e) {
      webPromise = null;
      throw new EdgesegError("BAD_CONFIG", `Could not load onnxruntime-web (backend "wasm"): ${(e as Error).message}. Install it with "npm install onnxruntime-web".`, { cause: e });
    }
  })();
  return webPromise;
}

/**
 * Loads onnxruntime-node once; a clear error when it is not installed (it is optional).
 * `packageName` exists for tests of that error.
 */
export function loadNative(packageName = ["onnxruntime", "node"].join("-")): Promise<Ort> {
  const isDefault = packageName === "onnxruntime-node";
  if (isDefault && nativePromise) return nativePromise;
  const loading = (async () => {
    if (!isNode) throw new EdgesegError("BAD_CONFIG", 'backend "native" (onnxruntime-node) only exists in Node; use backend "wasm" in a browser');
    try {
      const mod = (await import(/* @vite-ignore */ packageName)) as Ort & { default?: Ort };
      return (mod.InferenceSession ? mod : mod.default!) as Ort;
    } catch (e) {
      if (isDefault) nativePromise = null;
      throw new EdgesegError(
        "BAD_CONFIG",
        `backend "native" needs ${packageName}, which could not be loaded: ${(e as Error).message.split("\n")[0]}. ` +
          `Install it with "ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node" (an optional dependency; ` +
          `it has no build for every platform), or use backend "wasm".`,
        { cause: e },
      );
    }
  })();
  if (isDefault) nativePromise = loading;
  return loading;
}

/** Default thread count: min(4, logical cores). */
export function defaultThreads(): number {
  let cores = 1;
  if (isNode) {
    const os = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.("node:os") as typeof import("node:os") | undefined;
    cores = os ? (os.availableParallelism?.() ?? os.cpus().length) : 1;
  } else if (typeof navigator !== "undefined") cores = navigator.hardwareConcurrency || 1;
  return Math.max(1, Math.min(4, cores));
}

/**
 * Sets onnxruntime-web's thread count. It is process-global and fixed once the wasm backend has
 * initialized (at the first session), so a later different explicit request is an error rather
 * than being silently ignored.
 */
function setWebThreads(ort: Ort, threads: number, explicit: boolean): number {
  if (webThreads === null) {
    ort.env.wasm.numThreads = threads;
    webThreads = threads;
    return threads;
  }
  if (explicit && threads !== webThreads) {
    throw new EdgesegError(
      "INVALID_ARGUMENT",
      `Expected threads = ${webThreads} (onnxruntime-web was already initialized with ${webThreads} thread(s) in this process, ` +
        `and its thread count is process-global) but received ${threads}. Use a separate process or worker for another thread count.`,
    );
  }
  return webThreads;
}

/** Which runtime a created session really runs in (the shared-onnxruntime-common trap, see top). */
export function backendOf(session: OrtSession): Backend {
  const handler = (session as unknown as { handler?: { constructor?: { name?: string } } }).handler;
  return handler?.constructor?.name === "OnnxruntimeSessionHandler" ? "native" : "wasm";
}

export interface SessionRequest {
  backend: Backend;
  threads: number;
  threadsExplicit: boolean;
  bytes: Uint8Array;
  /** For messages. */
  source: string;
  /** An onnxruntime module to use instead of importing one (browser bundles, custom builds). */
  ort?: Ort;
}

/** Creates an inference session; ORT's load failures become BAD_MODEL naming the model. */
export async function createSession(req: SessionRequest): Promise<{ ort: Ort; session: OrtSession; threads: number }> {
  let ort: Ort;
  let threads: number;
  const options: import("onnxruntime-web").InferenceSession.SessionOptions = { graphOptimizationLevel: "all" };
  if (req.backend === "native") {
    ort = req.ort ?? (await loadNative());
    threads = req.threads;
    options.executionProviders = ["cpu"];
    options.intraOpNumThreads = threads;
    options.interOpNumThreads = 1;
  } else {
    ort = req.ort ?? (await loadWeb());
    threads = setWebThreads(ort, req.threads, req.threadsExplicit);
    options.executionProviders = ["wasm"];
  }
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(req.bytes, options);
  } catch (e) {
    const msg = String((e as Error)?.message ?? e);
    if (/no available backend/i.test(msg)) {
      throw new EdgesegError("BAD_CONFIG", `onnxruntime could not start its ${req.backend} backend: ${msg}`, { cause: e });
    }
    throw new EdgesegError("BAD_MODEL", `Could not load the model ${req.source}: onnxruntime says: ${msg}`, { cause: e });
  }
  const got = backendOf(session);
  if (got !== req.backend) {
    await session.release().catch(() => undefined);
    throw new EdgesegError(
      "BAD_CONFIG",
      `Asked for backend "${req.backend}" but onnxruntime gave a ${got} session: onnxruntime-web was loaded before onnxruntime-node ` +
        `and owns the "cpu" provider. Create the native segmenter first (or import onnxruntime-node before onnxruntime-web).`,
    );
  }
  return { ort, session, threads };
}
