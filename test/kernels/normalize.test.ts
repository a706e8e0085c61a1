import { describe, expect, it } from "vitest";
import { EdgesegError, type Image, normalize, quantize, resize, tensorBuffer } from "../../src/index.js";
import { expectSameArray } from "../helpers/compare.js";
import { loadArray, loadImage, loadManifest } from "../helpers/fixtures.js";
import { PROPERTY_SIZES, randomImage } from "../helpers/random.js";

// ---- plain references ----

/** (x·scale − mean)/std in float64, in the tensor layout; C = mean.length channels, optional RB swap. */
function normalizeRef(img: Image, mean: number[], std: number[], layout: "nchw" | "nhwc", swap = false, scale = 1 / 255): Float64Array {
  const C = mean.length;
  const n = img.width * img.height;
  const out = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      const ic = swap && c < 3 ? 2 - c : c;
      const x = img.data[i * img.channels + ic]!;
      // x/255 exactly as quantize's table does (x * (1/255) can differ in the last bit and flip a rounding tie).
      const xs = scale === 1 / 255 ? x / 255 : x * scale;
      out[layout === "nchw" ? c * n + i : i * C + c] = (xs - mean[c]!) / std[c]!;
    }
  }
  return out;
}

function quantizeRef(t: Float64Array, scale: number, zp: number, dtype: "uint8" | "int8"): Int16Array {
  const [lo, hi] = dtype === "uint8" ? [0, 255] : [-128, 127];
  return Int16Array.from(t, (v) => {
    const x = v / scale;
    let r = Math.round(x);
    if (r - x === 0.5 && r % 2 !== 0) r -= 1;
    return Math.min(hi, Math.max(lo, r + zp));
  });
}

/** Float32 error bound of x·a + b (two roundings) against the exact value, plus the reference's own rounding. */
function expectClose(actual: Float32Array, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i]!;
    if (Math.abs(actual[i]! - e) > 4e-6 * (1 + Math.abs(e))) {
      throw new Error(`${what}: element ${i} is ${actual[i]} but expected ${e}`);
    }
  }
}

describe("normalize/quantize: golden fixtures (numpy math, cv2.resize, cv2.dnn.blobFromImage)", () => {
  const cases = loadManifest("normalize");
  it("has fixtures", () => expect(cases.length).toBeGreaterThanOrEqual(30));
  for (const c of cases) {
    it(c.name, async () => {
      const img = await loadImage("normalize", c.inputs.img);
      const p = c.params;
      const common = { layout: p.layout, swapRB: p.swapRB, ...(p.resize ? { resize: p.resize } : {}) };
      const expected = loadArray("normalize", c.expected.tensor);
      if (p.kind === "normalize") {
        expectClose(normalize(img, { mean: p.mean, std: p.std, ...common }), expected, c.name);
      } else {
        const q = quantize(img, { mean: p.mean, std: p.std, scale: p.scale, zeroPoint: p.zeroPoint, dtype: p.dtype, ...common });
        expect(q).toBeInstanceOf(p.dtype === "uint8" ? Uint8Array : Int8Array);
        const want = p.dtype === "uint8" ? expected : new Int8Array(expected.buffer, expected.byteOffset, expected.length);
        expectSameArray(q, want, c.name);
      }
    });
  }
});

