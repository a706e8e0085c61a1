// The one interface every frame source implements, whatever it reads from.
import type { Image } from "../core/image.js";

/**
 * Pixel layouts a source can deliver. `gray` and `rgb` are ready for the kernels; the camera
 * layouts (`yuyv` = YUYV 4:2:2 packed, `nv12`, `i420` = planar 4:2:0) are converted by edgeseg's
 * SIMD kernels in the loop's "convert" stage rather than by ffmpeg.
 */
export type PixelFormat = "gray" | "rgb" | "yuyv" | "nv12" | "i420";

/** Bytes in one frame of `format` at `width`×`height`. */
export function frameBytes(format: PixelFormat, width: number, height: number): number {
  switch (format) {
    case "gray":
      return width * height;
    case "rgb":
      return width * height * 3;
    case "yuyv":
      return width * height * 2;
    case "nv12":
    case "i420":
      return width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
  }
}

/**
 * One frame. Sources reuse a few Frame objects and their pixel buffers: a frame is valid until
 * the next call to `next()` on its source. Copy what you need to keep.
 */
export interface Frame {
  /** Sequence number of the frame at the source, from 0; gaps mean frames were dropped. */
  seq: number;
  width: number;
  height: number;
  format: PixelFormat;
  /** The raw pixels in `format` (packed rows). Lives in WASM memory for zero-copy kernels. */
  readonly data: Uint8Array;
  /** For `gray`/`rgb` frames: the frame as an Image the kernels take directly. */
  readonly image: Image | null;
  /** `performance.now()` when the frame's last byte was read: the start of end-to-end latency. */
  readAt: number;
  /** Milliseconds spent acquiring this frame (reading or decoding it in this process). */
  captureMs: number;
  /** Wall-clock time (ms since the epoch) when the frame was read. */
  wallTime: number;
  /** Presentation time in the stream (seconds), when the source knows it. */
  pts: number;
}

/** Counters every source keeps. */
export interface SourceStats {
  /** Frames handed to the consumer. */
  delivered: number;
  /** Frames read but replaced by a newer one before the consumer asked (latest-frame-wins). */
  dropped: number;
  /** Frames the decoder reported damaged, or truncated frames that were skipped. */
  corrupt: number;
  /** Times the source was reopened after it failed. */
  reopens: number;
}

/** What happened to a source, for the loop to report ("reopened after …"). */
export interface SourceEvent {
  kind: "reopen" | "retry-failed" | "warning" | "end-of-file-loop";
  message: string;
}

/**
 * A frame source: pull frames with `next()` (or `for await`), then `close()`.
 *
 * @example
 * const source = await openSource("file:clip.mp4", { format: "gray" });
 * for await (const frame of source) console.log(frame.seq, frame.width);
 */
export interface FrameSource extends AsyncIterable<Frame> {
  /** The URI the source was opened with. */
  readonly uri: string;
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  /** Nominal frames per second (0 when unknown, e.g. an image folder). */
  readonly fps: number;
  /** True for cameras and streams (latest-frame-wins by default), false for files. */
  readonly live: boolean;
  /** The next frame, or null at the end. Invalidates the previous frame. */
  next(): Promise<Frame | null>;
  stats(): SourceStats;
  /** Called with reopen notices and warnings while the source runs. */
  onEvent?: (event: SourceEvent) => void;
  /** Stops reading and frees the buffers. Safe to call twice. */
  close(): Promise<void>;
}

/** What `next()` should do when the consumer is slower than the source. */
export type DeliveryMode = "latest" | "every";

/** Options every source accepts (each one ignores what does not apply to it). */
export interface SourceOptions {
  /** Pixel layout wanted; `auto` lets the source pick the cheapest one for `need`. @default "gray" */
  format?: PixelFormat;
  /** Scale frames to this size (ffmpeg sources scale in ffmpeg). @default the stream's size */
  width?: number;
  height?: number;
  /** Frame rate for cameras and `synthetic:`; pacing rate for `realtime` files. */
  fps?: number;
  /** `latest`: drop stale frames when the consumer falls behind; `every`: wait for it. @default "latest" for live sources, "every" for files */
  mode?: DeliveryMode;
  /** Play files at their frame rate, like a camera (ffmpeg `-re`). @default false */
  realtime?: boolean;
  /** Start again at the end of a file. @default false */
  loop?: boolean;
  /** Reopen a failed source up to this many times in a row, with backoff. @default 0 */
  retry?: number;
  /** First backoff delay in ms (doubles each attempt, up to 10 s). @default 500 */
  retryDelayMs?: number;
  /** Maximum number of frames to deliver (0 = no limit). @default 0 */
  maxFrames?: number;
}

/** The common async-iterator implementation on top of `next()`. */
export async function* iterate(source: FrameSource): AsyncGenerator<Frame> {
  for (;;) {
    const frame = await source.next();
    if (!frame) return;
    yield frame;
  }
}
