// Colour conversion: RGB(A)/BGR(A) → gray and the camera formats (YUYV, NV12, I420) → gray/RGB,
// byte-identical with OpenCV 4.6's cvtColor (formulas and how they were checked: assembly/color.ts).
import { EdgesegError } from "../core/errors.js";
import type { Channels, Image } from "../core/image.js";
import { inputPointer, outputTarget } from "../core/memory.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";

type ColorExports = {
  rgbToGray(src: number, dst: number, n: number, cn: number, bgr: boolean): void;
  yuyvToGray(src: number, dst: number, n: number): void;
  yuyvToRgb(src: number, dst: number, n: number): void;
  nv12ToRgb(src: number, dst: number, width: number, height: number): void;
  i420ToRgb(src: number, dst: number, width: number, height: number): void;
};
const k = () => kernels() as unknown as ColorExports;

/**
 * Validates a caller-provided output image of a given shape (packed rows) and returns its data.
 * Shared by the colour, resize and normalize wrappers.
 */
export function imageOut(name: string, width: number, height: number, channels: Channels, out: Image | undefined): Uint8Array | undefined {
  if (out === undefined) return undefined;
  v.image(name, out, [channels]);
  if (out.width !== width || out.height !== height) {
    throw new EdgesegError("INVALID_IMAGE", `Expected ${name} to be ${width}×${height} but received ${out.width}×${out.height}`);
  }
  if (out.stride !== undefined && out.stride !== width * channels) v.invalidParameter(`${name}.stride`, `packed rows (${width * channels})`, out.stride);
  return out.data;
}

/** Options of {@link toGray}. */
export interface ToGrayOptions {
  /** Channel order of the input's first three channels (OpenCV's default images are BGR). @default "rgb" */
  order?: "rgb" | "bgr";
  /** A caller-owned 1-channel image of the input's size to write into (zero-copy if it is a `WasmImage`). */
  out?: Image;
}

/**
 * Converts an RGB, RGBA, BGR or BGRA image to gray, byte-identical with OpenCV's
 * `cvtColor(…, COLOR_RGB2GRAY)` (BT.601: `(9798 R + 19235 G + 3735 B + 16384) >> 15`). Alpha is ignored.
 *
 * @example
 * const gray = toGray(rgbFrame);
 * const grayFromOpenCv = toGray(bgrFrame, { order: "bgr" });
 */
export function toGray(img: Image, options?: ToGrayOptions): Image & { channels: 1 } {
  v.image("img", img, [3, 4]);
  const o = v.options("options", options, ["order", "out"]);
  const order = o.order === undefined ? "rgb" : v.oneOf("options.order", o.order, ["rgb", "bgr"] as const);
  const out = imageOut("options.out", img.width, img.height, 1, o.out);
  const n = img.width * img.height;
  const src = inputPointer(img, "color.in");
  const dst = outputTarget(n, out, "color.out");
  k().rgbToGray(src, dst.ptr, n, img.channels, order === "bgr");
  return { width: img.width, height: img.height, channels: 1, data: dst.finish() };
}

/** A raw camera frame as V4L2 or ffmpeg deliver it: `data` holds the planes back to back, no row padding. */
export interface YuvFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Options of the YUV conversions. */
export interface YuvOptions {
  /** A caller-owned image of the frame's size (1 channel for gray, 3 for RGB) to write into. */
  out?: Image;
}

type YuvLayout = "yuyv" | "nv12" | "i420";

function yuvFrame(name: string, frame: unknown, layout: YuvLayout): YuvFrame {
  if (!v.isObject(frame)) v.invalidParameter(name, "a frame { width, height, data }", frame, "INVALID_IMAGE");
  const { width, height } = frame as unknown as YuvFrame;
  const data: unknown = (frame as { data?: unknown }).data;
  v.integer(`${name}.width`, width, 1, v.MAX_DIMENSION);
  v.integer(`${name}.height`, height, 1, v.MAX_DIMENSION);
  // Chroma is shared by pixel pairs (YUYV) or 2×2 blocks (4:2:0), so those dimensions must be even.
  if (width % 2 !== 0) v.invalidParameter(`${name}.width`, `an even width for ${layout.toUpperCase()}`, width, "INVALID_IMAGE");
  if (layout !== "yuyv" && height % 2 !== 0) v.invalidParameter(`${name}.height`, `an even height for ${layout.toUpperCase()}`, height, "INVALID_IMAGE");
  if (!(data instanceof Uint8Array) && !(data instanceof Uint8ClampedArray)) v.invalidParameter(`${name}.data`, "a Uint8Array", data, "INVALID_IMAGE");
  const needed = layout === "yuyv" ? width * height * 2 : (width * height * 3) / 2;
  const bytes = data as Uint8Array;
  if (bytes.length !== needed) {
    const how = layout === "yuyv" ? "width × height × 2" : "width × height × 3/2";
    throw new EdgesegError("INVALID_IMAGE", `Expected ${name}.data to hold exactly ${needed} bytes (${layout.toUpperCase()} ${width}×${height}: ${how}) but received ${bytes.length}`);
  }
  return frame as unknown as YuvFrame;
}

