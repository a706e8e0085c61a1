// Loads the kernels' WebAssembly module once, in Node or in a browser.
import { EdgesegError } from "./errors.js";

/** The raw exports of build/edgeseg.wasm. Kernel wrappers in src/kernels/ are the only callers. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  // Each kernel family adds its functions; wrappers cast to their own signatures.
  readonly [name: string]: unknown;
}

/** What `init()` accepts: a URL or path of the .wasm, its bytes, or a compiled module. */
export type WasmSource = string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module | Response;

// Same relative path from src/core/ and from dist/core/.
const defaultUrl = new URL("../../build/edgeseg.wasm", import.meta.url);

// The smallest module using a v128 instruction; validates only where wasm SIMD exists.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let exportsCache: KernelExports | null = null;
let pending: Promise<KernelExports> | null = null;

/** True when this engine runs WebAssembly SIMD (needed by every kernel). */
export function hasSimd(): boolean {
  return typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
}

function requireSimd(): void {
  if (!hasSimd()) {
    throw new EdgesegError(
      "NO_SIMD",
      "This JavaScript engine has no WebAssembly SIMD; edgeseg needs Node >= 20 or a browser from 2021 on (Chrome 91, Firefox 89, Safari 16.4).",
    );
  }
}

function nodeFs(): typeof import("node:fs") | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (proc?.getBuiltinModule?.("node:fs") as typeof import("node:fs")) ?? null;
}

function instantiate(module: WebAssembly.Module): KernelExports {
  const instance = new WebAssembly.Instance(module, {});
  return instance.exports as unknown as KernelExports;
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return WebAssembly.compile(source as BufferSource);
  if (typeof Response !== "undefined" && source instanceof Response) return WebAssembly.compile(await source.arrayBuffer());
  const url = source instanceof URL ? source : new URL(source as string, typeof location === "undefined" ? `file://${process.cwd()}/` : location.href);
  const fs = nodeFs();
  if (url.protocol === "file:" && fs) return WebAssembly.compile(await fs.promises.readFile(url));
  const response = await fetch(url);
  if (!response.ok) throw new EdgesegError("IO_ERROR", `Could not load edgeseg's wasm from ${url}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Loads the kernels. Idempotent: every call returns the same promise. In Node the kernels also
 * load lazily on first use, so calling `init()` is optional there; in a browser await it once
 * (optionally with the URL where the .wasm is served).
 *
 * @example
 * await edgeseg.init();                         // Node, or a page served from the package root
 * await edgeseg.init("/assets/edgeseg.wasm");   // a bundled web app
 */
export function init(source: WasmSource = defaultUrl): Promise<void> {
  if (exportsCache) return Promise.resolve();
  pending ??= (async () => {
    requireSimd();
    let module: WebAssembly.Module;
    try {
      module = await compile(source);
    } catch (e) {
      pending = null;
      if (e instanceof EdgesegError) throw e;
      throw new EdgesegError("IO_ERROR", `Could not load edgeseg's wasm from ${String(source)}: ${(e as Error).message}. Run "npm run build".`, { cause: e });
    }
    exportsCache ??= instantiate(module);
    return exportsCache;
  })();
  return pending.then(() => undefined);
}

/** The loaded exports; in Node loads them synchronously on first use. */
export function kernels(): KernelExports {
  if (exportsCache) return exportsCache;
  const fs = nodeFs();
  if (!fs) throw new EdgesegError("NOT_INITIALIZED", "edgeseg is not initialized: await edgeseg.init() before calling a kernel in the browser");
  requireSimd();
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(defaultUrl);
  } catch (e) {
    throw new EdgesegError("IO_ERROR", `edgeseg's wasm is missing at ${defaultUrl.pathname}: run "npm run build" (or npm install) first`, { cause: e });
  }
  exportsCache = instantiate(new WebAssembly.Module(bytes as BufferSource));
  return exportsCache;
}
