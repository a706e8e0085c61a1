// Node built-ins and Node-only packages, loaded lazily. The package root is also bundled for the
// browser (dist/web/edgeseg.js); a static `import "node:child_process"` there would stop the whole
// bundle from loading, so runtime modules reach Node only through these helpers, at call time.
import { EdgesegError } from "../core/errors.js";

type Builtins = {
  "node:child_process": typeof import("node:child_process");
  "node:fs": typeof import("node:fs");
  "node:path": typeof import("node:path");
  "node:http": typeof import("node:http");
  "node:os": typeof import("node:os");
  "node:net": typeof import("node:net");
  "node:module": typeof import("node:module");
  "node:worker_threads": typeof import("node:worker_threads");
};

/** A Node built-in module, or an EdgesegError when not running in Node. */
export function builtin<K extends keyof Builtins>(id: K): Builtins[K] {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.(id) as Builtins[K] | undefined;
  if (!mod) throw new EdgesegError("UNSUPPORTED_FORMAT", `${id} is needed here; frame sources and sinks run in Node >= 20.16, not in a browser`);
  return mod;
}

/** Loads an optional Node-only package with an actionable error when it is missing. */
export async function optionalPackage<T>(name: string, why: string): Promise<T> {
  try {
    const mod = (await import(name)) as { default?: T } & T;
    return (mod.default ?? mod) as T;
  } catch (e) {
    throw new EdgesegError("MISSING_TOOL", `The npm package "${name}" is needed for ${why} but could not be loaded (${(e as Error).message}); run "npm install ${name}"`, { cause: e });
  }
}
