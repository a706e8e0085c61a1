// Overlay images (PNG/JPEG via sharp) of the frame with its mask and region outlines: every N
// frames and when a defect appears. Encoding runs in sharp's thread pool; at most `maxPending`
// encodes are in flight, and frames beyond that are dropped and counted.
import { EdgesegError } from "../core/errors.js";
import { builtin, optionalPackage } from "../sources/node.js";
import { drawOverlay } from "./draw.js";
import type { FrameRecord, FrameView, Sink, SinkStats } from "./types.js";

type Sharp = typeof import("sharp").default;

export interface OverlaySinkOptions {
  dir: string;
  /** Write every Nth frame; 0 = only defect frames. @default 30 */
  every?: number;
  /** Write frames with a defect too. @default true */
  onDefect?: boolean;
  /** At most one defect overlay per this many frames. @default 15 */
  defectGap?: number;
  /** @default "jpeg" */
  format?: "png" | "jpeg";
  /** JPEG quality. @default 80 */
  quality?: number;
  /** Stop after this many files (0 = no limit). @default 1000 */
  max?: number;
  /** Encodes in flight before frames are dropped. @default 2 */
  maxPending?: number;
}

export class OverlaySink implements Sink {
  readonly name: string;
  private sharp: Sharp | null = null;
  private readonly free: Uint8Array[] = [];
  private pending = new Set<Promise<void>>();
  private written = 0;
  private dropped = 0;
  private errors = 0;
  private skippedMax = 0;
  private lastError: string | undefined;
  private lastDefectFrame = -Infinity;
  private bufferBytes = 0;
  /** Paths written, in order (the last 100). */
  readonly files: string[] = [];

  constructor(private readonly options: OverlaySinkOptions) {
    this.name = `overlays:${options.dir}`;
  }

  async open(): Promise<void> {
    this.sharp = await optionalPackage<Sharp>("sharp", "writing overlays");
    try {
      builtin("node:fs").mkdirSync(this.options.dir, { recursive: true });
    } catch (e) {
      throw new EdgesegError("IO_ERROR", `Cannot create the overlay folder ${this.options.dir}: ${(e as Error).message}`, { cause: e });
    }
  }

  private wants(record: FrameRecord, index: number): boolean {
    const every = this.options.every ?? 30;
    if (every > 0 && index % every === 0) return true;
    if ((this.options.onDefect ?? true) && record.defect && index - this.lastDefectFrame >= (this.options.defectGap ?? 15)) {
      this.lastDefectFrame = index;
      return true;
    }
    return false;
  }

  private index = 0;

  write(record: FrameRecord, view: FrameView): void {
    const i = this.index++;
    if (!this.wants(record, i)) return;
    const max = this.options.max ?? 1000;
    if (max > 0 && this.written + this.pending.size >= max) {
      this.skippedMax++;
      return;
    }
    const bytes = view.image.width * view.image.height * 3;
    if (bytes !== this.bufferBytes) {
      this.free.length = 0;
      this.bufferBytes = bytes;
    }
    let buf = this.free.pop();
    if (!buf) {
      if (this.pending.size >= (this.options.maxPending ?? 2)) {
        this.dropped++;
        return;
      }
      buf = new Uint8Array(bytes);
    }
    drawOverlay(view.image, view.mask, record.regions, buf);
    const format = this.options.format ?? "jpeg";
    const file = builtin("node:path").join(this.options.dir, `frame-${String(record.frame).padStart(6, "0")}${record.defect ? "-defect" : ""}.${format === "png" ? "png" : "jpg"}`);
    const img = this.sharp!(buf, { raw: { width: view.image.width, height: view.image.height, channels: 3 } });
    const encoded = format === "png" ? img.png({ compressionLevel: 3 }) : img.jpeg({ quality: this.options.quality ?? 80 });
    const done: Promise<void> = encoded
      .toFile(file)
      .then(() => {
        this.written++;
        this.files.push(file);
        if (this.files.length > 100) this.files.shift();
      })
      .catch((e: Error) => {
        this.errors++;
        this.lastError = e.message;
      })
      .finally(() => {
        this.pending.delete(done);
        if (buf!.length === this.bufferBytes) this.free.push(buf!);
      });
    this.pending.add(done);
  }

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.flush();
  }

  stats(): SinkStats {
    return {
      name: this.name,
      written: this.written,
      dropped: this.dropped,
      errors: this.errors,
      lastError: this.lastError,
      detail: { dir: this.options.dir, limitReached: this.skippedMax },
    };
  }
}
