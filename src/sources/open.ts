// Opens a frame source from a URI: the one entry point the loop and the CLI use.
import { EdgesegError } from "../core/errors.js";
import { FfmpegSource, type FfmpegInput } from "./ffmpeg.js";
import { ImageFolderSource } from "./images.js";
import { builtin } from "./node.js";
import { SyntheticSource } from "./synthetic.js";
import type { FrameSource, PixelFormat, SourceOptions } from "./types.js";
import { WebcamSource } from "./webcam.js";
import { Y4mSource } from "./y4m.js";

/** The schemes `openSource` understands, for error messages and `--help`. */
export const SOURCE_SCHEMES = [
  "v4l2:///dev/videoN",
  "camera:N",
  "webcam:[/dev/videoN|TEST:][?width=&height=&quality=&interval=]",
  "file:PATH (video, .y4m, image folder or glob)",
  "rtsp://…",
  "http(s)://…",
  "lavfi:GRAPH (ffmpeg test sources)",
  "synthetic:[?width=&height=&fps=&frames=&defects=]",
] as const;

export type SourceKind = "ffmpeg" | "y4m" | "images" | "synthetic" | "webcam";

/** A parsed source URI. */
export interface SourceSpec {
  kind: SourceKind;
  uri: string;
  /** For ffmpeg sources. */
  input?: FfmpegInput;
  /** Path, folder or glob for y4m and image sources. */
  path?: string;
  /** Query parameters (synthetic:, webcam:). */
  params: Record<string, string>;
}

const VIDEO_EXT = /\.(mp4|m4v|mov|avi|mkv|webm|mpg|mpeg|ts|m2ts|flv|wmv|ogv|h264|h265|hevc|mjpeg|mjpg|gif)$/i;
const IMAGE_EXT = /\.(png|jpe?g|webp|tiff?|bmp)$/i;

function query(rest: string): { target: string; params: Record<string, string> } {
  const q = rest.indexOf("?");
  if (q < 0) return { target: rest, params: {} };
  const params: Record<string, string> = {};
  for (const [k, val] of new URLSearchParams(rest.slice(q + 1))) params[k] = val;
  return { target: rest.slice(0, q), params };
}

function pathSpec(uri: string, path: string): SourceSpec {
  if (path.length === 0) throw new EdgesegError("INVALID_ARGUMENT", `Expected a path after "file:" but received "${uri}"`);
  if (/\.y4m$/i.test(path)) return { kind: "y4m", uri, path, params: {} };
  if (/[*?]/.test(path) || IMAGE_EXT.test(path)) return { kind: "images", uri, path, params: {} };
  let isDir = false;
  try {
    isDir = builtin("node:fs").statSync(path).isDirectory();
  } catch {
    isDir = false;
  }
  if (isDir) return { kind: "images", uri, path, params: {} };
  return { kind: "ffmpeg", uri, input: { kind: "file", target: path }, params: {} };
}

/**
 * Parses a source URI (see {@link SOURCE_SCHEMES}); a bare path is a `file:`.
 * Throws INVALID_ARGUMENT naming the scheme when it is unknown.
 */
export function parseSourceUri(uri: string): SourceSpec {
  if (typeof uri !== "string" || uri.trim() === "") throw new EdgesegError("INVALID_ARGUMENT", `Expected a source URI (e.g. file:clip.mp4, v4l2:///dev/video0, synthetic:) but received ${JSON.stringify(uri)}`);
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(uri);
  if (!m) return pathSpec(uri, uri);
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  switch (scheme) {
    case "file": {
      const path = rest.startsWith("//") ? decodeURIComponent(rest.replace(/^\/\/(localhost)?/, "")) : rest;
      return pathSpec(uri, path);
    }
    case "v4l2": {
      const device = rest.replace(/^\/\//, "");
      if (!/^\/dev\/video\d+$/.test(device)) throw new EdgesegError("INVALID_ARGUMENT", `Expected v4l2:///dev/videoN but received "${uri}"`);
      return { kind: "ffmpeg", uri, input: { kind: "v4l2", target: device }, params: {} };
    }
    case "camera": {
      const { target, params } = query(rest);
      if (!/^\d+$/.test(target)) throw new EdgesegError("INVALID_ARGUMENT", `Expected camera:N (a camera number, e.g. camera:0) but received "${uri}"`);
      return { kind: "ffmpeg", uri, input: { kind: "v4l2", target: `/dev/video${Number(target)}`, inputFormat: params.input_format }, params };
    }
    case "webcam": {
      const { target, params } = query(rest);
      return { kind: "webcam", uri, path: target === "" ? "/dev/video0" : target, params };
    }
    case "rtsp":
    case "rtsps":
      return { kind: "ffmpeg", uri, input: { kind: "rtsp", target: uri }, params: {} };
    case "http":
    case "https":
      return { kind: "ffmpeg", uri, input: { kind: "http", target: uri }, params: {} };
    case "lavfi":
      if (rest === "") throw new EdgesegError("INVALID_ARGUMENT", `Expected an ffmpeg filter graph after "lavfi:" (e.g. lavfi:testsrc2=size=640x480:rate=30) but received "${uri}"`);
      return { kind: "ffmpeg", uri, input: { kind: "lavfi", target: rest }, params: {} };
    case "synthetic":
      return { kind: "synthetic", uri, params: query(rest).params };
    default:
      // A one-letter scheme is a Windows drive, and anything else with a video extension is a path.
      if (scheme.length === 1 || VIDEO_EXT.test(uri)) return pathSpec(uri, uri);
      throw new EdgesegError("INVALID_ARGUMENT", `Unknown source URI scheme "${scheme}:" in "${uri}"; expected one of ${SOURCE_SCHEMES.join(", ")}, or a file path`);
  }
}

function numberParam(params: Record<string, string>, key: string, uri: string): number | undefined {
  const raw = params[key];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw === "" || !Number.isFinite(n)) throw new EdgesegError("INVALID_ARGUMENT", `Expected a number for "${key}" in ${uri} but received "${raw}"`);
  return n;
}

