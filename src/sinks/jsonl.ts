// JSON lines: one record per frame to stdout or a file, written asynchronously (a slow disk or a
// slow reader of our stdout never blocks the loop); past `maxPendingBytes` records are dropped and counted.
import type { WriteStream } from "node:fs";
import { EdgesegError } from "../core/errors.js";
import { builtin } from "../sources/node.js";
import type { FrameRecord, FrameView, Sink, SinkStats } from "./types.js";

export interface JsonlSinkOptions {
  /** File path, or "-" for stdout. */
  path: string;
  /** Write every Nth record. @default 1 */
  every?: number;
  /** Bytes allowed to wait for the disk or the reader before records are dropped. @default 8 MiB */
  maxPendingBytes?: number;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Serializes a record with numbers rounded to 3 decimals (µs for latencies). */
export function recordToJson(record: FrameRecord): string {
  return JSON.stringify(record, (_k, value) => (typeof value === "number" && !Number.isInteger(value) ? round(value) : value));
}

export class JsonlSink implements Sink {
  readonly name: string;
  private stream: WriteStream | null = null;
  private written = 0;
  private dropped = 0;
  private errors = 0;
  private lastError: string | undefined;
  private seen = 0;
  private readonly every: number;
  private readonly maxPending: number;

  constructor(private readonly options: JsonlSinkOptions) {
    this.name = `jsonl:${options.path === "-" ? "stdout" : options.path}`;
    this.every = options.every ?? 1;
    this.maxPending = options.maxPendingBytes ?? 8 << 20;
  }

  async open(): Promise<void> {
    const fs = builtin("node:fs");
    const path = builtin("node:path");
    // fd 1 through an fs stream: writes go through libuv's thread pool instead of blocking on a slow pipe.
    if (this.options.path === "-") this.stream = fs.createWriteStream("", { fd: 1, autoClose: false });
    else {
      try {
        fs.mkdirSync(path.dirname(this.options.path), { recursive: true });
      } catch (e) {
        throw new EdgesegError("IO_ERROR", `Cannot create the folder for ${this.options.path}: ${(e as Error).message}`, { cause: e });
      }
      this.stream = fs.createWriteStream(this.options.path, { flags: "w" });
      await new Promise<void>((resolve, reject) => {
        this.stream!.once("open", () => resolve());
        this.stream!.once("error", (e) => reject(new EdgesegError("IO_ERROR", `Cannot write ${this.options.path}: ${e.message}`, { cause: e })));
      });
    }
    this.stream.on("error", (e) => {
      this.errors++;
      this.lastError = e.message;
    });
  }

  write(record: FrameRecord, _view?: FrameView): void {
    if (this.seen++ % this.every !== 0) return;
    const stream = this.stream;
    if (!stream || stream.destroyed || stream.errored || stream.writableLength > this.maxPending) {
      this.dropped++;
      return;
    }
    stream.write(recordToJson(record) + "\n");
    this.written++;
  }

  flush(): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.writableLength === 0 || stream.destroyed || stream.errored) return Promise.resolve();
    // Writes complete in order: the callback of an empty write fires once everything before it is out.
    return new Promise((resolve) => stream.write("", () => resolve()));
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    // A reader that went away (EPIPE) leaves a destroyed stream: nothing more to flush.
    if (!stream || stream.destroyed || stream.errored) return;
    await new Promise<void>((resolve) => {
      stream.once("finish", resolve).once("error", () => resolve()).once("close", resolve);
      stream.end();
    });
  }

  stats(): SinkStats {
    return { name: this.name, written: this.written, dropped: this.dropped, errors: this.errors, lastError: this.lastError };
  }
}