describe("normalize/quantize: property tests against the reference", () => {
  const params = {
    1: { mean: [0.3], std: [0.2] },
    3: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    4: { mean: [0.1, 0.2, 0.3, 0.4], std: [0.5, 0.25, 0.125, 2] },
  } as const;
  for (const [w, h] of [...PROPERTY_SIZES, [1920, 1080] as const]) {
    it(`${w}×${h}`, () => {
      for (const cn of [1, 3, 4] as const) {
        const img = randomImage(w, h, cn, w * 17 + h + cn);
        const { mean, std } = params[cn];
        const variants: Array<[number[], number[], boolean]> = [[[...mean], [...std], false]];
        if (cn >= 3) variants.push([[...mean].slice(0, 3), [...std].slice(0, 3), true]);
        for (const [m, s, swap] of variants) {
          for (const layout of ["nchw", "nhwc"] as const) {
            const ref = normalizeRef(img, m, s, layout, swap);
            const what = `${cn}ch C=${m.length} ${layout}${swap ? " swap" : ""}`;
            expectClose(normalize(img, { mean: m, std: s, layout, swapRB: swap }), ref, what);
            if (w * h > 1e5) continue;
            expectSameArray(quantize(img, { mean: m, std: s, layout, swapRB: swap, scale: 0.02, zeroPoint: 128, dtype: "uint8" }), quantizeRef(ref, 0.02, 128, "uint8"), `q ${what}`);
            expectSameArray(quantize(img, { mean: m, std: s, layout, swapRB: swap, scale: 0.017, zeroPoint: -5, dtype: "int8" }), quantizeRef(ref, 0.017, -5, "int8"), `q8 ${what}`);
          }
        }
      }
    });
  }

  it("every SIMD path is bit-exact float32 x·a + b (a = scale/std, b = −mean/std) at every tail length, and writes nothing past the tensor", () => {
    // Lengths around each loop's step and read margin (4-pixel groups, 32- and 48-element runs,
    // 256-pixel NCHW blocks whose last load reads 1-2 bytes past them, 16-byte loads of 3- and
    // 4-byte pixels), in 1×N rows and 2-D frames.
    const sizes: Array<[number, number]> = [];
    for (let w = 1; w <= 72; w++) sizes.push([w, 1]);
    for (const w of [255, 256, 257, 258, 259, 260, 513, 514, 515]) sizes.push([w, 1]);
    sizes.push([33, 3], [34, 2], [97, 5], [255, 7]);
    const params = { mean: [0.485, 0.456, 0.406, 0.3], std: [0.229, 0.224, 0.225, 0.7] };
    const guard = 16;
    for (const [w, h] of sizes) {
      for (const cn of [1, 3, 4] as const) {
        const img = randomImage(w, h, cn, w * 31 + h * 7 + cn);
        const variants: Array<[number, boolean]> = cn === 1 ? [[1, false]] : cn === 3 ? [[3, false], [3, true]] : [[4, false], [4, true], [3, false], [3, true]];
        for (const [C, swap] of variants) {
          const a = Float32Array.from({ length: C }, (_, c) => 1 / 255 / params.std[c]!);
          const b = Float32Array.from({ length: C }, (_, c) => -params.mean[c]! / params.std[c]!);
          for (const layout of ["nchw", "nhwc"] as const) {
            const n = w * h;
            const want = new Float32Array(n * C);
            for (let i = 0; i < n; i++) {
              for (let c = 0; c < C; c++) {
                const x = img.data[i * cn + (swap && c < 3 ? 2 - c : c)]!;
                want[layout === "nchw" ? c * n + i : i * C + c] = Math.fround(Math.fround(x * a[c]!) + b[c]!);
              }
            }
            const buf = tensorBuffer(n * C + guard, "float32");
            try {
              buf.view(Float32Array).fill(-7);
              const out = buf.view(Float32Array).subarray(0, n * C);
              normalize(img, { mean: params.mean.slice(0, C), std: params.std.slice(0, C), layout, swapRB: swap, out });
              const what = `${w}×${h} ${cn}ch C=${C} ${layout}${swap ? " swap" : ""}`;
              expectSameArray(out, want, what);
              expectSameArray(buf.view(Float32Array).subarray(n * C), new Float32Array(guard).fill(-7), `${what} guard`);
            } finally {
              buf.dispose();
            }
          }
        }
      }
    }
  });

  it("the fused resize equals resize() then converting, for every method", () => {
    for (const cn of [1, 3, 4] as const) {
      const img = randomImage(203, 117, cn, 99 + cn);
      const mean = [0.5, 0.4, 0.3, 0.2].slice(0, cn);
      const std = [0.2, 0.3, 0.4, 0.5].slice(0, cn);
      for (const [dw, dh] of [[64, 48], [256, 256], [101, 58], [406, 234], [1, 1]] as const) {
        for (const method of ["bilinear", "nearest", "area"] as const) {
          const small = resize(img, { width: dw, height: dh, method });
          for (const layout of ["nchw", "nhwc"] as const) {
            const what = `${cn}ch ${method} ${dw}×${dh} ${layout}`;
            const ref = normalizeRef(small, mean, std, layout);
            expectClose(normalize(img, { mean, std, layout, resize: { width: dw, height: dh, method } }), ref, what);
            expectSameArray(
              quantize(img, { scale: 1 / 255, zeroPoint: 0, dtype: "uint8", layout, mean, std, resize: { width: dw, height: dh, method } }),
              quantizeRef(ref, 1 / 255, 0, "uint8"),
              `q ${what}`,
            );
          }
        }
      }
    }
  });

  it("the fused RGB bilinear path (per pixel from its 2×2 taps) equals resize() then converting, RB swap and edges included", () => {
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    for (const [w, h, dw, dh, seed] of [[1920, 1080, 256, 256, 1], [203, 117, 101, 58, 2], [37, 29, 64, 80, 3], [6, 5, 3, 9, 4], [1, 7, 5, 3, 5], [640, 480, 333, 1, 6]] as const) {
      const img = randomImage(w, h, 3, seed);
      const small = resize(img, { width: dw, height: dh });
      for (const swap of [false, true]) {
        const what = `${w}×${h} → ${dw}×${dh} swap ${swap}`;
        expectClose(normalize(img, { mean, std, layout: "nchw", swapRB: swap, resize: { width: dw, height: dh } }), normalizeRef(small, mean, std, "nchw", swap), what);
      }
    }
  });

  it("honours scale, and writes zero-copy into a tensor buffer in WASM memory", () => {
    const img = randomImage(64, 32, 3, 4);
    const mean = [1, 2, 3];
    const std = [2, 4, 8];
    expectClose(normalize(img, { mean, std, layout: "nchw", scale: 1 }), normalizeRef(img, mean, std, "nchw", false, 1), "scale 1");
    const buf = tensorBuffer(3 * 16 * 16, "float32");
    try {
      const out = buf.view(Float32Array);
      const t = normalize(img, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], layout: "nchw", resize: { width: 16, height: 16 }, out });
      expect(t).toBe(out);
      expectClose(t, normalizeRef(resize(img, { width: 16, height: 16 }), [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], "nchw"), "wasm out");
      const plain = new Float32Array(3 * 64 * 32);
      expect(normalize(img, { mean, std, layout: "nhwc", out: plain })).toBe(plain);
      expectClose(plain, normalizeRef(img, mean, std, "nhwc"), "plain out");
      const q = new Int8Array(3 * 64 * 32);
      expect(quantize(img, { scale: 0.05, zeroPoint: 0, dtype: "int8", layout: "nchw", out: q })).toBe(q);
      expectSameArray(q, quantizeRef(normalizeRef(img, [0, 0, 0], [1, 1, 1], "nchw"), 0.05, 0, "int8"), "int8 out");
    } finally {
      buf.dispose();
    }
  });

  it("drops alpha for a 3-channel tensor of an RGBA image, and does not modify inputs or options", () => {
    const img = randomImage(33, 5, 4, 8);
    const before = img.data.slice();
    const options = Object.freeze({ mean: Object.freeze([0.1, 0.2, 0.3]), std: Object.freeze([1, 1, 1]), layout: "nhwc" as const });
    expectClose(normalize(img, options as never), normalizeRef(img, [0.1, 0.2, 0.3], [1, 1, 1], "nhwc"), "rgba → 3");
    expectSameArray(img.data, before, "input");
  });
});