/** Options of {@link openSource}. */
export interface OpenSourceOptions extends SourceOptions {
  /**
   * Pixel formats the consumer can take, best first (e.g. `["i420", "rgb"]` when the loop converts
   * 4:2:0 with its kernels). A source delivers the first it can produce cheaply. Overrides `format`.
   */
  accept?: PixelFormat[];
}

/** The source's cheapest native format (natives are in cost order) that the consumer accepts. */
function pick(accept: PixelFormat[] | undefined, format: PixelFormat | undefined, natives: PixelFormat[]): PixelFormat {
  if (!accept) return format ?? "gray";
  return natives.find((f) => accept.includes(f)) ?? accept.find((f) => f === "gray" || f === "rgb") ?? "gray";
}

/**
 * Opens a frame source.
 *
 * @example
 * const source = await openSource("file:/usr/share/doc/opencv-doc/examples/data/vtest.avi", { format: "gray" });
 * for await (const frame of source) { ... }
 * await source.close();
 */
export async function openSource(uri: string, options: OpenSourceOptions = {}): Promise<FrameSource> {
  const spec = parseSourceUri(uri);
  const { accept, ...rest } = options;
  switch (spec.kind) {
    case "ffmpeg": {
      // Cheapest first. A camera gives YUYV natively (our kernels convert it, ffmpeg just passes it on);
      // decoded video is 4:2:0: gray is its Y plane, and i420 is half the pipe traffic of rgb24.
      const natives: PixelFormat[] = spec.input!.kind === "v4l2" ? ["yuyv", "nv12", "gray", "rgb"] : ["gray", "i420", "rgb"];
      const format = pick(accept, rest.format, natives);
      const input = { ...spec.input! };
      if (input.kind === "v4l2" && !input.inputFormat && (format === "yuyv" || format === "nv12")) input.inputFormat = format === "yuyv" ? "yuyv422" : "nv12";
      return FfmpegSource.open(uri, input, { ...rest, format });
    }
    case "y4m":
      return Y4mSource.open(uri, spec.path!, { ...rest, format: pick(accept, rest.format, ["gray", "i420"]) });
    case "images":
      return ImageFolderSource.open(uri, spec.path!, { ...rest, format: pick(accept, rest.format, ["gray", "rgb"]) });
    case "synthetic": {
      const p = spec.params;
      for (const key of Object.keys(p)) {
        if (!["width", "height", "fps", "frames", "defects", "speed", "seed", "realtime"].includes(key)) {
          throw new EdgesegError("INVALID_ARGUMENT", `Unknown parameter "${key}" in ${uri}; expected width, height, fps, frames, defects, speed, seed, realtime`);
        }
      }
      return new SyntheticSource(uri, {
        ...rest,
        format: pick(accept, rest.format, ["gray", "rgb"]),
        width: rest.width ?? numberParam(p, "width", uri),
        height: rest.height ?? numberParam(p, "height", uri),
        fps: rest.fps ?? numberParam(p, "fps", uri),
        frames: numberParam(p, "frames", uri),
        defects: numberParam(p, "defects", uri),
        speed: numberParam(p, "speed", uri),
        seed: numberParam(p, "seed", uri),
        realtime: p.realtime === undefined ? rest.realtime : p.realtime !== "0" && p.realtime !== "false",
      });
    }
    case "webcam": {
      const p = spec.params;
      for (const key of Object.keys(p)) {
        if (!["width", "height", "quality", "interval", "skip"].includes(key)) {
          throw new EdgesegError("INVALID_ARGUMENT", `Unknown parameter "${key}" in ${uri}; expected width, height, quality, interval, skip`);
        }
      }
      return WebcamSource.open(
        uri,
        {
          device: spec.path,
          width: rest.width ?? numberParam(p, "width", uri),
          height: rest.height ?? numberParam(p, "height", uri),
          quality: numberParam(p, "quality", uri),
          interval: numberParam(p, "interval", uri),
          skip: numberParam(p, "skip", uri),
        },
        { ...rest, format: pick(accept, rest.format, ["gray", "rgb"]) },
      );
    }
  }
}
