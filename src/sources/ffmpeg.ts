// Frames from a long-lived ffmpeg child: files, RTSP/HTTP streams, V4L2 cameras and lavfi test
// sources. ffmpeg decodes in its own process (in parallel with our inference) and writes raw
// frames to a pipe; each 64 KiB chunk is copied once, straight into a reused frame slot in WASM
// memory. Nothing touches the disk.
import type { ChildProcess } from "node:child_process";
import { EdgesegError } from "../core/errors.js";
import { builtin } from "./node.js";
import { type FrameSlot, FrameQueue } from "./slots.js";
import { probe, requireTool } from "./tools.js";
import {
  type DeliveryMode,
  type Frame,
  type FrameSource,
  type PixelFormat,
  type SourceEvent,
  type SourceOptions,
  type SourceStats,
  frameBytes,
  iterate,
} from "./types.js";

/** What ffmpeg reads. */
export interface FfmpegInput {
  kind: "file" | "rtsp" | "http" | "v4l2" | "lavfi";
  /** A path, URL, device node or lavfi filter graph. */
  target: string;
  /** For v4l2: the camera's pixel format (`yuyv422`, `nv12`, `mjpeg`…). @default "yuyv422" */
  inputFormat?: string;
}

const FFMPEG_PIX: Record<PixelFormat, string> = { gray: "gray", rgb: "rgb24", yuyv: "yuyv422", nv12: "nv12", i420: "yuv420p" };
const MAX_BACKOFF_MS = 10_000;

/** The ffmpeg arguments that open `input` (everything up to and including `-i`). */
export function inputArgs(input: FfmpegInput, o: { width?: number; height?: number; fps?: number; realtime?: boolean; loop?: boolean; seek?: number }): string[] {
  const args: string[] = [];
  switch (input.kind) {
    case "file":
      if (o.loop) args.push("-stream_loop", "-1");
      if (o.realtime) args.push("-re");
      if (o.seek) args.push("-ss", o.seek.toFixed(3));
      args.push("-i", input.target);
      break;
    case "lavfi":
      if (o.realtime) args.push("-re");
      args.push("-f", "lavfi", "-i", input.target);
      break;
    case "rtsp":
      args.push("-rtsp_transport", "tcp", "-fflags", "nobuffer", "-flags", "low_delay", "-i", input.target);
      break;
    case "http":
      args.push("-fflags", "nobuffer", "-i", input.target);
      break;
    case "v4l2":
      args.push("-f", "v4l2", "-input_format", input.inputFormat ?? "yuyv422");
      if (o.width && o.height) args.push("-video_size", `${o.width}x${o.height}`);
      if (o.fps) args.push("-framerate", String(o.fps));
      args.push("-i", input.target);
      break;
  }
  return args;
}

/**
 * A frame source backed by one ffmpeg process (reopened with backoff when it dies, if `retry` allows).
 * Open it with {@link openSource} or {@link FfmpegSource.open}.
 */
export class FfmpegSource implements FrameSource {
  readonly live: boolean;
  readonly mode: DeliveryMode;
  onEvent?: (event: SourceEvent) => void;
  private readonly queue: FrameQueue;
  private readonly bytes: number;
  private child: ChildProcess | null = null;
  private current: FrameSlot | null = null;
  private filled = 0;
  private copyMs = 0;
  private pending: { chunk: Buffer; offset: number } | null = null;
  private seq = 0;
  private delivered = 0;
  private corrupt = 0;
  private reopens = 0;
  private failures = 0;
  private seekBase = 0;
  private framesThisChild = 0;
  private closed = false;
  private stderrTail: string[] = [];
  private stderrPartial = "";
  private exited: Promise<void> = Promise.resolve();
  private firstOutput: { resolve: () => void; reject: (e: Error) => void } | null = null;

  private constructor(
    readonly uri: string,
    private readonly input: FfmpegInput,
    readonly width: number,
    readonly height: number,
    readonly format: PixelFormat,
    readonly fps: number,
    private readonly options: SourceOptions,
    private readonly ffmpeg: string,
  ) {
    this.live = input.kind !== "file" && !(input.kind === "lavfi" && !options.realtime);
    this.mode = options.mode ?? (this.live ? "latest" : "every");
    this.bytes = frameBytes(format, width, height);
    this.queue = new FrameQueue(width, height, format, this.mode, {
      onFull: () => this.child?.stdout?.pause(),
      onSpace: () => this.drainPending(),
    });
  }

