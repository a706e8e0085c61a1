// Deterministic kernel calls used by the Node-vs-browser bit-identity test. Each case takes the
// library module (the package in Node, the browser bundle in Chromium) and returns a typed array
// or a list of numbers. Plain code only: this file is also bundled for the browser.
type Lib = any;

/**
 * FNV-1a (32-bit) over the bytes of a typed array, or of a number list taken as float64s, as
 * "hex:byteLength". The one hash of every same-bits check (Node, Chromium, x64, arm64).
 *
 * @example
 * hashBytes(new Uint8Array([1, 2, 3])); // "56cf37ab:3"
 */
export function hashBytes(view: ArrayBufferView | number[]): string {
  const bytes = ArrayBuffer.isView(view) ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : new Uint8Array(Float64Array.from(view).buffer);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16) + ":" + bytes.length;
}

function pattern(width: number, height: number, channels: number, seed: number) {
  const data = new Uint8Array(width * height * channels);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const x = (i / channels) % width;
    const y = Math.floor(i / channels / width);
    data[i] = (128 + 90 * Math.sin(x / 9) * Math.cos(y / 7) + (s >>> 28)) & 255;
  }
  return { width, height, channels, data };
}

const gray = () => pattern(163, 97, 1, 7);
const rgb = () => pattern(131, 77, 3, 11);
const mask = (seed: number) => {
  const img = pattern(163, 97, 1, seed);
  return { ...img, data: img.data.map((v) => (v > 140 ? 255 : 0)) };
};

export const SAME_BITS_CASES: Array<{ name: string; run: (lib: Lib) => ArrayBufferView | number[] }> = [
  { name: "threshold", run: (l) => l.threshold(gray(), { value: 120 }).data },
  { name: "confusion", run: (l) => Object.values(l.confusion(mask(3), mask(5))) as number[] },
  { name: "boundaryMetrics", run: (l) => Object.values(l.boundaryMetrics(mask(3), mask(5), { spacing: [0.7, 1.3] })) as number[] },
  ...optional("otsuThreshold", (l) => [l.otsuThreshold(gray()).threshold]),
  ...optional("adaptiveThreshold", (l) => l.adaptiveThreshold(gray(), { method: "gaussian", blockSize: 11, c: 2 }).data),
  ...optional("morphology", (l) => l.morphology(gray(), { op: "gradient", shape: "ellipse", size: 5 }).data),
  ...optional("toGray", (l) => l.toGray(rgb()).data),
  ...optional("resize", (l) => l.resize(rgb(), { width: 61, height: 43, method: "bilinear" }).data),
  ...optional("normalize", (l) => l.normalize(rgb(), { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: "nchw" })),
  ...optional("connectedComponents", (l) => l.connectedComponents(mask(9), { connectivity: 8 }).labels),
  ...optional("distanceTransform", (l) => l.distanceTransform(mask(9))),
  ...optional("canny", (l) => l.canny(gray(), { low: 50, high: 150 }).data),
  ...optional("sobel", (l) => l.sobel(gray(), { dx: 1, dy: 0, ksize: 3 })),
  ...optional("watershed", (l) => {
    const markers = new Int32Array(163 * 97);
    markers[10 * 163 + 10] = 1;
    markers[80 * 163 + 150] = 2;
    return l.watershed(rgb3(), markers);
  }),
];

function rgb3() {
  return pattern(163, 97, 3, 13);
}

/** A case for a kernel that another family provides; skipped from the list when absent in both worlds. */
function optional(name: string, run: (lib: Lib) => ArrayBufferView | number[]) {
  return [{ name, run: (lib: Lib) => (typeof lib[name] === "function" ? run(lib) : [-1]) }];
}
