// Reads golden fixtures written by scripts/make_fixtures.py (format: scripts/fixtures/common.py).
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import sharp from "sharp";
import type { Channels, Image } from "../../src/core/image.js";

const ROOT = new URL("../fixtures/", import.meta.url);

export interface ArrayRef {
  file: string;
  dtype: "int32" | "float32" | "int16" | "uint8" | "float64" | "uint16";
  shape: number[];
}
export type FixtureValue = { png: string } | ArrayRef | number | boolean | string | null | FixtureValue[] | { [k: string]: FixtureValue };

export interface FixtureCase {
  name: string;
  inputs: Record<string, any>;
  params: Record<string, any>;
  expected: Record<string, any>;
}

/** The cases of one family's manifest. */
export function loadManifest(family: string): FixtureCase[] {
  return JSON.parse(readFileSync(new URL(`${family}/manifest.json`, ROOT), "utf8")).cases;
}

/** Decodes a fixture PNG into an Image (RGB order for colour). */
export async function loadImage(family: string, ref: { png: string }): Promise<Image> {
  const file = readFileSync(new URL(`${family}/${ref.png}`, ROOT));
  const meta = await sharp(file).metadata();
  // sharp expands gray to sRGB unless told to keep one band.
  const pipeline = meta.channels === 1 ? sharp(file).extractChannel(0) : sharp(file);
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels as Channels,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

const CTORS = {
  int32: Int32Array,
  float32: Float32Array,
  int16: Int16Array,
  uint8: Uint8Array,
  float64: Float64Array,
  uint16: Uint16Array,
} as const;

/** Reads a gzip'd raw array fixture. */
export function loadArray(family: string, ref: ArrayRef): Int32Array | Float32Array | Int16Array | Uint8Array | Float64Array | Uint16Array {
  const raw = gunzipSync(readFileSync(new URL(`${family}/${ref.file}`, ROOT)));
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  const ctor = CTORS[ref.dtype];
  return new ctor(copy.buffer, 0, raw.length / ctor.BYTES_PER_ELEMENT);
}
