// Base for sources that produce a frame when asked (y4m files, image folders, synthetic, stills):
// optional real-time pacing with latest-frame-wins skipping, frame limits and reused slots.
import { FrameSlot } from "./slots.js";
import { type DeliveryMode, type Frame, type FrameSource, type PixelFormat, type SourceEvent, type SourceOptions, type SourceStats, iterate } from "./types.js";

/** Sleeps without keeping the process alive on its own. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export abstract class PullSource implements FrameSource {
  abstract readonly uri: string;
  readonly live: boolean;
  readonly mode: DeliveryMode;
  onEvent?: (event: SourceEvent) => void;
  protected slots: FrameSlot[] = [];
  private slotIndex = 0;
  protected delivered = 0;
  protected dropped = 0;
  protected corrupt = 0;
  protected reopens = 0;
  protected closed = false;
  private startedAt = -1;
  /** Index of the next frame to produce (the source's own frame counter). */
  protected index = 0;

  protected constructor(
    readonly width: number,
    readonly height: number,
    readonly format: PixelFormat,
    readonly fps: number,
    protected readonly options: SourceOptions,
    live: boolean,
  ) {
    this.live = live;
    this.mode = options.mode ?? (live ? "latest" : "every");
    // Two slots: the one the consumer holds and the one being filled.
    this.slots = [new FrameSlot(width, height, format), new FrameSlot(width, height, format)];
  }

  /** Fills `slot` with frame `index`; returns false at the end of the input. */
  protected abstract produce(slot: FrameSlot, index: number): Promise<boolean> | boolean;

  /** Moves to frame `index` without decoding the ones in between (latest-frame-wins). */
  protected skipTo(index: number): void {
    this.index = index;
  }

  /** True when frames should be paced at `fps` (cameras, synthetic streams, `realtime` files). */
  protected get paced(): boolean {
    return (this.live || this.options.realtime === true) && this.fps > 0;
  }

  async next(): Promise<Frame | null> {
    if (this.closed) return null;
    const max = this.options.maxFrames ?? 0;
    if (max > 0 && this.delivered >= max) return null;
    if (this.paced) {
      const now = performance.now();
      if (this.startedAt < 0) this.startedAt = now;
      const due = Math.floor(((now - this.startedAt) * this.fps) / 1000);
      if (due > this.index && this.mode === "latest") {
        // The consumer fell behind: the frames that would have arrived meanwhile are dropped.
        this.dropped += due - this.index;
        this.skipTo(due);
      } else if (due < this.index) {
        await sleep(this.startedAt + (this.index * 1000) / this.fps - now);
        if (this.closed) return null;
      }
    }
    const slot = this.slots[this.slotIndex]!;
    this.slotIndex ^= 1;
    const t0 = performance.now();
    const ok = await this.produce(slot, this.index);
    if (!ok || this.closed) return null;
    const t1 = performance.now();
    slot.seq = this.index++;
    slot.readAt = t1;
    slot.captureMs = t1 - t0;
    slot.wallTime = Date.now();
    slot.pts = this.fps > 0 ? slot.seq / this.fps : 0;
    this.delivered++;
    return slot;
  }

  stats(): SourceStats {
    return { delivered: this.delivered, dropped: this.dropped, corrupt: this.corrupt, reopens: this.reopens };
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return iterate(this);
  }

  protected release(): void {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.release();
    for (const s of this.slots) s.dispose();
  }
}
