// Property tests of assembly/postprocess.ts against plain TypeScript references.
// Two references per function: one that replays the kernel's exact f32 operation sequence with
// Math.fround (must match bit for bit: the kernels are deterministic by construction), and the
// textbook formula with Math.exp (must agree within float tolerance: the approximation is good).
import { describe, expect, it } from "vitest";
import { countNaN, expF32, post, sigmoid, softmaxArgmax, binaryHead, upsampleProbabilities } from "../../src/model/postprocess.js";
import { scratch } from "../../src/core/memory.js";
import { expectSameArray } from "../helpers/compare.js";
import { PROPERTY_SIZES, rng } from "../helpers/random.js";

const f = Math.fround;
const LOG2E = f(1.44269504);
const LN2_HI = f(0.693145752);
const LN2_LO = f(1.42860677e-6);
const C = [f(0.00138888892), f(0.00833333377), f(0.0416666679), f(0.166666672), f(0.5), 1, 1];

/** The kernel's exp, op for op in f32. */
function expRef(x0: number): number {
  if (Number.isNaN(x0)) return NaN;
  const x = Math.min(Math.max(f(x0), -87), 88);
  const n = Math.floor(f(f(x * LOG2E) + 0.5));
  const r = f(f(x - f(n * LN2_HI)) - f(n * LN2_LO));
  let p = C[0]!;
  for (let i = 1; i < C.length; i++) p = f(f(p * r) + C[i]!);
  return f(p * 2 ** n);
}
const sigmoidRef = (x: number): number => f(1 / f(1 + expRef(-f(x))));

function randomLogits(n: number, seed: number, scale = 12): Float32Array {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() - 0.5) * 2 * scale;
  return a;
}

/** Bit-exact comparison (NaN == NaN). */
function expectSameBits(actual: Float32Array, expected: ArrayLike<number>, what: string): void {
  const e = Float32Array.from(expected);
  const ai = new Int32Array(actual.buffer, actual.byteOffset, actual.length);
  const ei = new Int32Array(e.buffer);
  for (let i = 0; i < actual.length; i++) {
    if (ai[i] !== ei[i] && !(Number.isNaN(actual[i]) && Number.isNaN(e[i]))) {
      throw new Error(`${what}: element ${i} is ${actual[i]} but expected ${e[i]} (bits differ)`);
    }
  }
  expect(actual.length).toBe(e.length);
}

describe("postprocess: deterministic exp and sigmoid", () => {
  it("exp matches the f32 reference bit for bit and Math.exp within 3e-7 relative", () => {
    const xs = randomLogits(10_007, 1, 100);
    xs.set([0, -0, 1, -1, 87, -87, 88, 88.5, -90, 1e-8, Math.fround(Math.LN2), 0.5]);
    const got = expF32(xs);
    expectSameBits(got, Array.from(xs, expRef), "exp vs f32 replay");
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = Math.min(Math.max(xs[i]!, -87), 88);
      worst = Math.max(worst, Math.abs(got[i]! - Math.exp(x)) / Math.exp(x));
    }
    expect(worst).toBeLessThan(3e-7);
  });

  it("sigmoid matches the reference on every size (SIMD body + scalar tail)", () => {
    for (const [w, h] of PROPERTY_SIZES) {
      const xs = randomLogits(w * h, w * 31 + h);
      const got = sigmoid(xs);
      expectSameBits(got, Array.from(xs, sigmoidRef), `sigmoid ${w}×${h}`);
      for (let i = 0; i < xs.length; i++) {
        const want = 1 / (1 + Math.exp(-xs[i]!));
        if (Math.abs(got[i]! - want) > 2e-7) throw new Error(`sigmoid(${xs[i]}) = ${got[i]} but Math.exp gives ${want}`);
      }
    }
  });

  it("sigmoid saturates cleanly and keeps NaN", () => {
    const got = sigmoid(Float32Array.from([1000, -1000, 0, NaN, Infinity, -Infinity]));
    expect(Array.from(got.subarray(0, 3))).toEqual([1, sigmoidRef(-1000), 0.5]);
    expect(got[0]).toBe(1);
    expect(got[1]!).toBeLessThan(1e-37);
    expect(Number.isNaN(got[3]!)).toBe(true);
    expect(got[4]).toBe(1);
    expect(got[5]!).toBeLessThan(1e-37);
  });

  it("countNaN counts every NaN, in the SIMD body and the tail", () => {
    for (const n of [0, 1, 3, 4, 5, 17, 1000]) {
      const xs = randomLogits(n, n);
      let expected = 0;
      for (let i = 0; i < n; i += 3) (xs[i] = NaN), expected++;
      expect(countNaN(xs)).toBe(expected);
    }
  });
});

