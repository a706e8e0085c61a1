// YUV4MPEG2 (.y4m) files read directly, without ffmpeg: a text header, then "FRAME\n" + planar
// pixels per frame. 4:2:0 frames are delivered as `i420` (the loop converts them with the SIMD
// kernels), or as `gray` by reading only the Y plane; `mono` files are gray.
import { EdgesegError } from "../core/errors.js";
import { builtin } from "./node.js";
import { PullSource } from "./pull.js";
import type { FrameSlot } from "./slots.js";
import { type PixelFormat, type SourceOptions, frameBytes } from "./types.js";

/** The fields of a y4m stream header. */
export interface Y4mHeader {
  width: number;
  height: number;
  fps: number;
  /** `420` (any 4:2:0 siting) or `mono`. */
  colorspace: "420" | "mono";
  /** Length of the header line including its newline. */
  headerBytes: number;
}

/** Parses the first line of a y4m file. Throws CORRUPT_FILE / UNSUPPORTED_FORMAT naming the problem. */
export function parseY4mHeader(head: Uint8Array, path: string): Y4mHeader {
  const nl = head.indexOf(0x0a);
  const line = new TextDecoder().decode(head.subarray(0, nl < 0 ? head.length : nl));
  if (!line.startsWith("YUV4MPEG2")) throw new EdgesegError("CORRUPT_FILE", `${path} is not a YUV4MPEG2 (.y4m) file: it does not start with "YUV4MPEG2"`);
  if (nl < 0) throw new EdgesegError("CORRUPT_FILE", `${path}: the y4m header line is not terminated`);
  let width = 0;
  let height = 0;
  let fps = 0;
  let colorspace = "420jpeg";
  for (const token of line.split(" ").slice(1)) {
    const value = token.slice(1);
    switch (token[0]) {
      case "W":
        width = Number(value);
        break;
      case "H":
        height = Number(value);
        break;
      case "F": {
        const [n, d] = value.split(":").map(Number);
        fps = n && d ? n / d : 0;
        break;
      }
      case "C":
        colorspace = value;
        break;
    }
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new EdgesegError("CORRUPT_FILE", `${path}: the y4m header has no valid W/H (${line})`);
  }
  let cs: "420" | "mono";
  if (colorspace.startsWith("420")) cs = "420";
  else if (colorspace === "mono") cs = "mono";
  else throw new EdgesegError("UNSUPPORTED_FORMAT", `${path}: y4m colorspace C${colorspace} is not supported; use 4:2:0 (ffmpeg -pix_fmt yuv420p) or mono`);
  return { width, height, fps, colorspace: cs, headerBytes: nl + 1 };
}

/** Reads a .y4m file frame by frame into reused WASM buffers. */
export class Y4mSource extends PullSource {
  private readonly fd: number;
  private readonly header: Y4mHeader;
  private readonly planeBytes: number;
  private readonly fileBytes: number;
  private pos: number;
  private posIndex = 0;
  private readonly marker = new Uint8Array(128);

  private constructor(readonly uri: string, fd: number, header: Y4mHeader, format: PixelFormat, fileBytes: number, options: SourceOptions) {
    super(header.width, header.height, format, header.fps || options.fps || 30, options, false);
    this.fd = fd;
    this.header = header;
    this.planeBytes = frameBytes(header.colorspace === "mono" ? "gray" : "i420", header.width, header.height);
    this.fileBytes = fileBytes;
    this.pos = header.headerBytes;
  }

  /** Opens `path`; `options.format` may be `gray` or `i420` (default: `gray`). */
  static open(uri: string, path: string, options: SourceOptions = {}): Y4mSource {
    const fs = builtin("node:fs");
    let fd: number;
    try {
      fd = fs.openSync(path, "r");
    } catch (e) {
      throw new EdgesegError("IO_ERROR", `No such y4m file: ${path}`, { cause: e });
    }
    try {
      const head = new Uint8Array(256);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      const header = parseY4mHeader(head.subarray(0, n), path);
      const wanted = options.format ?? "gray";
      if (options.width !== undefined && options.width !== header.width || options.height !== undefined && options.height !== header.height) {
        throw new EdgesegError("INVALID_ARGUMENT", `${path} is ${header.width}×${header.height}; y4m frames are not scaled (drop the size option or convert with ffmpeg)`);
      }
      let format: PixelFormat;
      if (wanted === "gray") format = "gray";
      else if (header.colorspace === "420" && (wanted === "i420" || wanted === "rgb")) format = "i420";
      else throw new EdgesegError("UNSUPPORTED_FORMAT", `${path}: a ${header.colorspace} y4m file cannot be delivered as "${wanted}"`);
      return new Y4mSource(uri, fd, header, format, fs.fstatSync(fd).size, options);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** Length of the FRAME line at `pos`, or 0 at end of file; throws on a broken marker. */
  private frameLine(pos: number): number {
    const fs = builtin("node:fs");
    const n = fs.readSync(this.fd, this.marker, 0, this.marker.length, pos);
    if (n === 0) return 0;
    const nl = this.marker.subarray(0, n).indexOf(0x0a);
    // "FRAME" in ASCII.
    const ok = n >= 6 && this.marker[0] === 70 && this.marker[1] === 82 && this.marker[2] === 65 && this.marker[3] === 77 && this.marker[4] === 69;
    if (!ok || nl < 0) throw new EdgesegError("CORRUPT_FILE", `${this.uri}: expected a FRAME marker at byte ${pos}`);
    return nl + 1;
  }

  protected override skipTo(index: number): void {
    for (let skip = index - this.index; skip > 0; skip--) {
      let line = this.frameLine(this.pos);
      if (line === 0 && this.options.loop && this.posIndex > 0) {
        this.pos = this.header.headerBytes;
        this.posIndex = 0;
        line = this.frameLine(this.pos);
      }
      if (line === 0) break;
      this.pos += line + this.planeBytes;
      this.posIndex++;
    }
    super.skipTo(index);
  }

  protected produce(slot: FrameSlot, _index: number): boolean {
    const fs = builtin("node:fs");
    let line = this.frameLine(this.pos);
    if (line === 0 && this.options.loop && this.posIndex > 0) {
      this.pos = this.header.headerBytes;
      this.posIndex = 0;
      this.onEvent?.({ kind: "end-of-file-loop", message: `${this.uri}: looping` });
      line = this.frameLine(this.pos);
    }
    if (line === 0) return false;
    const start = this.pos + line;
    if (start + this.planeBytes > this.fileBytes) {
      // A truncated last frame: skipped and counted.
      this.corrupt++;
      return false;
    }
    // The Y plane is the gray image, so gray costs one read and no conversion.
    const want = slot.byteLength;
    const n = fs.readSync(this.fd, slot.data, 0, want, start);
    if (n !== want) {
      this.corrupt++;
      return false;
    }
    this.pos = start + this.planeBytes;
    this.posIndex++;
    return true;
  }

  protected override release(): void {
    builtin("node:fs").closeSync(this.fd);
  }
}