describe("normalize/quantize: bad input", () => {
  const img = { width: 4, height: 2, channels: 3 as const, data: new Uint8Array(24) };
  const m3 = [0.5, 0.5, 0.5];
  const n = (o: object) => () => normalize(img, { mean: m3, std: m3, layout: "nchw", ...o } as never);
  const q = (o: object) => () => quantize(img, { scale: 0.1, zeroPoint: 0, dtype: "uint8", layout: "nchw", ...o } as never);
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["mean of wrong length", n({ mean: [0.5, 0.5] }), /3 values \(one per channel of img\) for options\.mean but received array of length 2/],
    ["std of wrong length", n({ std: [1, 1, 1, 1] }), /array of 3 numbers .* for options\.std but received array of length 4/],
    ["std = 0", n({ std: [1, 0, 1] }), /non-zero number for options\.std\[1\] but received 0/],
    ["NaN mean", n({ mean: [0, NaN, 0] }), /finite number for options\.mean\[1\] but received NaN/],
    ["mean not an array", n({ mean: 0.5 }), /array with one number per channel for options\.mean but received 0\.5/],
    ["missing mean", () => normalize(img, { std: m3, layout: "nchw" } as never), /for options\.mean but received undefined/],
    ["bad layout", n({ layout: "chw" }), /one of "nchw", "nhwc" for options\.layout but received "chw"/],
    ["missing layout", () => normalize(img, { mean: m3, std: m3 } as never), /options\.layout but received undefined/],
    ["bad scale", n({ scale: Infinity }), /finite number for options\.scale but received Infinity/],
    ["resize zero width", n({ resize: { width: 0, height: 4 } }), /options\.resize\.width but received 0/],
    ["resize fractional height", n({ resize: { width: 4, height: 1.5 } }), /options\.resize\.height but received 1\.5/],
    ["resize bad method", n({ resize: { width: 4, height: 4, method: "cubic" } }), /options\.resize\.method but received "cubic"/],
    ["resize unknown key", n({ resize: { width: 4, height: 4, mode: 1 } }), /Unknown option "mode" in options\.resize/],
    ["out of wrong length", n({ out: new Float32Array(23) }), /Float32Array of length 24 for options\.out but received Float32Array of length 23/],
    ["out of wrong type", n({ out: new Float64Array(24) }), /a Float32Array for options\.out but received Float64Array/],
    ["swapRB on gray", () => normalize({ width: 2, height: 1, channels: 1, data: new Uint8Array(2) }, { mean: [0], std: [1], layout: "nchw", swapRB: true }), /false for a 1-channel tensor for options\.swapRB/],
    ["unknown option", n({ std2: 1 }), /Unknown option "std2"/],
    ["2-channel image", () => normalize({ width: 1, height: 1, channels: 2 as never, data: new Uint8Array(2) }, { mean: [0, 0], std: [1, 1], layout: "nchw" }), /img\.channels but received 2/],
    ["quantize zero scale", q({ scale: 0 }), /finite number > 0 for options\.scale but received 0/],
    ["quantize zero point out of range", q({ zeroPoint: 300 }), /integer between 0 and 255 for options\.zeroPoint but received 300/],
    ["int8 zero point out of range", q({ dtype: "int8", zeroPoint: 128 }), /integer between -128 and 127 for options\.zeroPoint but received 128/],
    ["quantize bad dtype", q({ dtype: "float16" }), /one of "uint8", "int8" for options\.dtype but received "float16"/],
    ["quantize out of wrong type", q({ out: new Int8Array(24) }), /a Uint8Array for options\.out but received Int8Array/],
    ["quantize std = 0", q({ std: [1, 1, 0] }), /non-zero number for options\.std\[2\] but received 0/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});
