// Draws a frame with its mask and region outlines into an RGB buffer (for overlays and the preview).
import type { Image, Mask } from "../core/image.js";
import type { DetectedRegion } from "../pipeline/regions.js";

/**
 * Writes an RGB picture of `image` into `out` (width × height × 3 bytes): mask pixels tinted red,
 * the mask's outline in solid red, and each region's bounding box in yellow.
 *
 * @example
 * const rgb = new Uint8Array(w * h * 3);
 * drawOverlay(frame, mask, regions, rgb);
 */
export function drawOverlay(image: Image, mask: Mask, regions: readonly DetectedRegion[], out: Uint8Array): Uint8Array {
  const { width: w, height: h } = image;
  const src = image.data;
  const ch = image.channels;
  const stride = image.stride ?? w * ch;
  const m = mask.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = y * stride + x * ch;
      const o = (y * w + x) * 3;
      let r: number;
      let g: number;
      let b: number;
      if (ch === 1) r = g = b = src[s]!;
      else {
        r = src[s]!;
        g = src[s + 1]!;
        b = src[s + 2]!;
      }
      const i = y * w + x;
      if (m[i] !== 0) {
        const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || m[i - 1] === 0 || m[i + 1] === 0 || m[i - w] === 0 || m[i + w] === 0;
        if (edge) {
          r = 255;
          g = 32;
          b = 32;
        } else {
          r = (r * 3 + 255 * 2) / 5;
          g = (g * 3) / 5;
          b = (b * 3) / 5;
        }
      }
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  for (const reg of regions) {
    const x0 = Math.max(0, Math.floor(reg.x) - 2);
    const y0 = Math.max(0, Math.floor(reg.y) - 2);
    const x1 = Math.min(w - 1, Math.floor(reg.x + reg.width) + 1);
    const y1 = Math.min(h - 1, Math.floor(reg.y + reg.height) + 1);
    const put = (x: number, y: number) => {
      const o = (y * w + x) * 3;
      out[o] = 255;
      out[o + 1] = 220;
      out[o + 2] = 0;
    };
    for (let x = x0; x <= x1; x++) {
      put(x, y0);
      put(x, y1);
    }
    for (let y = y0; y <= y1; y++) {
      put(x0, y);
      put(x1, y);
    }
  }
  return out;
}
