// Fast array comparisons that name the first mismatch (expect().toEqual on big arrays is very slow).
import type { Image } from "../../src/core/image.js";

type Numeric = ArrayLike<number>;

/** Index and values of the first difference larger than `tolerance`, or null. */
export function firstMismatch(actual: Numeric, expected: Numeric, tolerance = 0): { index: number; actual: number; expected: number } | null {
  if (actual.length !== expected.length) return { index: -1, actual: actual.length, expected: expected.length };
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a === e) continue;
    if (Math.abs(a - e) > tolerance || Number.isNaN(a) !== Number.isNaN(e)) return { index: i, actual: a, expected: e };
  }
  return null;
}

/** Throws with the pixel coordinates of the first mismatch. */
export function expectSameArray(actual: Numeric, expected: Numeric, what: string, width = 0, tolerance = 0): void {
  const m = firstMismatch(actual, expected, tolerance);
  if (!m) return;
  if (m.index < 0) throw new Error(`${what}: length ${m.actual} but expected ${m.expected}`);
  const where = width > 0 ? ` at (x=${m.index % width}, y=${Math.floor(m.index / width)})` : "";
  throw new Error(`${what}: element ${m.index}${where} is ${m.actual} but expected ${m.expected} (tolerance ${tolerance})`);
}

/** Compares two images pixel by pixel (channels interleaved). */
export function expectSameImage(actual: Image, expected: Image, what: string, tolerance = 0): void {
  if (actual.width !== expected.width || actual.height !== expected.height || actual.channels !== expected.channels) {
    throw new Error(`${what}: ${actual.width}×${actual.height}×${actual.channels} but expected ${expected.width}×${expected.height}×${expected.channels}`);
  }
  expectSameArray(actual.data, expected.data, what, actual.width * actual.channels, tolerance);
}

/** Count of elements differing by more than `tolerance`. */
export function countMismatches(actual: Numeric, expected: Numeric, tolerance = 0): number {
  let n = 0;
  for (let i = 0; i < actual.length; i++) if (Math.abs(actual[i]! - expected[i]!) > tolerance) n++;
  return n;
}