/** Softmax + argmax reference (same op order as the kernel). */
function softmaxRef(planes: Float32Array, c: number, n: number): { p: Float32Array; cls: Uint8Array } {
  const p = new Float32Array(c * n);
  const cls = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let m = planes[i]!;
    for (let k = 1; k < c; k++) m = Math.max(m, planes[k * n + i]!);
    let sum = 0;
    for (let k = 0; k < c; k++) {
      const e = expRef(f(planes[k * n + i]! - m));
      p[k * n + i] = e;
      sum = f(sum + e);
    }
    for (let k = 0; k < c; k++) p[k * n + i] = f(p[k * n + i]! / sum);
    let best = p[i]!;
    let idx = 0;
    for (let k = 1; k < c; k++) if (p[k * n + i]! > best) (best = p[k * n + i]!), (idx = k);
    cls[i] = idx;
  }
  return { p, cls };
}

describe("postprocess: softmax and argmax", () => {
  for (const c of [2, 3, 5]) {
    it(`${c} classes on every size`, () => {
      // The full-frame size once (3 classes); the small sizes cover every SIMD/tail combination.
      for (const [w, h] of PROPERTY_SIZES.filter(([w]) => w < 600 || c === 3)) {
        const n = w * h;
        const planes = randomLogits(c * n, w * 7 + h * 13 + c, 6);
        const got = softmaxArgmax(planes, c, w, h);
        const ref = softmaxRef(planes, c, n);
        expectSameBits(got.probabilities, ref.p, `softmax ${c}×${w}×${h}`);
        expectSameArray(got.classMap, ref.cls, `argmax ${c}×${w}×${h}`, w);
        for (let i = 0; i < n; i += 101) {
          const denom = Array.from({ length: c }, (_, k) => Math.exp(planes[k * n + i]!)).reduce((a, b) => a + b);
          for (let k = 0; k < c; k++) expect(Math.abs(got.probabilities[k * n + i]! - Math.exp(planes[k * n + i]!) / denom)).toBeLessThan(1e-6);
        }
      }
    });
  }

  it("argmax breaks ties towards the lower class, like numpy", () => {
    const n = 9; // SIMD body + tail
    const planes = new Float32Array(3 * n).fill(0.25);
    for (let i = 0; i < n; i++) planes[2 * n + i] = i % 2 ? 0.25 : 0.5;
    const { classMap } = softmaxArgmax(planes, 3, n, 1, false);
    expect(Array.from(classMap)).toEqual(Array.from({ length: n }, (_, i) => (i % 2 ? 0 : 2)));
  });

  it("without apply, copies already-softmaxed input", () => {
    const planes = Float32Array.from([0.1, 0.7, 0.9, 0.3]);
    const { probabilities, classMap } = softmaxArgmax(planes, 2, 2, 1, false);
    expectSameBits(probabilities, planes, "copy");
    expect(Array.from(classMap)).toEqual([1, 0]);
  });
});

