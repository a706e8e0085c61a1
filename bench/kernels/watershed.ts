// Benchmark cases for watershed: OpenCV's water_coins photo (the tutorial's input) resized to the
// frame, with the tutorial's markers (from the fixtures) resized by nearest neighbour.
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { allocImage, regionGrow, WasmBuffer, watershed } from "../../src/index.js";
import type { BenchCase, BenchContext } from "../harness.js";
import { loadArray, loadManifest } from "../../test/helpers/fixtures.js";

const SIZES = [[640, 480], [1920, 1080]] as const;

const manifest = loadManifest("watershed").find((c) => c.name === "watershed_water_coins_tutorial")!;
const srcMarkers = loadArray("watershed", manifest.inputs.markers) as Int32Array;
const [mh, mw] = manifest.inputs.markers.shape as [number, number];
const png = readFileSync(new URL(`../../test/fixtures/watershed/${manifest.inputs.img.png}`, import.meta.url));

const inputs = new Map<number, { rgb: Uint8Array; markers: Int32Array }>();
for (const [w, h] of SIZES) {
  const { data } = await sharp(png).removeAlpha().resize(w, h, { kernel: "cubic", fit: "fill" }).raw().toBuffer({ resolveWithObject: true });
  const markers = new Int32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) markers[y * w + x] = srcMarkers[Math.floor((y * mh) / h) * mw + Math.floor((x * mw) / w)]!;
  }
  inputs.set(w, { rgb: new Uint8Array(data), markers });
}

export function cases({ cv }: BenchContext): BenchCase[] {
  const out: BenchCase[] = [];
  for (const [w, h] of SIZES) {
    const { rgb, markers } = inputs.get(w)!;
    const img = allocImage(w, h, 3);
    img.data.set(rgb);
    // Markers and labels in WASM memory, like opencv.js's Mats in its heap.
    const markersBuf = new WasmBuffer(w * h * 4);
    markersBuf.view(Int32Array).set(markers);
    const labelsBuf = new WasmBuffer(w * h * 4);
    const src = cv.matFromArray(h, w, cv.CV_8UC3, rgb);
    const cvMarkers = cv.matFromArray(h, w, cv.CV_32S, markers);
    const cvLabels = new cv.Mat();
    out.push({
      kernel: "watershed (tutorial markers)",
      size: `${w}x${h}`,
      ours: () => watershed(img, markersBuf.view(Int32Array), { out: labelsBuf.view(Int32Array) }),
      opencvjs: {
        // Same work as ours: a fresh copy of the markers, labelled in place.
        run: () => (cvMarkers.copyTo(cvLabels), cv.watershed(src, cvLabels)),
        dispose: () => (src.delete(), cvMarkers.delete(), cvLabels.delete()),
      },
      native: {
        name: "watershed",
        inputs: {
          img: { width: w, height: h, channels: 3, data: rgb },
          markers: { width: w, height: h, channels: 1, data: markers, dtype: "int32" },
        },
      },
      floorBytes: w * h * 4,
      targets: w === 1920 ? [
        { label: "faster than native 1t", check: (r) => (r.vsNative ?? 0) > 1 },
        { label: "≥2× opencv.js", check: (r) => (r.vsOpencvjs ?? 0) >= 2 },
      ] : [],
      dispose: () => (img.dispose(), markersBuf.dispose(), labelsBuf.dispose()),
    } satisfies BenchCase);
    // regionGrow has no OpenCV peer with the same semantics (floodFill's fixed range is close but
    // compares to the seed only with FLOODFILL_FIXED_RANGE); timed alone for the record.
    const gray = allocImage(w, h, 1);
    for (let i = 0; i < w * h; i++) gray.data[i] = (rgb[i * 3]! * 77 + rgb[i * 3 + 1]! * 150 + rgb[i * 3 + 2]! * 29) >> 8;
    const mask = allocImage(w, h, 1);
    const seed: [number, number] = [Math.floor(w * 0.1), Math.floor(h * 0.1)];
    const lo = new cv.Scalar(12, 12, 12, 0);
    const cvGray = cv.matFromArray(h, w, cv.CV_8UC1, gray.data);
    const cvMask = new cv.Mat.zeros(h + 2, w + 2, cv.CV_8UC1);
    out.push({
      kernel: "regionGrow tol 12, 8-conn (1 seed, background)",
      size: `${w}x${h}`,
      ours: () => regionGrow(gray, [seed], { tolerance: 12, out: mask }),
      opencvjs: {
        // floodFill with FIXED_RANGE into a mask: the same region (compared with the seed value).
        run: () => (cvMask.setTo(new cv.Scalar(0)), cv.floodFill(cvGray, cvMask, new cv.Point(seed[0], seed[1]), new cv.Scalar(255), new cv.Rect(), lo, lo, 8 | cv.FLOODFILL_FIXED_RANGE | cv.FLOODFILL_MASK_ONLY | (255 << 8))),
        dispose: () => (cvGray.delete(), cvMask.delete()),
      },
      floorBytes: w * h,
      dispose: () => (gray.dispose(), mask.dispose()),
    } satisfies BenchCase);
  }
  return out;
}
