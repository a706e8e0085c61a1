// The one place that checks arguments. Every message reads
// "Expected <what> for <name> but received <value>" so a user can fix the call from the message alone.
import { EdgesegError, type ErrorCode } from "./errors.js";
import type { Channels, Image } from "./image.js";
import { refreshView } from "./memory.js";

/** Describes a received value compactly for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return `${value} of type ${typeof value}`;
  if (typeof value === "string") return `"${value.length > 40 ? value.slice(0, 40) + "…" : value}" of type string`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (typeof value === "function") return "a function";
  return `object ${value.constructor?.name ?? ""}`.trim();
}

/** Throws the canonical "Expected … for … but received …" error. */
export function invalidParameter(name: string, expected: string, actual: unknown, code: ErrorCode = "INVALID_ARGUMENT"): never {
  throw new EdgesegError(code, `Expected ${expected} for ${name} but received ${describe(actual)}`);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    invalidParameter(name, `an integer between ${min} and ${max}`, value);
  }
  return value;
}

export function number(name: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max) {
    const range = min === -Infinity && max === Infinity ? "a number" : `a number between ${min} and ${max}`;
    invalidParameter(name, range, value);
  }
  return value;
}

export function boolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") invalidParameter(name, "a boolean", value);
  return value;
}

export function oneOf<T extends string | number>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    invalidParameter(name, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`, value);
  }
  return value as T;
}

/** An odd integer ≥ min, for block and kernel sizes. */
export function oddInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max || value % 2 === 0) {
    invalidParameter(name, `an odd integer between ${min} and ${max}`, value);
  }
  return value;
}

/** Rejects option keys the function does not know, so typos do not pass silently. */
export function knownKeys(name: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new EdgesegError("INVALID_ARGUMENT", `Unknown option "${key}" in ${name}; expected one of ${allowed.join(", ")}`);
    }
  }
}

/** Returns the options object (or {}) after checking it is a plain object. */
export function options<T extends object>(name: string, value: T | undefined, allowed: readonly string[]): Partial<T> {
  if (value === undefined) return {};
  if (!isObject(value)) invalidParameter(name, "an options object", value);
  knownKeys(name, value, allowed);
  return value;
}

export const MAX_DIMENSION = 16384;

/**
 * Checks the shape and buffer of an image and returns its row stride in bytes.
 * @param allowed channel counts the kernel accepts (gray-only kernels pass [1]).
 */
export function image(name: string, img: unknown, allowed: readonly Channels[] = [1, 3, 4]): Image {
  if (!isObject(img)) invalidParameter(name, "an image { width, height, channels, data }", img, "INVALID_IMAGE");
  const { width, height, channels, stride } = img as unknown as Image;
  // A view of a WasmImage that memory growth detached is still that image's pixels.
  const data = (img as unknown as Image).data instanceof Uint8Array ? refreshView((img as unknown as Image).data) : (img as unknown as Image).data;
  if (typeof width !== "number" || !Number.isInteger(width) || width < 1 || width > MAX_DIMENSION) {
    invalidParameter(`${name}.width`, `an integer between 1 and ${MAX_DIMENSION}`, width, "INVALID_IMAGE");
  }
  if (typeof height !== "number" || !Number.isInteger(height) || height < 1 || height > MAX_DIMENSION) {
    invalidParameter(`${name}.height`, `an integer between 1 and ${MAX_DIMENSION}`, height, "INVALID_IMAGE");
  }
  if (!allowed.includes(channels)) {
    const what = allowed.length === 1 && allowed[0] === 1 ? "1 (a gray image or mask; convert with toGray first)" : `one of ${allowed.join(", ")}`;
    invalidParameter(`${name}.channels`, what, channels, "INVALID_IMAGE");
  }
  if (!((data as unknown) instanceof Uint8Array) && !((data as unknown) instanceof Uint8ClampedArray)) {
    invalidParameter(`${name}.data`, "a Uint8Array", data, "INVALID_IMAGE");
  }
  const rowBytes = width * channels;
  const rowStride = stride ?? rowBytes;
  if (!Number.isInteger(rowStride) || rowStride < rowBytes) {
    invalidParameter(`${name}.stride`, `an integer ≥ width × channels = ${rowBytes}`, stride, "INVALID_IMAGE");
  }
  const needed = rowStride * (height - 1) + rowBytes;
  if (stride === undefined ? data.length !== needed : data.length < needed) {
    throw new EdgesegError(
      "INVALID_IMAGE",
      `Expected ${name}.data to hold ${stride === undefined ? "exactly" : "at least"} ${needed} bytes ` +
        `(${width}×${height}×${channels}${stride === undefined ? "" : `, stride ${rowStride}`}) but received ${data.length}`,
    );
  }
  return img as unknown as Image;
}

/** Checks that two images have the same width and height (e.g. prediction and ground truth). */
export function sameSize(nameA: string, a: Image, nameB: string, b: Image): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new EdgesegError(
      "INVALID_IMAGE",
      `Expected ${nameB} to be ${a.width}×${a.height} like ${nameA} but received ${b.width}×${b.height}`,
    );
  }
}

/** Checks a caller-provided output array's type and length. */
export function outArray<T extends ArrayBufferView & { length: number }>(
  name: string,
  out: unknown,
  ctor: { new (n: number): T; name: string },
  length: number,
): T {
  const article = /^(Int|Array)/.test(ctor.name) ? "an" : "a"; // "an Int32Array", "a Uint8Array"
  if (!(out instanceof (ctor as unknown as Function))) invalidParameter(name, `${article} ${ctor.name}`, out);
  if ((out as T).length !== length) invalidParameter(name, `${article} ${ctor.name} of length ${length}`, out);
  return out as T;
}
