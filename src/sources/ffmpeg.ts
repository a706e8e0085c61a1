// Frames from a long-lived ffmpeg child: files, RTSP/HTTP streams, V4L2 cameras and lavfi test
// sources. ffmpeg decodes in its own process and writes raw frames to a pipe; a capture thread
// (reader.ts) copies each 64 KiB chunk straight into shared frame slots while the loop computes,
// and the loop copies the newest frame once into its WASM buffer. Nothing touches the disk.
import type { Worker } from "node:worker_threads";
import { EdgesegError } from "../core/errors.js";
import { builtin } from "./node.js";
import { CTRL, META, READER_SOURCE, type ReaderMessage, SLOTS } from "./reader.js";
import { FrameSlot } from "./slots.js";
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

// ES2024's Atomics.waitAsync (Node >= 16); typed here because the project's lib is ES2023.
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

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
    // No "-fflags nobuffer": it did not lower ffmpeg's one-frame latency here and it loses the
    // first frames of short streams.
    case "rtsp":
      args.push("-rtsp_transport", "tcp", "-flags", "low_delay", "-i", input.target);
      break;
    case "http":
      args.push("-i", input.target);
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
 * A frame source backed by one ffmpeg process, read by a capture thread (see reader.ts) so frames
 * keep arriving while the loop computes; reopened with backoff when it dies, if `retry` allows.
 * Open it with {@link openSource} or {@link FfmpegSource.open}.
 */
export class FfmpegSource implements FrameSource {
  readonly live: boolean;
  readonly mode: DeliveryMode;
  onEvent?: (event: SourceEvent) => void;
  private readonly bytes: number;
  private readonly ctrl: Int32Array;
  private readonly meta: Float64Array;
  private readonly shared: Uint8Array;
  private readonly slot: FrameSlot;
  private readonly worker: Worker;
  private pidValue: number | null = null;
  private running = false;
  private delivered = 0;
  private reopens = 0;
  private failures = 0;
  private extraCorrupt = 0;
  private seekBase = 0;
  private closed = false;
  private ended = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private exitWaiters: (() => void)[] = [];
  private firstOutput: { resolve: () => void; reject: (e: Error) => void } | null = null;

  private constructor(
    readonly uri: string,
    private readonly input: FfmpegInput,
    readonly width: number,
    readonly height: number,
    readonly format: PixelFormat,
    readonly fps: number,
    private readonly options: SourceOptions,
    ffmpeg: string,
  ) {
    this.live = input.kind !== "file" && !(input.kind === "lavfi" && !options.realtime);
    this.mode = options.mode ?? (this.live ? "latest" : "every");
    this.bytes = frameBytes(format, width, height);
    const ctrlBuffer = new SharedArrayBuffer(CTRL.LENGTH * 4);
    const metaBuffer = new SharedArrayBuffer(SLOTS * META.LENGTH * 8);
    const dataBuffer = new SharedArrayBuffer(SLOTS * this.bytes);
    this.ctrl = new Int32Array(ctrlBuffer);
    this.ctrl[CTRL.READY] = -1;
    this.meta = new Float64Array(metaBuffer);
    this.shared = new Uint8Array(dataBuffer);
    this.slot = new FrameSlot(width, height, format);
    const { Worker } = builtin("node:worker_threads");
    this.worker = new Worker(READER_SOURCE, { eval: true, workerData: { ctrlBuffer, metaBuffer, dataBuffer, bytes: this.bytes, slots: SLOTS, mode: this.mode, ffmpeg } });
    this.worker.on("message", (m: ReaderMessage) => this.onMessage(m));
    this.worker.on("error", (e) => this.finish(new EdgesegError("SOURCE_FAILED", `${uri}: the capture thread failed: ${e.message}`, { cause: e })));
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
    try {
      await source.start();
    } catch (e) {
      await source.close();
      throw e;
    }
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
    this.running = true;
    this.worker.postMessage({ type: "spawn", args: this.args() });
  }

  /** Logs the capture thread's state to stderr (diagnostics). */
  debug(): void {
    this.worker.postMessage({ type: "debug" });
  }

  /** Process id of the ffmpeg child currently running (for tests that kill it), or null. */
  get pid(): number | null {
    return this.running ? this.pidValue : null;
  }

  private onMessage(m: ReaderMessage): void {
    if (m.type === "spawned") this.pidValue = m.pid;
    else if (m.type === "debug") console.error("capture thread:", m.state, "main:", { ended: this.ended, running: this.running, closed: this.closed, delivered: this.delivered });
    else if (m.type === "first") {
      this.failures = 0;
      this.firstOutput?.resolve();
      this.firstOutput = null;
    } else if (m.type === "exit") {
      this.running = false;
      const waiters = this.exitWaiters;
      this.exitWaiters = [];
      for (const w of waiters) w();
      this.onExit(m);
    }
  }

