// `edgeseg info`: what this machine supports (SIMD, threads, ffmpeg, cameras, inference backends).
import { hasSimd } from "../core/wasm.js";
import { builtin } from "../sources/node.js";
import { toolVersion } from "../sources/tools.js";
import { type Command, EXIT } from "./main.js";
import { parseArgs, printJson, table } from "./util.js";

const HELP = `Usage: edgeseg info [--json]

Reports what this machine supports: WebAssembly SIMD and threads, CPU cores, ffmpeg/ffprobe/fswebcam,
the cameras found (/dev/video*), the inference backends that load (onnxruntime-web, onnxruntime-node).

  --json    print the report as JSON on stdout

Exit codes: 0 edgeseg can run here; 3 it cannot (no WebAssembly SIMD or the kernels are not built).
`;

/** A camera device and the name the driver gives it. */
export interface CameraInfo {
  device: string;
  name: string;
}

/** Lists V4L2 capture devices (Linux). */
export function listCameras(): CameraInfo[] {
  const fs = builtin("node:fs");
  let names: string[];
  try {
    names = fs.readdirSync("/dev").filter((n) => /^video\d+$/.test(n));
  } catch {
    return [];
  }
  return names
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((n) => {
      let name = "";
      try {
        name = fs.readFileSync(`/sys/class/video4linux/${n}/name`, "utf8").trim();
      } catch {
        name = "";
      }
      return { device: `/dev/${n}`, name };
    });
}

async function backend(pkg: string): Promise<{ available: boolean; version?: string; error?: string }> {
  try {
    const fs = builtin("node:fs");
    const path = builtin("node:path");
    // Loading proves the native binding (onnxruntime-node) or wasm glue (onnxruntime-web) is usable here.
    await import(pkg);
    // The version from the package's own package.json (some packages do not export that file).
    let dir = path.dirname(builtin("node:module").createRequire(import.meta.url).resolve(pkg));
    let version: string | undefined;
    for (let i = 0; i < 6 && !version; i++, dir = path.dirname(dir)) {
      try {
        const meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
        if (meta.name === pkg) version = meta.version;
      } catch {
        // not this folder
      }
    }
    return { available: true, version };
  } catch (e) {
    return { available: false, error: (e as Error).message.split("\n")[0] };
  }
}

/** The report `edgeseg info` prints. */
export async function machineInfo(): Promise<Record<string, unknown>> {
  const os = builtin("node:os");
  const fs = builtin("node:fs");
  const wasmUrl = new URL("../../build/edgeseg.wasm", import.meta.url);
  const sharedMemory = (() => {
    try {
      return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
    } catch {
      return false;
    }
  })();
  // Native first: onnxruntime-web loaded first would own the shared "cpu" backend name (see notes).
  const native = await backend("onnxruntime-node");
  const web = await backend("onnxruntime-web");
  return {
    edgeseg: (builtin("node:module")).createRequire(import.meta.url)("../../package.json").version,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: { cores: os.availableParallelism(), model: os.cpus()[0]?.model ?? "unknown" },
    memoryMB: Math.round(os.totalmem() / 1048576),
    wasm: { simd: hasSimd(), threads: sharedMemory && typeof Atomics === "object", kernelsBuilt: fs.existsSync(wasmUrl) },
    tools: { ffmpeg: toolVersion("ffmpeg"), ffprobe: toolVersion("ffprobe"), fswebcam: toolVersion("fswebcam") },
    cameras: listCameras(),
    backends: { wasm: web, native },
  };
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs(argv, { json: { type: "boolean" } }, "info");
  if (positionals.length) process.stderr.write(`edgeseg info: ignoring ${positionals.join(" ")}\n`);
  const info = (await machineInfo()) as {
    wasm: { simd: boolean; threads: boolean; kernelsBuilt: boolean };
    cameras: CameraInfo[];
    tools: Record<string, string | null>;
    backends: Record<string, { available: boolean; version?: string; error?: string }>;
    cpu: { cores: number; model: string };
  } & Record<string, unknown>;
  const ok = info.wasm.simd && info.wasm.kernelsBuilt;
  if (values.json) {
    printJson(info);
    return ok ? EXIT.OK : EXIT.UNAVAILABLE;
  }
  const yes = (b: boolean) => (b ? "yes" : "no");
  const rows: string[][] = [
    ["edgeseg", String(info.edgeseg)],
    ["node", `${info.node} (${info.platform})`],
    ["cpu", `${info.cpu.cores} cores, ${info.cpu.model}`],
    ["wasm simd", yes(info.wasm.simd)],
    ["wasm threads", yes(info.wasm.threads)],
    ["kernels built", info.wasm.kernelsBuilt ? "yes" : 'no: run "npm run build"'],
    ["ffmpeg", info.tools.ffmpeg ?? "not found: apt-get install ffmpeg (needed for video files, streams, cameras)"],
    ["fswebcam", info.tools.fswebcam ?? "not found: apt-get install fswebcam (needed for webcam: stills)"],
    ["cameras", info.cameras.length ? info.cameras.map((c) => `${c.device}${c.name ? ` (${c.name})` : ""}`).join(", ") : "none found (/dev/video*)"],
    ...Object.entries(info.backends).map(([k, b]) => [`backend ${k}`, b.available ? `onnxruntime-${k === "wasm" ? "web" : "node"} ${b.version}` : `unavailable (${b.error})`]),
  ];
  process.stdout.write(table(rows) + "\n");
  return ok ? EXIT.OK : EXIT.UNAVAILABLE;
}

export const command: Command = {
  summary: "what this machine supports: SIMD, threads, ffmpeg, cameras, backends",
  help: HELP,
  run,
};
