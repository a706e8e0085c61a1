// An image folder or glob as a frame source (PNG/JPEG/WebP/TIFF decoded by sharp). Images that
// fail to decode are skipped and counted; images of another size are resized to the first one's.
import { EdgesegError } from "../core/errors.js";
import { builtin, optionalPackage } from "./node.js";
import { PullSource } from "./pull.js";
import type { FrameSlot } from "./slots.js";
import type { PixelFormat, SourceOptions } from "./types.js";

type Sharp = typeof import("sharp").default;

const IMAGE_EXT = /\.(png|jpe?g|webp|tiff?|bmp)$/i;

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`);
}

/** The image files a folder or a glob (wildcards `*` and `?` in the last path part) names, sorted naturally. */
export function expandImages(pattern: string): string[] {
  const fs = builtin("node:fs");
  const path = builtin("node:path");
  let dir: string;
  let match: (name: string) => boolean;
  if (/[*?]/.test(pattern)) {
    dir = path.dirname(pattern);
    if (/[*?]/.test(dir)) throw new EdgesegError("INVALID_ARGUMENT", `Wildcards are supported in the file name only, not in folders: ${pattern}`);
    const re = globToRegExp(path.basename(pattern));
    match = (name) => re.test(name);
  } else {
    dir = pattern;
    match = (name) => IMAGE_EXT.test(name);
  }
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new EdgesegError("IO_ERROR", `No such image folder: ${dir}`, { cause: e });
  }
  const files = names.filter(match).sort((a, b) => a.localeCompare(b, "en", { numeric: true })).map((n) => path.join(dir, n));
  if (files.length === 0) throw new EdgesegError("IO_ERROR", `No images match ${pattern}`);
  return files;
}

/** Frames from image files, decoded with sharp. */
export class ImageFolderSource extends PullSource {
  private constructor(
    readonly uri: string,
    private readonly files: string[],
    private readonly sharp: Sharp,
    width: number,
    height: number,
    format: PixelFormat,
    options: SourceOptions,
  ) {
    super(width, height, format, options.fps ?? 0, options, false);
  }

  static async open(uri: string, pattern: string, options: SourceOptions = {}): Promise<ImageFolderSource> {
    const files = expandImages(pattern);
    const format = options.format ?? "gray";
    if (format !== "gray" && format !== "rgb") throw new EdgesegError("INVALID_ARGUMENT", `Expected "gray" or "rgb" for the format of an image folder but received "${format}"`);
    const sharp = await optionalPackage<Sharp>("sharp", "decoding images");
    let { width, height } = options;
    if (width === undefined || height === undefined) {
      const meta = await sharp(files[0]!).metadata().catch((e: Error) => {
        throw new EdgesegError("CORRUPT_FILE", `Cannot decode ${files[0]}: ${e.message}`, { cause: e });
      });
      width ??= meta.width;
      height ??= meta.height;
    }
    return new ImageFolderSource(uri, files, sharp, width!, height!, format, options);
  }

  /** Number of images found. */
  get count(): number {
    return this.files.length;
  }

  protected async produce(slot: FrameSlot, index: number): Promise<boolean> {
    for (let i = index; ; i++) {
      let k = i;
      if (k >= this.files.length) {
        if (!this.options.loop) return false;
        k %= this.files.length;
      }
      const file = this.files[k]!;
      try {
        let pipeline = this.sharp(file).removeAlpha().resize(this.width, this.height, { fit: "fill" });
        pipeline = this.format === "gray" ? pipeline.grayscale() : pipeline.toColourspace("srgb");
        const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
        if (info.channels !== (this.format === "gray" ? 1 : 3) || data.length !== slot.byteLength) throw new Error(`decoded to ${info.channels} channels`);
        slot.data.set(data);
        if (i !== index) this.skipTo(i);
        return true;
      } catch (e) {
        this.corrupt++;
        this.onEvent?.({ kind: "warning", message: `skipped ${file}: ${(e as Error).message}` });
        if (!this.options.loop && i + 1 >= this.files.length) return false;
        if (this.options.loop && i - index > this.files.length) return false;
      }
    }
  }
}