  /** Starts ffmpeg on `input`; resolves once it produced output, rejects with ffmpeg's own error. */
  static async open(uri: string, input: FfmpegInput, options: SourceOptions = {}): Promise<FfmpegSource> {
    const ffmpeg = requireTool("ffmpeg", `reading ${uri}`);
    if (input.kind === "file") {
      const fs = builtin("node:fs");
      let ok = false;
      try {
        ok = fs.statSync(input.target).isFile();
      } catch {
        ok = false;
      }
      if (!ok) throw new EdgesegError("IO_ERROR", `No such video file: ${input.target}`);
    }
    if (input.kind === "v4l2") {
      const fs = builtin("node:fs");
      if (!fs.existsSync(input.target)) {
        throw new EdgesegError("SOURCE_FAILED", `Cannot open camera ${input.target}: no such device (is the camera plugged in? \`edgeseg info\` lists the cameras found)`);
      }
    }
    let { width, height, fps } = options;
    const format = options.format ?? "gray";
    if (input.kind === "v4l2") {
      width ??= 640;
      height ??= 480;
      fps ??= 30;
    } else if (width === undefined || height === undefined || fps === undefined) {
      const info = await probe(inputArgs(input, {}), uri);
      fps ??= info.fps || 30;
      if (width === undefined && height === undefined) {
        width = info.width;
        height = info.height;
      } else if (width === undefined) {
        width = Math.max(1, Math.round((info.width * height!) / info.height));
      } else if (height === undefined) {
        height = Math.max(1, Math.round((info.height * width) / info.width));
      }
    }
    if ((format === "nv12" || format === "i420" || format === "yuyv") && (width! % 2 || height! % 2)) {
      throw new EdgesegError("INVALID_ARGUMENT", `Expected an even width and height for format "${format}" but received ${width}×${height}`);
    }
    const source = new FfmpegSource(uri, input, width!, height!, format, fps!, options, ffmpeg);
    await source.start();
    return source;
  }

  private start(): Promise<void> {
    const first = new Promise<void>((resolve, reject) => (this.firstOutput = { resolve, reject }));
    this.spawn();
    return first;
  }

  private args(): string[] {
    const o = this.options;
    const scale = this.input.kind === "v4l2" ? [] : ["-vf", `scale=${this.width}:${this.height}`];
    return [
      "-hide_banner", "-nostdin", "-loglevel", "warning",
      ...inputArgs(this.input, { width: this.width, height: this.height, fps: this.fps, realtime: o.realtime, loop: o.loop, seek: this.seekBase }),
      "-an", "-sn", "-dn", ...scale,
      "-f", "rawvideo", "-pix_fmt", FFMPEG_PIX[this.format], "pipe:1",
    ];
  }

