// Deterministic random inputs for property tests.
import type { Channels, Image } from "../../src/core/image.js";

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sizes that exercise edge cases: 1×1, single rows and columns, widths off the 16-byte SIMD grid, big frames. */
export const PROPERTY_SIZES: ReadonlyArray<readonly [number, number]> = [
  [1, 1], [1, 17], [23, 1], [2, 2], [15, 3], [16, 16], [17, 9], [31, 33], [47, 5], [64, 48], [127, 61], [641, 479],
];
export const LARGE_SIZES: ReadonlyArray<readonly [number, number]> = [[1920, 1080], [3840, 2160]];

export function randomImage(width: number, height: number, channels: Channels, seed: number): Image {
  const r = rng(seed);
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (r() * 256) | 0;
  return { width, height, channels, data };
}

/** A random binary mask (0/255) with blobs: a thresholded box-blurred noise field, so components have real shapes. */
export function randomMask(width: number, height: number, seed: number, density = 0.5): Image {
  const r = rng(seed);
  const noise = new Float32Array(width * height);
  for (let i = 0; i < noise.length; i++) noise[i] = r();
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      let c = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < height && xx >= 0 && xx < width) {
            s += noise[yy * width + xx]!;
            c++;
          }
        }
      }
      data[y * width + x] = s / c > 0.5 + (0.5 - density) * 0.4 ? 255 : 0; // mean of 9 uniforms: ~density foreground
    }
  }
  return { width, height, channels: 1, data };
}
