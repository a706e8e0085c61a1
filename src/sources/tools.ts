// External tools the sources use (ffmpeg, ffprobe, fswebcam): found once, with install hints.
import { EdgesegError } from "../core/errors.js";
import { builtin } from "./node.js";

const INSTALL: Record<string, string> = {
  ffmpeg: "install it with `apt-get install ffmpeg` (Debian, Ubuntu, Raspberry Pi OS) or `brew install ffmpeg` (macOS)",
  ffprobe: "it ships with ffmpeg: `apt-get install ffmpeg`",
  fswebcam: "install it with `apt-get install fswebcam`",
};

const found = new Map<string, string | null>();

/** The version line of a tool, or null when it is not installed. Cached. */
export function toolVersion(tool: "ffmpeg" | "ffprobe" | "fswebcam"): string | null {
  if (found.has(tool)) return found.get(tool)!;
  const { spawnSync } = builtin("node:child_process");
  const args = tool === "fswebcam" ? ["--version"] : ["-hide_banner", "-version"];
  const r = spawnSync(process.env[`EDGESEG_${tool.toUpperCase()}`] ?? tool, args, { encoding: "utf8", timeout: 5000 });
  let version: string | null = null;
  if (!r.error) {
    const text = `${r.stdout ?? ""}${r.stderr ?? ""}`;
    version = text.split("\n").find((l) => l.trim().length > 0)?.trim() ?? tool;
  }
  found.set(tool, version);
  return version;
}

/** The command to run for `tool`, or a MISSING_TOOL error saying how to install it. */
export function requireTool(tool: "ffmpeg" | "ffprobe" | "fswebcam", why: string): string {
  if (toolVersion(tool) === null) {
    throw new EdgesegError("MISSING_TOOL", `${tool} is needed for ${why} but was not found on PATH: ${INSTALL[tool]}`);
  }
  return process.env[`EDGESEG_${tool.toUpperCase()}`] ?? tool;
}

/** Forgets cached lookups (tests that change PATH). */
export function resetToolCache(): void {
  found.clear();
}

export interface ProbeResult {
  width: number;
  height: number;
  fps: number;
  codec: string;
  frames: number;
}

/** Reads a video's size and frame rate with ffprobe. */
export function probe(inputArgs: string[], label: string): Promise<ProbeResult> {
  const ffprobe = requireTool("ffprobe", `reading ${label}`);
  const { execFile } = builtin("node:child_process");
  const args = ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate,codec_name,nb_frames", "-of", "json", ...inputArgs];
  return new Promise((resolve, reject) => {
    execFile(ffprobe, args, { timeout: 20_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const detail = String(stderr).trim().split("\n").pop() ?? "";
      if (err && !stdout) {
        reject(new EdgesegError("SOURCE_FAILED", `Could not open ${label}: ${detail || err.message}`, { cause: err }));
        return;
      }
      let stream: Record<string, unknown> | undefined;
      try {
        stream = (JSON.parse(String(stdout)) as { streams?: Record<string, unknown>[] }).streams?.[0];
      } catch {
        stream = undefined;
      }
      if (!stream || typeof stream.width !== "number" || typeof stream.height !== "number") {
        reject(new EdgesegError("UNSUPPORTED_FORMAT", `${label} has no video stream ffmpeg can decode${detail ? `: ${detail}` : ""}`));
        return;
      }
      resolve({
        width: stream.width,
        height: stream.height,
        fps: parseRate(stream.avg_frame_rate) || parseRate(stream.r_frame_rate),
        codec: String(stream.codec_name ?? "?"),
        frames: Number(stream.nb_frames) || 0,
      });
    });
  });
}

function parseRate(value: unknown): number {
  if (typeof value !== "string") return 0;
  const [n, d] = value.split("/").map(Number);
  if (!n || !d || !Number.isFinite(n / d)) return 0;
  return n / d;
}