describe("postprocess: binary head", () => {
  it("sigmoid + threshold of a strided window equals the reference", () => {
    for (const [w, h] of PROPERTY_SIZES) {
      const logits = randomLogits(w * h, w + h * 3, 4);
      for (const t of [0.5, 0.2, 0.93]) {
        const got = binaryHead(logits, w, h, t);
        const p = Array.from(logits, sigmoidRef);
        expectSameBits(got.probabilities, p, `prob ${w}×${h}`);
        expectSameArray(got.mask, Uint8Array.from(p, (v) => (v > t ? 255 : 0)), `mask ${w}×${h} t=${t}`, w);
      }
    }
  });

  it("reads a crop of a padded plane (the native-resolution path)", () => {
    const [w, h, stride] = [13, 5, 16];
    const padded = randomLogits(stride * 8, 3);
    const src = scratch("test.padded", padded.byteLength);
    src.view(Float32Array).set(padded);
    const prob = scratch("test.prob", w * h * 4);
    const mask = scratch("test.mask", w * h);
    post().binaryHead(src.ptr, stride, prob.ptr, mask.ptr, w, h, 0.5, true);
    const p = prob.view(Float32Array).slice(0, w * h);
    const want: number[] = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) want.push(sigmoidRef(padded[y * stride + x]!));
    expectSameBits(p, want, "crop");
  });
});

/** Bilinear reference: half-pixel centres, x then y, same op order as the kernel. */
function bilinearRef(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const coord = (d: number, scale: number, limit: number): number => {
    let s = f(f(f(d + 0.5) * scale) - 0.5);
    if (s < 0) s = 0;
    if (s > limit - 1) s = limit - 1;
    return s;
  };
  const sx = f(sw / dw);
  const sy = f(sh / dh);
  const out = new Float32Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const ys = coord(y, sy, sh);
    const y0 = Math.trunc(ys);
    const y1 = Math.min(y0 + 1, sh - 1);
    const fy = f(ys - y0);
    for (let x = 0; x < dw; x++) {
      const xs = coord(x, sx, sw);
      const x0 = Math.trunc(xs);
      const x1 = Math.min(x0 + 1, sw - 1);
      const fx = f(xs - x0);
      const row = (yy: number): number => {
        const a = src[yy * sw + x0]!;
        return f(a + f(f(src[yy * sw + x1]! - a) * fx));
      };
      const a = row(y0);
      out[y * dw + x] = f(a + f(f(row(y1) - a) * fy));
    }
  }
  return out;
}

describe("postprocess: bilinear upsampling of probabilities", () => {
  const pairs: Array<[number, number, number, number]> = [
    [1, 1, 1, 1], [1, 1, 7, 3], [2, 2, 4, 4], [3, 5, 17, 9], [8, 8, 31, 33], [16, 9, 64, 36], [32, 32, 641, 479], [7, 1, 20, 1], [1, 7, 1, 20], [40, 30, 20, 15],
  ];
  for (const [sw, sh, dw, dh] of pairs) {
    it(`${sw}×${sh} → ${dw}×${dh}`, () => {
      const src = new Float32Array(sw * sh);
      const r = rng(sw * 100 + sh);
      for (let i = 0; i < src.length; i++) src[i] = r();
      const got = upsampleProbabilities(src, sw, sh, dw, dh, 0.5);
      const want = bilinearRef(src, sw, sh, dw, dh);
      expectSameBits(got.probabilities, want, "bilinear");
      expectSameArray(got.mask, Uint8Array.from(want, (v) => (v > 0.5 ? 255 : 0)), "thresholded", dw);
    });
  }

  it("agrees with OpenCV's INTER_LINEAR convention on a known 2×2 → 4×4 case", () => {
    // cv2.resize(np.float32([[0, 1], [2, 3]]), (4, 4), interpolation=cv2.INTER_LINEAR)
    const want = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3];
    const got = upsampleProbabilities(Float32Array.from([0, 1, 2, 3]), 2, 2, 4, 4, 0.5);
    expect(Array.from(got.probabilities)).toEqual(want);
  });
});

