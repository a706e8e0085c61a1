import { describe, expect, it } from "vitest";
import { adaptiveThreshold, allocImage, EdgesegError, memoryStats, otsuThreshold, threshold, triangleThreshold, WasmBuffer } from "../../src/index.js";
import { kernels } from "../../src/core/wasm.js";
import type { Image } from "../../src/core/image.js";
import { countMismatches, expectSameArray, expectSameImage } from "../helpers/compare.js";
import { loadImage, loadManifest } from "../helpers/fixtures.js";
import { LARGE_SIZES, PROPERTY_SIZES, randomImage, rng } from "../helpers/random.js";

/** Plain reference: what OpenCV's THRESH_BINARY does on 8-bit images. */
function thresholdReference(data: Uint8Array, value: number, inverse: boolean): Uint8Array {
  const t = Math.floor(value);
  return data.map((p) => ((p > t) !== inverse ? 255 : 0));
}

describe("threshold: golden fixtures from OpenCV", () => {
  const cases = loadManifest("threshold").filter((c) => "value" in c.params);
  it("has fixtures", () => expect(cases.length).toBeGreaterThan(20));
  for (const c of cases) {
    it(c.name, async () => {
      const img = await loadImage("threshold", c.inputs.img);
      const expected = await loadImage("threshold", c.expected.mask);
      const mask = threshold(img, { value: c.params.value, inverse: c.params.inverse });
      expectSameImage(mask, expected, c.name);
    });
  }
});

describe("threshold: property tests against the reference", () => {
  for (const [w, h] of [...PROPERTY_SIZES, ...LARGE_SIZES]) {
    it(`${w}×${h}`, () => {
      const img = randomImage(w, h, 1, w * 7919 + h);
      for (const value of [-5, 0, 1, 99.9, 128, 254, 255, 300]) {
        for (const inverse of [false, true]) {
          expectSameArray(threshold(img, { value, inverse }).data, thresholdReference(img.data, value, inverse), `t=${value} inv=${inverse}`, w);
        }
      }
    });
  }

  it("writes into a caller-owned WASM image without copying, and into a plain out", () => {
    const img = randomImage(33, 17, 1, 5);
    const expected = thresholdReference(img.data, 50, false);
    const wasmOut = allocImage(33, 17, 1);
    const plainOut = { width: 33, height: 17, channels: 1 as const, data: new Uint8Array(33 * 17) };
    try {
      expect(threshold(img, { value: 50, out: wasmOut }).data.buffer).toBe(wasmOut.data.buffer);
      expectSameArray(wasmOut.data, expected, "wasm out");
      threshold(img, { value: 50, out: plainOut });
      expectSameArray(plainOut.data, expected, "plain out");
    } finally {
      wasmOut.dispose();
    }
  });

  it("honours a row stride", () => {
    const packed = randomImage(13, 7, 1, 9);
    const padded = new Uint8Array(20 * 7).fill(255);
    for (let y = 0; y < 7; y++) padded.set(packed.data.subarray(y * 13, y * 13 + 13), y * 20);
    const mask = threshold({ width: 13, height: 7, channels: 1, data: padded, stride: 20 }, { value: 77 });
    expectSameArray(mask.data, thresholdReference(packed.data, 77, false), "strided");
  });

  it("does not modify its input or options", () => {
    const img = randomImage(40, 3, 1, 11);
    const before = img.data.slice();
    const options = Object.freeze({ value: 10, inverse: true });
    threshold(img, options);
    expectSameArray(img.data, before, "input");
  });
});