  private spawn(): void {
    const { spawn } = builtin("node:child_process");
    this.current = null;
    this.filled = 0;
    this.pending = null;
    this.framesThisChild = 0;
    this.stderrTail = [];
    this.stderrPartial = "";
    const child = spawn(this.ffmpeg, this.args(), { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout!.on("data", (chunk: Buffer) => this.onData(chunk));
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => this.onStderr(text));
    this.exited = new Promise((resolve) => {
      child.on("error", (e) => {
        this.stderrTail.push(e.message);
      });
      child.on("close", (code, signal) => {
        if (this.child === child) {
          this.child = null;
          this.onExit(code, signal);
        }
        resolve();
      });
    });
  }

  /** The ffmpeg child currently running (for tests that kill it). */
  get process(): ChildProcess | null {
    return this.child;
  }

  private onStderr(text: string): void {
    const lines = (this.stderrPartial + text).split("\n");
    this.stderrPartial = lines.pop() ?? "";
    for (const raw of lines) {
      const line = raw.trim();
      if (!line) continue;
      // ffmpeg conceals damaged macroblocks and still outputs the frame; it says so with this line.
      if (line.includes("corrupt decoded frame")) {
        this.corrupt++;
        continue;
      }
      this.stderrTail.push(line);
      if (this.stderrTail.length > 8) this.stderrTail.shift();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    if (this.firstOutput) {
      this.firstOutput.resolve();
      this.firstOutput = null;
    }
    this.consume(chunk, 0);
  }

  private consume(chunk: Buffer, start: number): void {
    let offset = start;
    while (offset < chunk.length) {
      if (!this.current) {
        const slot = this.queue.acquire();
        if (!slot) {
          // "every" mode and every slot busy: keep the rest until the loop takes a frame.
          this.pending = { chunk, offset };
          this.child?.stdout?.pause();
          return;
        }
        this.current = slot;
        this.filled = 0;
        this.copyMs = 0;
      }
      const t0 = performance.now();
      const n = Math.min(chunk.length - offset, this.bytes - this.filled);
      this.current.data.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      const t1 = performance.now();
      this.copyMs += t1 - t0;
      if (this.filled === this.bytes) {
        const slot = this.current;
        this.current = null;
        slot.seq = this.seq++;
        slot.readAt = t1;
        slot.wallTime = Date.now();
        slot.captureMs = this.copyMs;
        slot.pts = this.seekBase + this.framesThisChild / (this.fps || 30);
        this.framesThisChild++;
        this.failures = 0;
        this.queue.publish(slot);
      }
    }
  }

  private drainPending(): void {
    const p = this.pending;
    this.pending = null;
    if (p) this.consume(p.chunk, p.offset);
    if (!this.pending) this.child?.stdout?.resume();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.current && this.filled > 0) {
      // A truncated last frame: skipped and counted.
      this.corrupt++;
      this.queue.discard(this.current);
      this.current = null;
    }
    if (this.closed) {
      this.queue.end();
      return;
    }
    const cleanEnd = code === 0 && !this.live;
    if (cleanEnd) {
      this.firstOutput?.reject(new EdgesegError("SOURCE_FAILED", `${this.uri} has no frames`));
      this.firstOutput = null;
      this.queue.end();
      return;
    }
    const detail = this.stderrTail.filter((l) => !/^\s*(Last message repeated|\[.*\] )/.test(l)).pop() ?? this.stderrTail.at(-1);
    const why = detail ?? (signal ? `ffmpeg was killed by ${signal}` : `ffmpeg exited with code ${code}`);
    const retry = this.options.retry ?? 0;
    // A source that never produced a frame fails at open: nothing to reopen.
    if (this.firstOutput || this.failures >= retry) {
      const error = new EdgesegError(
        "SOURCE_FAILED",
        `${this.uri}: ${why}${this.failures > 0 ? ` (gave up after ${this.failures} reopen attempt${this.failures > 1 ? "s" : ""})` : ""}`,
      );
      if (this.firstOutput) {
        this.firstOutput.reject(error);
        this.firstOutput = null;
      }
      this.onEvent?.({ kind: "retry-failed", message: error.message });
      this.queue.end(error);
      return;
    }
    this.failures++;
    const delay = Math.min((this.options.retryDelayMs ?? 500) * 2 ** (this.failures - 1), MAX_BACKOFF_MS);
    if (!this.live) this.seekBase += this.framesThisChild / (this.fps || 30); // resume a file where it stopped
    this.onEvent?.({ kind: "reopen", message: `${this.uri} stopped (${why}); reopening in ${delay} ms (attempt ${this.failures} of ${retry})` });
    setTimeout(() => {
      if (this.closed) {
        this.queue.end();
        return;
      }
      this.reopens++;
      this.spawn();
    }, delay).unref?.();
  }

  async next(): Promise<Frame | null> {
    if (this.closed) return null;
    const max = this.options.maxFrames ?? 0;
    if (max > 0 && this.delivered >= max) return null;
    const frame = await this.queue.take();
    if (frame) this.delivered++;
    return frame;
  }

  stats(): SourceStats {
    return { delivered: this.delivered, dropped: this.queue.dropped, corrupt: this.corrupt, reopens: this.reopens };
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return iterate(this);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const child = this.child;
    if (child) {
      this.pending = null;
      child.stdout?.resume();
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
      await this.exited;
      clearTimeout(timer);
    }
    this.queue.dispose();
  }
}