describe("postprocess: tile blending", () => {
  it("blending identical tiles over a frame reproduces the frame (weights normalize)", () => {
    const [fw, fh, ts, ov] = [50, 37, 16, 6];
    const c = 2;
    const frame = new Float32Array(c * fw * fh);
    const r = rng(5);
    for (let i = 0; i < frame.length; i++) frame[i] = r();
    const acc = scratch("test.acc", frame.byteLength);
    const wsum = scratch("test.wsum", fw * fh * 4);
    const tile = scratch("test.tile", c * ts * ts * 4);
    const k = post();
    k.zeroF32(acc.ptr, c * fw * fh);
    k.zeroF32(wsum.ptr, fw * fh);
    const xs = positions(fw, ts, ov);
    const ys = positions(fh, ts, ov);
    for (const y0 of ys) {
      for (const x0 of xs) {
        const tv = tile.view(Float32Array);
        for (let kk = 0; kk < c; kk++) for (let y = 0; y < ts; y++) for (let x = 0; x < ts; x++) tv[kk * ts * ts + y * ts + x] = frame[kk * fw * fh + (y0 + y) * fw + x0 + x]!;
        k.blendTile(tile.ptr, c, ts, ts, acc.ptr, wsum.ptr, fw, fh, x0, y0, x0 > 0 ? ov : 0, x0 + ts < fw ? ov : 0, y0 > 0 ? ov : 0, y0 + ts < fh ? ov : 0);
      }
    }
    const ws = wsum.view(Float32Array);
    for (let i = 0; i < fw * fh; i++) if (!(ws[i]! > 0)) throw new Error(`pixel ${i} has weight ${ws[i]}`);
    k.divideByWeights(acc.ptr, wsum.ptr, c, fw * fh);
    expectSameArray(acc.view(Float32Array).subarray(0, c * fw * fh), frame, "blended", fw, 2e-7);
  });
});

describe("postprocess: region confidence", () => {
  it("per-label sum and max equal the reference on sparse and dense label maps", () => {
    for (const [n, count, density, seed] of [[1, 1, 1, 1], [7, 2, 0.5, 2], [1000, 5, 0.02, 3], [4099, 40, 0.6, 4], [307200, 300, 0.01, 5]] as const) {
      const r = rng(seed);
      const labels = new Int32Array(n);
      const prob = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        prob[i] = r();
        if (r() < density) labels[i] = 1 + Math.floor(r() * count);
      }
      const lb = scratch("test.labels", n * 4);
      lb.view(Int32Array).set(labels);
      const pb = scratch("test.prob", n * 4);
      pb.view(Float32Array).set(prob);
      const sums = scratch("test.sums", (count + 1) * 8);
      const maxes = scratch("test.maxes", (count + 1) * 4);
      post().regionConfidence(lb.ptr, pb.ptr, n, 1, n, false, count, sums.ptr, maxes.ptr);
      const wantSum = new Float64Array(count + 1);
      const wantMax = new Float32Array(count + 1);
      for (let i = 0; i < n; i++) {
        const l = labels[i]!;
        if (!l) continue;
        wantSum[l] = wantSum[l]! + prob[i]!;
        wantMax[l] = Math.max(wantMax[l]!, prob[i]!);
      }
      expectSameArray(sums.view(Float64Array).subarray(0, count + 1), wantSum, `sums n=${n}`);
      expectSameArray(maxes.view(Float32Array).subarray(0, count + 1), wantMax, `maxes n=${n}`);
    }
  });
});

