// `synthetic:` frames for demos, tests and benchmarks: a textured panel moving on a conveyor with
// dark defects (spots and a scratch) painted on it. Deterministic for a given seed; each frame is a
// shifted copy of one precomputed texture, so producing a frame costs one copy.
import { EdgesegError } from "../core/errors.js";
import { PullSource } from "./pull.js";
import type { FrameSlot } from "./slots.js";
import type { PixelFormat, SourceOptions } from "./types.js";

/** Options of the synthetic scene (URI query: `synthetic:?width=640&height=480&fps=30&frames=300&defects=3&speed=4&seed=1`). */
export interface SyntheticOptions {
  /** Number of defects painted on the texture. @default 3 */
  defects?: number;
  /** Pixels the conveyor moves per frame. @default 4 */
  speed?: number;
  /** Seed of the texture and defect placement. @default 1 */
  seed?: number;
  /** Frames to produce (0 = endless). @default 0 */
  frames?: number;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Background gray level and the defect level (defects are darker than anything else). */
export const SYNTHETIC_LEVELS = { background: 150, noise: 24, defect: 25 } as const;

export class SyntheticSource extends PullSource {
  readonly uri: string;
  private readonly texture: Uint8Array;
  private readonly speed: number;
  private readonly frames: number;

  constructor(uri: string, options: SourceOptions & SyntheticOptions = {}) {
    const format: PixelFormat = options.format ?? "gray";
    if (format !== "gray" && format !== "rgb") throw new EdgesegError("INVALID_ARGUMENT", `Expected "gray" or "rgb" for the format of synthetic: but received "${format}"`);
    const width = options.width ?? 640;
    const height = options.height ?? 480;
    // Synthetic frames behave like a camera (paced, latest-frame-wins) unless asked otherwise.
    super(width, height, format, options.fps ?? 30, options, options.realtime ?? true);
    this.uri = uri;
    this.speed = options.speed ?? 4;
    this.frames = options.frames ?? 0;
    const ch = format === "gray" ? 1 : 3;
    const tw = width * 2;
    const tex = new Uint8Array(tw * height * ch);
    const rand = lcg(options.seed ?? 1);
    const { background, noise, defect } = SYNTHETIC_LEVELS;
    // Fill the left half with a blotchy texture, then mirror it into the right half so any shift reads contiguous pixels.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = background + Math.round((rand() - 0.5) * noise + 8 * Math.sin(x / 23) * Math.cos(y / 17));
        for (let c = 0; c < ch; c++) tex[(y * tw + x) * ch + c] = Math.max(0, Math.min(255, v + (ch === 3 ? (c - 1) * 6 : 0)));
      }
    }
    const paint = (x: number, y: number) => {
      if (x < 0 || y < 0 || x >= width || y >= height) return;
      for (let c = 0; c < ch; c++) tex[(y * tw + x) * ch + c] = defect;
    };
    const count = options.defects ?? 3;
    for (let d = 0; d < count; d++) {
      const cx = Math.floor(rand() * width);
      const cy = Math.floor(height * 0.15 + rand() * height * 0.7);
      if (d % 3 === 2) {
        // A thin diagonal scratch, 2 px wide.
        const len = 30 + Math.floor(rand() * 60);
        for (let t = 0; t < len; t++) for (let w = 0; w < 2; w++) paint(cx + t, cy + Math.floor(t / 2) + w);
      } else {
        const r = 4 + Math.floor(rand() * 10);
        for (let y = -r; y <= r; y++) for (let x = -r; x <= r; x++) if (x * x + y * y <= r * r) paint(cx + x, cy + y);
      }
    }
    for (let y = 0; y < height; y++) tex.copyWithin((y * tw + width) * ch, y * tw * ch, (y * tw + width) * ch);
    this.texture = tex;
  }

  protected produce(slot: FrameSlot, index: number): boolean {
    if (this.frames > 0 && index >= this.frames) return false;
    const ch = this.format === "gray" ? 1 : 3;
    const rowBytes = this.width * ch;
    const shift = ((index * this.speed) % this.width) * ch;
    const dst = slot.data;
    const tex = this.texture;
    for (let y = 0; y < this.height; y++) {
      const src = y * rowBytes * 2 + shift;
      dst.set(tex.subarray(src, src + rowBytes), y * rowBytes);
    }
    return true;
  }
}