/** Pointer to the frame's bytes in WASM memory (zero-copy when `data` is a view of it). */
function framePointer(frame: YuvFrame, key: string): number {
  return inputPointer({ width: frame.data.length, height: 1, channels: 1, data: frame.data }, key);
}

function convert(frame: YuvFrame, layout: YuvLayout, channels: 1 | 3, options: YuvOptions | undefined, run: (src: number, dst: number) => void): Image {
  const o = v.options("options", options, ["out"]);
  const out = imageOut("options.out", frame.width, frame.height, channels, o.out);
  const src = framePointer(frame, `color.${layout}`);
  const dst = outputTarget(frame.width * frame.height * channels, out, "color.out");
  run(src, dst.ptr);
  return { width: frame.width, height: frame.height, channels, data: dst.finish() };
}

/**
 * Gray from a packed YUYV (YUY2, V4L2 `YUYV`, ffmpeg `yuyv422`) frame: its Y bytes, as OpenCV's
 * `cvtColor(…, COLOR_YUV2GRAY_YUYV)`. Width must be even.
 *
 * @example
 * const gray = yuyvToGray({ width: 640, height: 480, data: v4l2Buffer });
 */
export function yuyvToGray(frame: YuvFrame, options?: YuvOptions): Image & { channels: 1 } {
  const f = yuvFrame("frame", frame, "yuyv");
  return convert(f, "yuyv", 1, options, (src, dst) => k().yuyvToGray(src, dst, f.width * f.height)) as Image & { channels: 1 };
}

/**
 * RGB from a packed YUYV frame, byte-identical with OpenCV's `cvtColor(…, COLOR_YUV2RGB_YUYV)`
 * (BT.601 video range, 20-bit fixed point). Width must be even.
 *
 * @example
 * const rgb = yuyvToRgb({ width: 640, height: 480, data: v4l2Buffer });
 */
export function yuyvToRgb(frame: YuvFrame, options?: YuvOptions): Image {
  const f = yuvFrame("frame", frame, "yuyv");
  return convert(f, "yuyv", 3, options, (src, dst) => k().yuyvToRgb(src, dst, f.width * f.height));
}

/**
 * RGB from an NV12 frame (Y plane, then interleaved U/V at half resolution; ffmpeg `nv12`),
 * byte-identical with OpenCV's `cvtColor(…, COLOR_YUV2RGB_NV12)`. Width and height must be even.
 *
 * @example
 * const rgb = nv12ToRgb({ width: 1920, height: 1080, data }); // data.length === 1920 * 1080 * 1.5
 */
export function nv12ToRgb(frame: YuvFrame, options?: YuvOptions): Image {
  const f = yuvFrame("frame", frame, "nv12");
  return convert(f, "nv12", 3, options, (src, dst) => k().nv12ToRgb(src, dst, f.width, f.height));
}

/**
 * RGB from an I420 frame (planar Y, U, V with chroma at half resolution; ffmpeg `yuv420p`),
 * byte-identical with OpenCV's `cvtColor(…, COLOR_YUV2RGB_I420)`. Width and height must be even.
 *
 * @example
 * const rgb = i420ToRgb({ width: 1280, height: 720, data: ffmpegFrame });
 */
export function i420ToRgb(frame: YuvFrame, options?: YuvOptions): Image {
  const f = yuvFrame("frame", frame, "i420");
  return convert(f, "i420", 3, options, (src, dst) => k().i420ToRgb(src, dst, f.width, f.height));
}