  private finish(error?: Error): void {
    this.ended = true;
    if (error) this.error = error;
    this.firstOutput?.reject(error ?? new EdgesegError("SOURCE_FAILED", `${this.uri} has no frames`));
    this.firstOutput = null;
    this.wake?.();
  }

  private onExit(m: Extract<ReaderMessage, { type: "exit" }>): void {
    // A truncated last frame: skipped and counted.
    if (m.partial) this.extraCorrupt++;
    if (m.frames > 0) this.failures = 0;
    if (this.closed) {
      this.finish();
      return;
    }
    if (m.code === 0 && !this.live) {
      this.finish();
      return;
    }
    const detail = m.stderr.filter((l) => !/^\s*(Last message repeated|\[.*\] )/.test(l)).pop() ?? m.stderr.at(-1);
    const why = detail ?? (m.signal ? `ffmpeg was killed by ${m.signal}` : `ffmpeg exited with code ${m.code}`);
    const retry = this.options.retry ?? 0;
    // A source that never produced a frame fails at open: nothing to reopen.
    if (this.firstOutput || this.failures >= retry) {
      const error = new EdgesegError(
        "SOURCE_FAILED",
        `${this.uri}: ${why}${this.failures > 0 ? ` (gave up after ${this.failures} reopen attempt${this.failures > 1 ? "s" : ""})` : ""}`,
      );
      if (!this.firstOutput) this.onEvent?.({ kind: "retry-failed", message: error.message });
      this.finish(error);
      return;
    }
    this.failures++;
    const delay = Math.min((this.options.retryDelayMs ?? 500) * 2 ** (this.failures - 1), MAX_BACKOFF_MS);
    if (!this.live) this.seekBase += m.frames / (this.fps || 30); // resume a file where it stopped
    this.onEvent?.({ kind: "reopen", message: `${this.uri} stopped (${why}); reopening in ${delay} ms (attempt ${this.failures} of ${retry})` });
    setTimeout(() => {
      if (this.closed) {
        this.finish();
        return;
      }
      this.reopens++;
      this.spawn();
    }, delay);
  }

  async next(): Promise<Frame | null> {
    const max = this.options.maxFrames ?? 0;
    for (;;) {
      if (this.closed) return null;
      if (max > 0 && this.delivered >= max) return null;
      const s = Atomics.exchange(this.ctrl, CTRL.READY, -1);
      if (s !== -1) {
        Atomics.notify(this.ctrl, CTRL.READY); // an "every"-mode capture thread waits for this
        const t0 = performance.now();
        const slot = this.slot;
        slot.data.set(this.shared.subarray(s * this.bytes, (s + 1) * this.bytes));
        const m = s * META.LENGTH;
        slot.seq = this.meta[m + META.SEQ]!;
        slot.readAt = this.meta[m + META.EPOCH]! - performance.timeOrigin;
        slot.wallTime = this.meta[m + META.EPOCH]!;
        slot.pts = this.seekBase + this.meta[m + META.INDEX]! / (this.fps || 30);
        slot.captureMs = performance.now() - t0;
        this.delivered++;
        return slot;
      }
      if (this.ended) {
        if (this.error) {
          const e = this.error;
          this.error = null;
          throw e;
        }
        return null;
      }
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      const r = waitAsync(this.ctrl, CTRL.READY, -1);
      await (r.async ? Promise.race([r.value, woken]) : Promise.resolve());
      this.wake = null;
    }
  }

  stats(): SourceStats {
    return { delivered: this.delivered, dropped: Atomics.load(this.ctrl, CTRL.DROPPED), corrupt: Atomics.load(this.ctrl, CTRL.CORRUPT) + this.extraCorrupt, reopens: this.reopens };
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return iterate(this);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    if (this.running) {
      const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
      this.worker.postMessage({ type: "kill", signal: "SIGTERM" });
      const timer = setTimeout(() => {
        if (this.pidValue) {
          try {
            process.kill(this.pidValue, "SIGKILL");
          } catch {
            // already gone
          }
        }
      }, 2000);
      await exited;
      clearTimeout(timer);
    }
    // Release a capture thread blocked in "every" mode, then stop it.
    Atomics.store(this.ctrl, CTRL.READY, -1);
    Atomics.notify(this.ctrl, CTRL.READY);
    await this.worker.terminate();
    this.slot.dispose();
  }
}