describe("postprocess: logit-space fast path", () => {
  it("logitMask at logit(t) equals thresholding the sigmoid, and regionConfidence applies the sigmoid per pixel", () => {
    for (const [w, h] of PROPERTY_SIZES) {
      const stride = w + 3;
      const logits = randomLogits(stride * h, w * 5 + h, 6);
      for (const t of [0.5, 0.3, 0.9]) {
        const src = scratch("test.logits", logits.byteLength);
        src.view(Float32Array).set(logits);
        const mask = scratch("test.mask", w * h);
        post().logitMask(src.ptr, stride, mask.ptr, w, h, Math.log(t / (1 - t)));
        const want = new Uint8Array(w * h);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) want[y * w + x] = sigmoidRef(logits[y * stride + x]!) > t ? 255 : 0;
        expectSameArray(mask.u8.subarray(0, w * h), want, `logit mask ${w}×${h} t=${t}`, w);
      }
      // Region confidence straight from strided logits: one label per row parity.
      const labels = scratch("test.labels", w * h * 4);
      const lv = labels.view(Int32Array);
      for (let i = 0; i < w * h; i++) lv[i] = Math.floor(i / w) % 2 ? 2 : 1;
      const src = scratch("test.logits", logits.byteLength);
      src.view(Float32Array).set(logits);
      const sums = scratch("test.sums", 3 * 8);
      const maxes = scratch("test.maxes", 3 * 4);
      post().regionConfidence(labels.ptr, src.ptr, w, h, stride, true, 2, sums.ptr, maxes.ptr);
      const ws = [0, 0, 0];
      const wm = [0, 0, 0];
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const p = sigmoidRef(logits[y * stride + x]!);
        const l = y % 2 ? 2 : 1;
        ws[l] = ws[l]! + p;
        wm[l] = Math.max(wm[l]!, p);
      }
      expectSameArray(sums.view(Float64Array).subarray(0, 3), ws, "sums", 0, 1e-9 * w * h);
      expectSameArray(maxes.view(Float32Array).subarray(0, 3), Float32Array.from(wm), "maxes");
    }
  });
});

describe("postprocess: padding and class masks", () => {
  it("padPlanesF32 pads C planes in place by edge replication", () => {
    for (const [c, w, h, pw, ph] of [[1, 1, 1, 8, 8], [3, 5, 3, 8, 8], [3, 16, 16, 16, 16], [2, 13, 7, 16, 8], [3, 640, 479, 640, 480]] as const) {
      const src = randomLogits(c * w * h, w * h + c);
      const buf = scratch("test.pad", c * pw * ph * 4);
      buf.view(Float32Array).set(src);
      post().padPlanesF32(buf.ptr, c, w, h, pw, ph);
      const want = new Float32Array(c * pw * ph);
      for (let k = 0; k < c; k++) for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) want[k * pw * ph + y * pw + x] = src[k * w * h + Math.min(y, h - 1) * w + Math.min(x, w - 1)]!;
      expectSameArray(buf.view(Float32Array).subarray(0, c * pw * ph), want, `pad ${c}×${w}×${h} → ${pw}×${ph}`, pw);
    }
  });

  it("foregroundMask, classMask and reconcileClasses match the reference", () => {
    for (const n of [1, 15, 16, 33, 1000]) {
      const r = rng(n);
      const c = 4;
      const cls = Uint8Array.from({ length: n }, () => Math.floor(r() * c));
      const mask = Uint8Array.from({ length: n }, () => (r() < 0.5 ? 255 : 0));
      const prob = Float32Array.from({ length: c * n }, () => r());
      const cb = scratch("test.cls", n);
      const mb = scratch("test.mask", n);
      const pb = scratch("test.prob", c * n * 4);
      cb.u8.set(cls);
      pb.view(Float32Array).set(prob);
      post().foregroundMask(cb.ptr, mb.ptr, n);
      expectSameArray(mb.u8.subarray(0, n), cls.map((v) => (v ? 255 : 0)), "foreground");
      post().classMask(cb.ptr, mb.ptr, n, 2);
      expectSameArray(mb.u8.subarray(0, n), cls.map((v) => (v === 2 ? 255 : 0)), "class 2");
      mb.u8.set(mask);
      post().reconcileClasses(cb.ptr, mb.ptr, pb.ptr, c, n);
      const want = cls.map((v, i) => {
        if (!mask[i]) return 0;
        if (v) return v;
        let best = 1;
        for (let k = 2; k < c; k++) if (prob[k * n + i]! > prob[best * n + i]!) best = k;
        return best;
      });
      expectSameArray(cb.u8.subarray(0, n), want, "reconciled");
    }
  });
});

function positions(size: number, tile: number, overlap: number): number[] {
  const out: number[] = [];
  const step = tile - overlap;
  for (let p = 0; ; p += step) {
    if (p + tile >= size) {
      out.push(Math.max(0, size - tile));
      break;
    }
    out.push(p);
  }
  return out;
}
