// Reused frame buffers in WASM memory: a source fills the same slots frame after frame, so
// steady state allocates nothing.
import type { Channels, Image } from "../core/image.js";
import { WasmBuffer } from "../core/memory.js";
import { type Frame, type PixelFormat, frameBytes } from "./types.js";

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