describe("threshold: bad input", () => {
  const gray = { width: 4, height: 2, channels: 1 as const, data: new Uint8Array(8) };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["short buffer", () => threshold({ ...gray, data: new Uint8Array(7) }, { value: 1 }), /hold exactly 8 bytes .* received 7/],
    ["zero width", () => threshold({ ...gray, width: 0 }, { value: 1 }), /img\.width.*received 0/],
    ["fractional height", () => threshold({ ...gray, height: 1.5 }, { value: 1 }), /img\.height.*received 1\.5/],
    ["colour image", () => threshold({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }, { value: 1 }), /gray image.*for img\.channels but received 3/],
    ["not a typed array", () => threshold({ ...gray, data: [1, 2] as unknown as Uint8Array }, { value: 1 }), /Uint8Array for img\.data but received array/],
    ["missing value", () => threshold(gray, {} as never), /options\.value.*undefined/],
    ["NaN value", () => threshold(gray, { value: NaN }), /options\.value.*NaN/],
    ["unknown option", () => threshold(gray, { value: 1, invert: true } as never), /Unknown option "invert"/],
    ["out of another size", () => threshold(gray, { value: 1, out: { width: 2, height: 2, channels: 1, data: new Uint8Array(4) } }), /options\.out to be 4×2/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});

// ---- Otsu and triangle ----

/** Plain 256-bin histogram. */
function histogramReference(data: Uint8Array): number[] {
  const h = new Array<number>(256).fill(0);
  for (const p of data) h[p]!++;
  return h;
}

/**
 * Otsu written from its definition (maximise the between-class variance q1 q2 (mu1 - mu2)^2 over
 * thresholds t, classes p <= t and p > t), with OpenCV's conventions: the first maximum wins and
 * thresholds leaving a class with (almost) no pixels are skipped.
 */
function otsuReference(data: Uint8Array): number {
  const h = histogramReference(data);
  const n = data.length;
  let best = 0;
  let bestSigma = 0;
  let count1 = 0;
  let sum1 = 0;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * h[i]!;
  for (let t = 0; t < 256; t++) {
    count1 += h[t]!;
    sum1 += t * h[t]!;
    const q1 = count1 / n;
    const q2 = 1 - q1;
    if (Math.min(q1, q2) < 1.1920928955078125e-7 || Math.max(q1, q2) > 1 - 1.1920928955078125e-7) continue;
    const mu1 = sum1 / count1;
    const mu2 = (sum - sum1) / (n - count1);
    const sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2);
    // Relative tolerance: OpenCV's incremental doubles and this direct form differ in the last bits.
    if (sigma > bestSigma * (1 + 1e-12)) {
      bestSigma = sigma;
      best = t;
    }
  }
  return best;
}

function tile(img: Image, index: number, height: number): Image {
  const size = img.width * height;
  return { width: img.width, height, channels: 1, data: img.data.subarray(index * size, (index + 1) * size) };
}

