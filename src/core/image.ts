/** Channel counts edgeseg understands: gray/mask, RGB (or BGR), RGBA. */
export type Channels = 1 | 3 | 4;

/**
 * The one image type used everywhere: 8-bit pixels, channels interleaved, rows top to bottom.
 * Masks are 1-channel images with 0 = background and any nonzero value = foreground;
 * kernels that produce masks write 0/255 like OpenCV.
 *
 * `stride` (bytes per row) defaults to `width * channels`. Kernels accept padded rows and
 * always write packed rows.
 */
export interface Image {
  width: number;
  height: number;
  channels: Channels;
  data: Uint8Array;
  stride?: number;
}

/** A 1-channel image with 0 = background and nonzero = foreground. */
export type Mask = Image & { channels: 1 };

/** Allocates a zero-filled image in ordinary JS memory. */
export function createImage(width: number, height: number, channels: Channels = 1): Image {
  return { width, height, channels, data: new Uint8Array(width * height * channels) };
}

/** Bytes in a packed image of this shape. */
export function byteLength(width: number, height: number, channels: number): number {
  return width * height * channels;
}
