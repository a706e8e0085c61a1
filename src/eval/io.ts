// Reading and writing images for offline tools (eval, overlays). PNG/JPEG codecs are sharp's (libvips).
import { readdir, readFile } from "node:fs/promises";
import { extname, join, parse } from "node:path";
import sharp from "sharp";
import { EdgesegError } from "../core/errors.js";
import type { Channels, Image } from "../core/image.js";

export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"];

/** Decodes an image file; `channels: 1` converts to gray, otherwise RGB(A) as stored. */
export async function readImage(path: string, options: { gray?: boolean } = {}): Promise<Image> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new EdgesegError("IO_ERROR", `Cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    let pipeline = sharp(bytes);
    const meta = await pipeline.metadata();
    if (options.gray) pipeline = meta.channels === 1 ? pipeline.extractChannel(0) : pipeline.toColourspace("b-w").extractChannel(0);
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels === 2) throw new Error("gray+alpha images are not supported");
    return { width: info.width, height: info.height, channels: info.channels as Channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (e) {
    throw new EdgesegError("CORRUPT_FILE", `Cannot decode ${path} as an image: ${(e as Error).message}`);
  }
}

/** Encodes an image to PNG (or JPEG when the path ends in .jpg/.jpeg). */
export async function writeImage(path: string, img: Image): Promise<void> {
  const ext = extname(path).toLowerCase();
  const s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
  await (ext === ".jpg" || ext === ".jpeg" ? s.jpeg({ quality: 85 }) : s.png({ compressionLevel: 6 })).toFile(path);
}

/** Image files of a folder keyed by file stem (name without extension), sorted. */
export async function listImages(dir: string, what: string): Promise<Map<string, string>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new EdgesegError("IO_ERROR", `Cannot read the ${what} folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const files = new Map<string, string>();
  for (const name of names.sort()) {
    if (!IMAGE_EXTENSIONS.includes(extname(name).toLowerCase())) continue;
    const stem = parse(name).name;
    if (files.has(stem)) throw new EdgesegError("INVALID_ARGUMENT", `The ${what} folder ${dir} has two images named ${stem}.*`);
    files.set(stem, join(dir, name));
  }
  if (files.size === 0) throw new EdgesegError("INVALID_ARGUMENT", `The ${what} folder ${dir} holds no images (${IMAGE_EXTENSIONS.join(", ")})`);
  return files;
}
