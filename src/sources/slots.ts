// Reused frame buffers in WASM memory and the hand-over between a producer (a pipe, a decoder)
// and the loop: a small pool of slots so that steady state allocates nothing, with
// latest-frame-wins or wait-for-every-frame delivery.
import type { Channels, Image } from "../core/image.js";
import { WasmBuffer } from "../core/memory.js";
import { type DeliveryMode, type Frame, type PixelFormat, frameBytes } from "./types.js";

const CHANNELS: Partial<Record<PixelFormat, Channels>> = { gray: 1, rgb: 3 };

/** A frame whose pixels live in a WASM buffer that is reused for later frames. */
export class FrameSlot implements Frame {
  seq = 0;
  readAt = 0;
  captureMs = 0;
  wallTime = 0;
  pts = 0;
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  readonly byteLength: number;
  readonly buffer: WasmBuffer;
  readonly image: Image | null;

  constructor(width: number, height: number, format: PixelFormat) {
    this.width = width;
    this.height = height;
    this.format = format;
    this.byteLength = frameBytes(format, width, height);
    this.buffer = new WasmBuffer(this.byteLength);
    const channels = CHANNELS[format];
    const buffer = this.buffer;
    // The view is re-fetched on access because WASM memory growth detaches old views.
    this.image = channels ? { width, height, channels, get data() { return buffer.u8; } } : null;
  }

  get data(): Uint8Array {
    return this.buffer.u8;
  }

  dispose(): void {
    this.buffer.dispose();
  }
}

/**
 * Hands frames from a producer to one consumer through a fixed pool of slots.
 * - `latest`: a new frame replaces a ready one the consumer has not taken (counted in `dropped`).
 * - `every`: the producer is paused (`onFull`) when every slot is busy, and resumed (`onSpace`) when one frees up.
 */
export class FrameQueue {
  private readonly free: FrameSlot[] = [];
  private readonly ready: FrameSlot[] = [];
  private held: FrameSlot | null = null;
  private waiter: { resolve: (slot: FrameSlot | null) => void; reject: (e: Error) => void } | null = null;
  private ended = false;
  private error: Error | null = null;
  private paused = false;
  dropped = 0;
  readonly slots: FrameSlot[];

  constructor(
    width: number,
    height: number,
    format: PixelFormat,
    readonly mode: DeliveryMode,
    private readonly hooks: { onFull?: () => void; onSpace?: () => void } = {},
    count = 3,
  ) {
    this.slots = Array.from({ length: count }, () => new FrameSlot(width, height, format));
    this.free.push(...this.slots);
  }

  /** A slot for the producer to fill. In `latest` mode steals the oldest ready frame if needed. */
  acquire(): FrameSlot | null {
    const slot = this.free.pop();
    if (slot) return slot;
    if (this.mode === "latest" && this.ready.length > 0) {
      this.dropped++;
      return this.ready.shift()!;
    }
    return null;
  }

  /** Gives back a slot the producer did not fill (e.g. a truncated frame). */
  discard(slot: FrameSlot): void {
    this.free.push(slot);
  }

  /** Publishes a filled slot. */
  publish(slot: FrameSlot): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      this.held = slot;
      w.resolve(slot);
    } else {
      this.ready.push(slot);
      if (this.mode === "latest") {
        while (this.ready.length > 1) {
          this.free.push(this.ready.shift()!);
          this.dropped++;
        }
      }
    }
    if (this.mode === "every" && this.free.length === 0 && !this.paused) {
      this.paused = true;
      this.hooks.onFull?.();
    }
  }

  /** True when the producer can fill another slot right now. */
  get hasSpace(): boolean {
    return this.free.length > 0 || (this.mode === "latest" && this.ready.length > 0);
  }

  /** Ends the stream: the consumer gets the frames still ready, then null (or `error`). */
  end(error?: Error): void {
    this.ended = true;
    if (error) this.error = error;
    if (this.waiter && this.ready.length === 0) {
      const w = this.waiter;
      this.waiter = null;
      if (this.error) {
        this.error = null;
        w.reject(error!);
      } else w.resolve(null);
    }
  }

  /** Clears the end flag after a source was reopened. */
  restart(): void {
    this.ended = false;
    this.error = null;
  }

  /** The next frame for the consumer; releases the one it held. */
  take(): Promise<FrameSlot | null> {
    if (this.held) {
      this.free.push(this.held);
      this.held = null;
    }
    if (this.paused && this.free.length > 0) {
      this.paused = false;
      this.hooks.onSpace?.();
    }
    const slot = this.ready.shift();
    if (slot) {
      this.held = slot;
      return Promise.resolve(slot);
    }
    if (this.ended) {
      if (this.error) {
        const e = this.error;
        this.error = null;
        return Promise.reject(e);
      }
      return Promise.resolve(null);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Wakes a pending `take()` with null (used by close()). */
  cancel(): void {
    this.end();
  }

  dispose(): void {
    this.cancel();
    for (const s of this.slots) s.dispose();
  }
}