describe("otsuThreshold / triangleThreshold: golden fixtures from OpenCV", () => {
  const cases = loadManifest("threshold").filter((c) => c.params.method === "otsu" || c.params.method === "triangle");
  it("has fixtures for every real image and the 1080p frame", () => {
    expect(cases.length).toBeGreaterThan(20);
    expect(cases.some((c) => c.name.startsWith("fruits1920x1080"))).toBe(true);
  });
  for (const c of cases) {
    it(c.name, async () => {
      const img = await loadImage("threshold", c.inputs.img);
      const expected = await loadImage("threshold", c.expected.mask);
      const fn = c.params.method === "otsu" ? otsuThreshold : triangleThreshold;
      const r = fn(img);
      expect(r.threshold).toBe(c.expected.threshold);
      expectSameImage(r.mask, expected, c.name);
      // OpenCV's THRESH_BINARY_INV with the same automatic threshold is the exact complement.
      const inv = fn(img, { inverse: true });
      expect(inv.threshold).toBe(c.expected.threshold);
      expectSameArray(inv.mask.data, expected.data.map((p) => 255 - p), `${c.name} inverse`, img.width);
    });
  }

  it("matches OpenCV's value on 300 small images with varied histograms", async () => {
    const c = loadManifest("threshold").find((x) => x.name === "histogram_tiles")!;
    const stack = await loadImage("threshold", c.inputs.stack);
    const th = c.params.tileHeight as number;
    const otsu: number[] = c.expected.otsu;
    const triangle: number[] = c.expected.triangle;
    expect(otsu.length).toBe(300);
    const wrong: string[] = [];
    for (let i = 0; i < otsu.length; i++) {
      const t = tile(stack, i, th);
      const o = otsuThreshold(t).threshold;
      const tr = triangleThreshold(t).threshold;
      if (o !== otsu[i]) wrong.push(`tile ${i}: otsu ${o} vs ${otsu[i]}`);
      if (tr !== triangle[i]) wrong.push(`tile ${i}: triangle ${tr} vs ${triangle[i]}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("otsuThreshold: property tests against the reference", () => {
  // Sizes on both sides of the pair-histogram switch (2^16 pixels), odd and SIMD-unaligned.
  for (const [w, h] of [...PROPERTY_SIZES, [255, 257], [263, 251], [511, 257], [1920, 1080]] as const) {
    it(`${w}×${h}`, () => {
      const img = randomImage(w, h, 1, w * 31 + h);
      // Narrow the range so the histogram has structure (two clusters).
      const data = img.data.map((p, i) => (i % 7 < 3 ? 40 + (p >> 2) : 150 + (p >> 3)));
      const gray = { ...img, data };
      const r = otsuThreshold(gray);
      expect(r.threshold).toBe(otsuReference(data));
      expectSameArray(r.mask.data, thresholdReference(data, r.threshold, false), "mask", w);
    });
  }

  it("gives the same result when the pair table is reused (steady state, no allocation)", () => {
    const img = randomImage(640, 480, 1, 3);
    const out = allocImage(640, 480, 1);
    try {
      const first = otsuThreshold(img, { out }).threshold;
      const before = memoryStats();
      for (let i = 0; i < 3; i++) expect(otsuThreshold(img, { out }).threshold).toBe(first);
      expect(memoryStats()).toEqual(before);
      expect(first).toBe(otsuReference(img.data));
    } finally {
      out.dispose();
    }
  });
});

describe("histogram256 (Otsu's and triangle's histogram): exact counts", () => {
  // The raw kernel, checked bin by bin: both paths (four split tables below 2^16 pixels, the pair
  // table above), every tail length of the 32-byte pair step, images that stress the fold (flat 0
  // and 255 hit the table's corners, noise fills all of it, smooth images leave most of it zero),
  // and the invariant that the pair table is left all zero so that reuse skips clearing it.
  type Hist = { histogram256(src: number, n: number, hist: number, pairs: number, pairsClean: boolean): number };
  const run = (data: Uint8Array, pairs: WasmBuffer, clean: boolean): { hist: Uint32Array; clean: boolean } => {
    const img = allocImage(data.length, 1, 1);
    const hist = new WasmBuffer(4096);
    try {
      img.data.set(data);
      const nowClean = (kernels() as unknown as Hist).histogram256(img.buffer.ptr, data.length, hist.ptr, pairs.ptr, clean) !== 0;
      return { hist: hist.view(Uint32Array).slice(0, 256), clean: nowClean };
    } finally {
      img.dispose();
      hist.dispose();
    }
  };
  const allZero = (b: WasmBuffer) => b.view(Uint32Array).every((v) => v === 0);

  it("counts every pixel on both paths, leaves the pair table clean, and clears a dirty one", () => {
    const pairs = new WasmBuffer(65536 * 4);
    try {
      pairs.view(Uint32Array).fill(7); // garbage: the first call must clear it
      let clean = false;
      const r = rng(42);
      const noise = (n: number) => Uint8Array.from({ length: n }, () => (r() * 256) | 0);
      const smooth = (n: number) => Uint8Array.from({ length: n }, (_, i) => 128 + Math.round(90 * Math.sin(i / 300) + 8 * r()));
      const inputs: Array<[string, Uint8Array]> = [
        ["noise, 1 pixel over the switch", noise(65537)],
        ["noise, just under the switch", noise(65535)],
        ["flat 0", new Uint8Array(70001)],
        ["flat 255", new Uint8Array(70002).fill(255)],
        ["alternating 0/255", Uint8Array.from({ length: 70003 }, (_, i) => (i & 1 ? 255 : 0))],
        ["smooth", smooth(300_007)],
        ["noise, large", noise(2_073_600)],
      ];
      for (let tail = 0; tail < 32; tail += 5) inputs.push([`smooth, tail ${tail}`, smooth(65536 + 64 * 7 + tail)]);
      for (const [what, data] of inputs) {
        const got = run(data, pairs, clean);
        expectSameArray(got.hist, histogramReference(data), what);
        clean = got.clean;
        if (data.length >= 65536) {
          expect(clean, what).toBe(true);
          expect(allZero(pairs), `${what}: pair table left all zero`).toBe(true);
        }
      }
    } finally {
      pairs.dispose();
    }
  });
});

describe("otsuThreshold / triangleThreshold: bad input", () => {
  const gray = { width: 4, height: 2, channels: 1 as const, data: new Uint8Array(8) };
  for (const [name, fn] of [["otsu", otsuThreshold], ["triangle", triangleThreshold]] as const) {
    const cases: Array<[string, () => unknown, RegExp]> = [
      ["colour image", () => fn({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }), /gray image.*for img\.channels but received 3/],
      ["short buffer", () => fn({ ...gray, data: new Uint8Array(7) }), /hold exactly 8 bytes .* received 7/],
      ["non-boolean inverse", () => fn(gray, { inverse: 1 as never }), /boolean for options\.inverse but received 1/],
      ["unknown option", () => fn(gray, { value: 3 } as never), /Unknown option "value"/],
      ["options not an object", () => fn(gray, 5 as never), /options object for options but received 5/],
      ["out of another size", () => fn(gray, { out: { width: 2, height: 2, channels: 1, data: new Uint8Array(4) } }), /options\.out to be 4×2/],
    ];
    for (const [what, call, message] of cases) {
      it(`${name}: ${what}`, () => {
        expect(call).toThrow(EdgesegError);
        expect(call).toThrow(message);
      });
    }
  }
});

// ---- adaptive ----

/** OpenCV's adaptive mean: round(box sum / block²) with replicated borders, via an integral image. */
function adaptiveMeanReference(img: Image, block: number): Uint8Array {
  const { width: w, height: h, data } = img;
  const r = block >> 1;
  const clampX = (x: number) => Math.min(w - 1, Math.max(0, x));
  const clampY = (y: number) => Math.min(h - 1, Math.max(0, y));
  // Sums over the replicated image: S(y, x) = sum over rows y-r..y+r and columns x-r..x+r.
  const cols = new Float64Array(w);
  const mean = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    cols.fill(0);
    for (let k = -r; k <= r; k++) {
      const row = clampY(y + k) * w;
      for (let x = 0; x < w; x++) cols[x]! += data[row + x]!;
    }
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += cols[clampX(x + k)]!;
      mean[y * w + x] = Math.floor((2 * s + block * block) / (2 * block * block)); // round; no ties for odd block²
    }
  }
  return mean;
}

/** OpenCV's Gaussian mean in doubles: separable kernel with sigma from the block size, replicated borders. */
function adaptiveGaussianReference(img: Image, block: number): Uint8Array {
  const { width: w, height: h, data } = img;
  const r = block >> 1;
  const sigma = 0.3 * ((block - 1) * 0.5 - 1) + 0.8;
  // getGaussianKernel's fixed tables for automatic sigma and sizes up to 7.
  const small: Record<number, number[]> = { 3: [1, 2, 1], 5: [1, 4, 6, 4, 1], 7: [1, 3.5, 7, 9, 7, 3.5, 1] };
  const k = small[block] ?? Array.from({ length: block }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  const kn = k.map((v) => v / sum);
  const tmp = new Float64Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    for (let i = 0; i < block; i++) s += kn[i]! * data[Math.min(h - 1, Math.max(0, y + i - r)) * w + x]!;
    tmp[y * w + x] = s;
  }
  const mean = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    for (let i = 0; i < block; i++) s += kn[i]! * tmp[y * w + Math.min(w - 1, Math.max(0, x + i - r))]!;
    mean[y * w + x] = Math.round(s);
  }
  return mean;
}

function compareWithMean(data: Uint8Array, mean: Uint8Array, c: number, inverse: boolean): Uint8Array {
  return data.map((p, i) => (inverse ? p - mean[i]! <= -Math.floor(c) : p - mean[i]! > -Math.ceil(c)) ? 255 : 0);
}

describe("adaptiveThreshold: golden fixtures from OpenCV", () => {
  const cases = loadManifest("threshold").filter((c) => "blockSize" in c.params);
  it("has fixtures, including the 1080p frame and the largest block", () => {
    expect(cases.length).toBeGreaterThan(15);
    expect(cases.some((c) => c.name.startsWith("fruits1920x1080"))).toBe(true);
    expect(cases.some((c) => c.params.blockSize === 163)).toBe(true);
  });
  for (const c of cases) {
    it(c.name, async () => {
      const img = await loadImage("threshold", c.inputs.img);
      const expected = await loadImage("threshold", c.expected.mask);
      const { method, blockSize, c: delta, inverse } = c.params;
      const mask = adaptiveThreshold(img, { method, blockSize, c: delta, inverse });
      if (method === "mean") expectSameImage(mask, expected, c.name);
      else expect(countMismatches(mask.data, expected.data)).toBeLessThanOrEqual(Math.floor(0.001 * img.data.length));
      if (!inverse && delta === Math.floor(delta)) {
        // With an integer c, THRESH_BINARY_INV is the exact complement.
        const inv = adaptiveThreshold(img, { method, blockSize, c: delta, inverse: true });
        const complement = expected.data.map((p) => 255 - p);
        if (method === "mean") expectSameArray(inv.data, complement, `${c.name} inverse`, img.width);
        else expect(countMismatches(inv.data, complement)).toBeLessThanOrEqual(Math.floor(0.001 * img.data.length));
      }
    });
  }
});

describe("adaptiveThreshold: property tests against the reference", () => {
  const sizes = [[1, 1], [1, 17], [23, 1], [2, 2], [17, 9], [31, 33], [47, 5], [127, 61], [641, 479]] as const;
  for (const [w, h] of sizes) {
    it(`mean, ${w}×${h}`, () => {
      const img = randomImage(w, h, 1, w * 13 + h);
      for (const block of [3, 5, 15, 17, 31, 163]) {
        const mean = adaptiveMeanReference(img, block);
        for (const [c, inverse] of [[0, false], [5, false], [-2.5, false], [2.5, true], [300, false], [-300, true]] as const) {
          const got = adaptiveThreshold(img, { method: "mean", blockSize: block, c, inverse });
          expectSameArray(got.data, compareWithMean(img.data, mean, c, inverse), `block ${block} c ${c} inverse ${inverse}`, w);
        }
      }
    });
    it(`gaussian, ${w}×${h}`, () => {
      const img = randomImage(w, h, 1, w * 17 + h);
      for (const block of [3, 5, 7, 9, 31]) {
        const mean = adaptiveGaussianReference(img, block);
        for (const [c, inverse] of [[2, false], [-1.5, true]] as const) {
          const got = adaptiveThreshold(img, { method: "gaussian", blockSize: block, c, inverse });
          const expected = compareWithMean(img.data, mean, c, inverse);
          expect(countMismatches(got.data, expected)).toBeLessThanOrEqual(Math.max(1, Math.floor(0.001 * w * h)));
        }
      }
    });
  }

  it("mean on a 1920×1080 frame equals the reference", () => {
    const img = randomImage(1920, 1080, 1, 77);
    const data = img.data.map((p, i) => ((i % 1920) + p) & 255); // gradients plus noise
    const frame = { ...img, data };
    expectSameArray(adaptiveThreshold(frame, { method: "mean", blockSize: 31, c: 5 }).data, compareWithMean(data, adaptiveMeanReference(frame, 31), 5, false), "1080p", 1920);
  });

  it("writes in place (out is the input), into WASM and plain outputs, allocation-free in steady state", () => {
    const img = randomImage(67, 45, 1, 8);
    const expected = compareWithMean(img.data, adaptiveMeanReference(img, 9), 3, false);
    const frame = allocImage(67, 45, 1);
    const plain = { width: 67, height: 45, channels: 1 as const, data: new Uint8Array(67 * 45) };
    try {
      adaptiveThreshold(img, { method: "mean", blockSize: 9, c: 3, out: plain });
      expectSameArray(plain.data, expected, "plain out", 67);
      frame.data.set(img.data);
      const r = adaptiveThreshold(frame, { method: "mean", blockSize: 9, c: 3, out: frame });
      expect(r.data.buffer).toBe(frame.data.buffer);
      expectSameArray(frame.data, expected, "in place", 67);
      frame.data.set(img.data);
      adaptiveThreshold(frame, { method: "gaussian", blockSize: 9, c: 3, out: frame });
      const before = memoryStats();
      for (let i = 0; i < 3; i++) {
        frame.data.set(img.data);
        adaptiveThreshold(frame, { method: "mean", blockSize: 9, c: 3, out: frame });
        adaptiveThreshold(img, { method: "gaussian", blockSize: 9, c: 3, out: plain });
      }
      expect(memoryStats()).toEqual(before);
      expectSameArray(frame.data, expected, "in place, steady state", 67);
    } finally {
      frame.dispose();
    }
  });

  it("does not modify its input or options", () => {
    const img = randomImage(40, 30, 1, 12);
    const before = img.data.slice();
    const options = Object.freeze({ method: "gaussian" as const, blockSize: 5, c: 1 });
    adaptiveThreshold(img, options);
    expectSameArray(img.data, before, "input");
  });
});

describe("adaptiveThreshold: bad input", () => {
  const gray = { width: 4, height: 2, channels: 1 as const, data: new Uint8Array(8) };
  const ok = { method: "mean" as const, blockSize: 3, c: 0 };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["colour image", () => adaptiveThreshold({ width: 2, height: 2, channels: 4, data: new Uint8Array(16) }, ok), /gray image.*for img\.channels but received 4/],
    ["zero height", () => adaptiveThreshold({ ...gray, height: 0 }, ok), /img\.height.*received 0/],
    ["missing options", () => adaptiveThreshold(gray, undefined as never), /one of "mean", "gaussian" for options\.method but received undefined/],
    ["unknown method", () => adaptiveThreshold(gray, { ...ok, method: "median" as never }), /one of "mean", "gaussian" for options\.method but received "median"/],
    ["even block size", () => adaptiveThreshold(gray, { ...ok, blockSize: 4 }), /odd integer between 3 and 163 for options\.blockSize but received 4/],
    ["block size 1", () => adaptiveThreshold(gray, { ...ok, blockSize: 1 }), /odd integer between 3 and 163 for options\.blockSize but received 1/],
    ["too large block size", () => adaptiveThreshold(gray, { ...ok, blockSize: 165 }), /odd integer between 3 and 163 for options\.blockSize but received 165/],
    ["fractional block size", () => adaptiveThreshold(gray, { ...ok, blockSize: 4.5 }), /options\.blockSize but received 4\.5/],
    ["missing c", () => adaptiveThreshold(gray, { method: "mean", blockSize: 3 } as never), /options\.c but received undefined/],
    ["NaN c", () => adaptiveThreshold(gray, { ...ok, c: NaN }), /options\.c but received NaN/],
    ["infinite c", () => adaptiveThreshold(gray, { ...ok, c: Infinity }), /options\.c but received Infinity/],
    ["non-boolean inverse", () => adaptiveThreshold(gray, { ...ok, inverse: "yes" as never }), /boolean for options\.inverse but received "yes"/],
    ["unknown option", () => adaptiveThreshold(gray, { ...ok, maxValue: 1 } as never), /Unknown option "maxValue"/],
    ["out of another size", () => adaptiveThreshold(gray, { ...ok, out: { width: 4, height: 3, channels: 1, data: new Uint8Array(12) } }), /options\.out to be 4×2 .* received 4×3/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});
