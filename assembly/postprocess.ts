// Kernel family: model postprocessing (the Segmenter's output side) and its small preprocessing glue.
//
// All float math is plain IEEE f32 (wasm f32/f32x4 ops are exactly rounded, no FMA), and exp is our
// own polynomial instead of Math.exp, so every engine and CPU produces the same bits. The scalar
// tails run the exact same operation sequence as the SIMD bodies.
//
// Layouts: probability / logit maps are planar f32 (C planes of w*h, "CHW"); masks are u8 0/255.

// ---- deterministic exp ----------------------------------------------------------------------------
// exp(x) = 2^n * e^r with n = floor(x*log2(e) + 0.5), r = x - n*ln2 (Cody-Waite, two parts), and a
// degree-6 Taylor polynomial for e^r on |r| <= ln2/2 (relative error < 2e-7). x is clamped to
// [-87, 88] so 2^n stays a normal f32.
const EXP_LO: f32 = -87.0;
const EXP_HI: f32 = 88.0;
const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693145752; // 0x3f317200: n * LN2_HI is exact for |n| < 2^9
const LN2_LO: f32 = 1.42860677e-6;
const C2: f32 = 0.5;
const C3: f32 = 0.166666672;
const C4: f32 = 0.0416666679;
const C5: f32 = 0.00833333377;
const C6: f32 = 0.00138888892;

@inline function expScalar(x0: f32): f32 {
  const x = min<f32>(max<f32>(x0, EXP_LO), EXP_HI);
  const n = Mathf.floor(x * LOG2E + 0.5);
  const r = x - n * LN2_HI - n * LN2_LO;
  let p = C6;
  p = p * r + C5;
  p = p * r + C4;
  p = p * r + C3;
  p = p * r + C2;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const scale = reinterpret<f32>((<i32>n + 127) << 23);
  return p * scale;
}

@inline function expSimd(x0: v128): v128 {
  const x = f32x4.min(f32x4.max(x0, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(C6);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

@inline function sigmoidScalar(x: f32): f32 {
  return <f32>1.0 / (<f32>1.0 + expScalar(-x));
}

@inline function sigmoidSimd(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expSimd(f32x4.neg(x))));
}

/** Four f32 lane masks (all-ones/zero) → 16 bytes 0xFF/0x00. */
@inline function packMasks(a: v128, b: v128, c: v128, d: v128): v128 {
  return i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
}

/** dst[i] = exp(src[i]) with the deterministic approximation (exported for tests). */
export function expF32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), expSimd(v128.load(src + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), expScalar(load<f32>(src + (<usize>i << 2))));
}

/** dst[i] = 1 / (1 + exp(-src[i])); dst may equal src. */
export function sigmoidF32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), sigmoidSimd(v128.load(src + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), sigmoidScalar(load<f32>(src + (<usize>i << 2))));
}

/** Number of NaNs in n floats (a broken model or input). */
export function countNaN(src: usize, n: i32): i32 {
  let acc = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(src + (<usize>i << 2));
    acc = i32x4.sub(acc, f32x4.ne(x, x)); // lanes are -1 where NaN
  }
  let count = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  for (; i < n; i++) {
    const x = load<f32>(src + (<usize>i << 2));
    if (x != x) count++;
  }
  return count;
}

/**
 * Binary head: reads a w×h window of a logit/probability plane whose rows are `srcStride` floats
 * apart, applies the sigmoid (when `apply`), writes the probabilities packed (w per row) to `prob`
 * and `mask[i] = prob > t ? 255 : 0` (when mask != 0). prob may alias src only when srcStride == w.
 */
export function binaryHead(src: usize, srcStride: i32, prob: usize, mask: usize, w: i32, h: i32, t: f32, apply: bool): void {
  const tv = f32x4.splat(t);
  for (let y = 0; y < h; y++) {
    const s = src + (<usize>(y * srcStride) << 2);
    const p = prob + (<usize>(y * w) << 2);
    const m = mask + <usize>(y * w);
    let x = 0;
    if (mask != 0) {
      for (; x + 16 <= w; x += 16) {
        const o = <usize>x << 2;
        let a = v128.load(s + o);
        let b = v128.load(s + o + 16);
        let c = v128.load(s + o + 32);
        let d = v128.load(s + o + 48);
        if (apply) {
          a = sigmoidSimd(a);
          b = sigmoidSimd(b);
          c = sigmoidSimd(c);
          d = sigmoidSimd(d);
        }
        v128.store(p + o, a);
        v128.store(p + o + 16, b);
        v128.store(p + o + 32, c);
        v128.store(p + o + 48, d);
        v128.store(m + <usize>x, packMasks(f32x4.gt(a, tv), f32x4.gt(b, tv), f32x4.gt(c, tv), f32x4.gt(d, tv)));
      }
    }
    for (; x + 4 <= w; x += 4) {
      const o = <usize>x << 2;
      let a = v128.load(s + o);
      if (apply) a = sigmoidSimd(a);
      v128.store(p + o, a);
      if (mask != 0) {
        store<u8>(m + <usize>x, f32x4.extract_lane(a, 0) > t ? 255 : 0);
        store<u8>(m + <usize>x + 1, f32x4.extract_lane(a, 1) > t ? 255 : 0);
        store<u8>(m + <usize>x + 2, f32x4.extract_lane(a, 2) > t ? 255 : 0);
        store<u8>(m + <usize>x + 3, f32x4.extract_lane(a, 3) > t ? 255 : 0);
      }
    }
    for (; x < w; x++) {
      let a = load<f32>(s + (<usize>x << 2));
      if (apply) a = sigmoidScalar(a);
      store<f32>(p + (<usize>x << 2), a);
      if (mask != 0) store<u8>(m + <usize>x, a > t ? 255 : 0);
    }
  }
}

/**
 * Multi-class head: reads a w×h window of C planes (plane `srcPlane` floats apart, rows `srcStride`
 * apart), applies softmax across the planes (when `apply`), writes C packed probability planes to
 * `prob` (w*h apart) and, when classMap != 0, the argmax (first maximum wins, like numpy) per pixel.
 */
export function softmaxHead(src: usize, srcPlane: i32, srcStride: i32, c: i32, prob: usize, classMap: usize, w: i32, h: i32, apply: bool): void {
  const n = w * h;
  for (let y = 0; y < h; y++) {
    const s = src + (<usize>(y * srcStride) << 2);
    const p = prob + (<usize>(y * w) << 2);
    let x = 0;
    for (; x + 4 <= w; x += 4) {
      const o = <usize>x << 2;
      if (apply) {
        let m = v128.load(s + o);
        for (let k = 1; k < c; k++) m = f32x4.max(m, v128.load(s + o + (<usize>(k * srcPlane) << 2)));
        let sum = f32x4.splat(0);
        for (let k = 0; k < c; k++) {
          const e = expSimd(f32x4.sub(v128.load(s + o + (<usize>(k * srcPlane) << 2)), m));
          v128.store(p + o + (<usize>(k * n) << 2), e);
          sum = f32x4.add(sum, e);
        }
        for (let k = 0; k < c; k++) {
          const q = p + o + (<usize>(k * n) << 2);
          v128.store(q, f32x4.div(v128.load(q), sum));
        }
      } else {
        for (let k = 0; k < c; k++) v128.store(p + o + (<usize>(k * n) << 2), v128.load(s + o + (<usize>(k * srcPlane) << 2)));
      }
    }
    for (; x < w; x++) {
      const o = <usize>x << 2;
      if (apply) {
        let m = load<f32>(s + o);
        for (let k = 1; k < c; k++) m = max<f32>(m, load<f32>(s + o + (<usize>(k * srcPlane) << 2)));
        let sum: f32 = 0;
        for (let k = 0; k < c; k++) {
          const e = expScalar(load<f32>(s + o + (<usize>(k * srcPlane) << 2)) - m);
          store<f32>(p + o + (<usize>(k * n) << 2), e);
          sum += e;
        }
        for (let k = 0; k < c; k++) {
          const q = p + o + (<usize>(k * n) << 2);
          store<f32>(q, load<f32>(q) / sum);
        }
      } else {
        for (let k = 0; k < c; k++) store<f32>(p + o + (<usize>(k * n) << 2), load<f32>(s + o + (<usize>(k * srcPlane) << 2)));
      }
    }
  }
  if (classMap != 0) argmaxPlanes(prob, n, c, classMap);
}

/** classMap[i] = index of the largest of the C planes at i (first maximum wins; NaN never wins). */
export function argmaxPlanes(prob: usize, n: i32, c: i32, classMap: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let best = v128.load(prob + o);
    let idx = i32x4.splat(0);
    for (let k = 1; k < c; k++) {
      const v = v128.load(prob + o + (<usize>(k * n) << 2));
      const gt = f32x4.gt(v, best); // strict: ties keep the lower index
      best = v128.bitselect(v, best, gt);
      idx = v128.bitselect(i32x4.splat(k), idx, gt);
    }
    store<u8>(classMap + <usize>i, <u8>i32x4.extract_lane(idx, 0));
    store<u8>(classMap + <usize>i + 1, <u8>i32x4.extract_lane(idx, 1));
    store<u8>(classMap + <usize>i + 2, <u8>i32x4.extract_lane(idx, 2));
    store<u8>(classMap + <usize>i + 3, <u8>i32x4.extract_lane(idx, 3));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let best = load<f32>(prob + o);
    let idx = 0;
    for (let k = 1; k < c; k++) {
      const v = load<f32>(prob + o + (<usize>(k * n) << 2));
      if (v > best) {
        best = v;
        idx = k;
      }
    }
    store<u8>(classMap + <usize>i, <u8>idx);
  }
}

/** mask[i] = classMap[i] != 0 ? 255 : 0 (foreground = any non-background class). */
export function foregroundMask(classMap: usize, mask: usize, n: i32): void {
  const zero = i8x16.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) v128.store(mask + <usize>i, v128.not(i8x16.eq(v128.load(classMap + <usize>i), zero)));
  for (; i < n; i++) store<u8>(mask + <usize>i, load<u8>(classMap + <usize>i) != 0 ? 255 : 0);
}

/** mask[i] = classMap[i] == k ? 255 : 0. */
export function classMask(classMap: usize, mask: usize, n: i32, k: i32): void {
  const kv = i8x16.splat(<i8>k);
  let i = 0;
  for (; i + 16 <= n; i += 16) v128.store(mask + <usize>i, i8x16.eq(v128.load(classMap + <usize>i), kv));
  for (; i < n; i++) store<u8>(mask + <usize>i, <i32>load<u8>(classMap + <usize>i) == k ? 255 : 0);
}

/** mask[i] = prob[i] > t ? 255 : 0. */
export function thresholdF32(prob: usize, mask: usize, n: i32, t: f32): void {
  const tv = f32x4.splat(t);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    v128.store(
      mask + <usize>i,
      packMasks(f32x4.gt(v128.load(prob + o), tv), f32x4.gt(v128.load(prob + o + 16), tv), f32x4.gt(v128.load(prob + o + 32), tv), f32x4.gt(v128.load(prob + o + 48), tv)),
    );
  }
  for (; i < n; i++) store<u8>(mask + <usize>i, load<f32>(prob + (<usize>i << 2)) > t ? 255 : 0);
}

// ---- bilinear upsampling of probabilities ----------------------------------------------------------
// Half-pixel centres (OpenCV INTER_LINEAR, torch align_corners=False): sx = (x + 0.5) * sw / dw - 0.5,
// clamped to [0, sw - 1]; v = a + (b - a) * f, first along x then along y.
// `tab` is host scratch of 3 * dw * 4 + 2 * dw * 4 bytes (x index, x+1 index, x fraction, two rows).

@inline function srcCoord(d: i32, scale: f32, limit: i32): f32 {
  let s = (<f32>d + 0.5) * scale - 0.5;
  if (s < 0) s = 0;
  const l = <f32>(limit - 1);
  if (s > l) s = l;
  return s;
}

function horizontalRow(srcRow: usize, tab: usize, dw: i32, out: usize): void {
  const ix0 = tab;
  const ix1 = tab + (<usize>dw << 2);
  const fx = tab + (<usize>dw << 3);
  for (let x = 0; x < dw; x++) {
    const o = <usize>x << 2;
    const a = load<f32>(srcRow + (<usize>load<i32>(ix0 + o) << 2));
    const b = load<f32>(srcRow + (<usize>load<i32>(ix1 + o) << 2));
    store<f32>(out + o, a + (b - a) * load<f32>(fx + o));
  }
}

/**
 * Resizes one f32 plane sw×sh → dw×dh bilinearly into `dst` (when dst != 0) and/or thresholds it
 * into `mask` (0/255, when mask != 0) in the same pass.
 */
export function upsampleBilinear(src: usize, sw: i32, sh: i32, dst: usize, mask: usize, dw: i32, dh: i32, t: f32, tab: usize): void {
  const scaleX = <f32>sw / <f32>dw;
  const scaleY = <f32>sh / <f32>dh;
  const ix0 = tab;
  const ix1 = tab + (<usize>dw << 2);
  const fx = tab + (<usize>dw << 3);
  const rowA = tab + <usize>dw * 12;
  const rowB = tab + <usize>dw * 16;
  for (let x = 0; x < dw; x++) {
    const s = srcCoord(x, scaleX, sw);
    const i0 = <i32>s;
    store<i32>(ix0 + (<usize>x << 2), i0);
    store<i32>(ix1 + (<usize>x << 2), min(i0 + 1, sw - 1));
    store<f32>(fx + (<usize>x << 2), s - <f32>i0);
  }
  let cachedA = -1;
  let cachedB = -1;
  const tv = f32x4.splat(t);
  for (let y = 0; y < dh; y++) {
    const s = srcCoord(y, scaleY, sh);
    const y0 = <i32>s;
    const y1 = min(y0 + 1, sh - 1);
    const fy = s - <f32>y0;
    // Rows change slowly when upsampling: recompute only the horizontal passes that are new.
    if (cachedA != y0) {
      if (cachedB == y0) memory.copy(rowA, rowB, <usize>dw << 2);
      else horizontalRow(src + (<usize>(y0 * sw) << 2), tab, dw, rowA);
      cachedA = y0;
    }
    if (cachedB != y1) {
      horizontalRow(src + (<usize>(y1 * sw) << 2), tab, dw, rowB);
      cachedB = y1;
    }
    const d = dst + (<usize>(y * dw) << 2);
    const m = mask + <usize>(y * dw);
    const fyv = f32x4.splat(fy);
    let x = 0;
    for (; x + 4 <= dw; x += 4) {
      const o = <usize>x << 2;
      const a = v128.load(rowA + o);
      const v = f32x4.add(a, f32x4.mul(f32x4.sub(v128.load(rowB + o), a), fyv));
      if (dst != 0) v128.store(d + o, v);
      if (mask != 0) {
        const g = f32x4.gt(v, tv);
        store<u8>(m + <usize>x, <u8>i32x4.extract_lane(g, 0));
        store<u8>(m + <usize>x + 1, <u8>i32x4.extract_lane(g, 1));
        store<u8>(m + <usize>x + 2, <u8>i32x4.extract_lane(g, 2));
        store<u8>(m + <usize>x + 3, <u8>i32x4.extract_lane(g, 3));
      }
    }
    for (; x < dw; x++) {
      const o = <usize>x << 2;
      const a = load<f32>(rowA + o);
      const v = a + (load<f32>(rowB + o) - a) * fy;
      if (dst != 0) store<f32>(d + o, v);
      if (mask != 0) store<u8>(m + <usize>x, v > t ? 255 : 0);
    }
  }
}

// ---- tiling ------------------------------------------------------------------------------------------

/**
 * Adds one tile's C probability planes (tw×th, packed) into full-frame accumulators (C planes of
 * fw×fh) at (x0, y0) with feathered weights, and the weights into `wsum`. On each side that has a
 * neighbour (rampL/R/T/B > 0) the weight ramps up over the overlap: r = min(1, (i + 1) / (ramp + 1)),
 * w = (rx * ry)^2. Every covered pixel gets a positive total weight; squaring makes a tile's
 * outermost pixels (where its zero padding distorts the model's output) count ~1/ramp^2 against the
 * neighbour's interior, so seams vanish instead of fading.
 */
export function blendTile(tile: usize, c: i32, tw: i32, th: i32, acc: usize, wsum: usize, fw: i32, fh: i32, x0: i32, y0: i32, rampL: i32, rampR: i32, rampT: i32, rampB: i32): void {
  const tn = tw * th;
  const fn = fw * fh;
  const invL: f32 = 1.0 / <f32>(rampL + 1);
  const invR: f32 = 1.0 / <f32>(rampR + 1);
  const lanes = f32x4(0, 1, 2, 3);
  const one = f32x4.splat(1);
  for (let y = 0; y < th; y++) {
    const wyT = rampT > 0 ? min<f32>(1, <f32>(y + 1) / <f32>(rampT + 1)) : <f32>1;
    const wyB = rampB > 0 ? min<f32>(1, <f32>(th - y) / <f32>(rampB + 1)) : <f32>1;
    const wy = min<f32>(wyT, wyB);
    const wyv = f32x4.splat(wy);
    const frow = <usize>((y0 + y) * fw + x0);
    const trow = <usize>(y * tw);
    let x = 0;
    for (; x + 4 <= tw; x += 4) {
      const xi = f32x4.add(f32x4.splat(<f32>x), lanes);
      const wl = rampL > 0 ? f32x4.min(one, f32x4.mul(f32x4.add(xi, one), f32x4.splat(invL))) : one;
      const wr = rampR > 0 ? f32x4.min(one, f32x4.mul(f32x4.sub(f32x4.splat(<f32>tw), xi), f32x4.splat(invR))) : one;
      const wl1 = f32x4.mul(f32x4.min(wl, wr), wyv);
      const wv = f32x4.mul(wl1, wl1);
      const so = wsum + ((frow + <usize>x) << 2);
      v128.store(so, f32x4.add(v128.load(so), wv));
      for (let k = 0; k < c; k++) {
        const ao = acc + ((<usize>(k * fn) + frow + <usize>x) << 2);
        const to = tile + ((<usize>(k * tn) + trow + <usize>x) << 2);
        v128.store(ao, f32x4.add(v128.load(ao), f32x4.mul(v128.load(to), wv)));
      }
    }
    for (; x < tw; x++) {
      const xi = <f32>x;
      const wl = rampL > 0 ? min<f32>(1, (xi + 1) * invL) : <f32>1;
      const wr = rampR > 0 ? min<f32>(1, (<f32>tw - xi) * invR) : <f32>1;
      const w1 = min<f32>(wl, wr) * wy;
      const wv = w1 * w1;
      const so = wsum + ((frow + <usize>x) << 2);
      store<f32>(so, load<f32>(so) + wv);
      for (let k = 0; k < c; k++) {
        const ao = acc + ((<usize>(k * fn) + frow + <usize>x) << 2);
        store<f32>(ao, load<f32>(ao) + load<f32>(tile + ((<usize>(k * tn) + trow + <usize>x) << 2)) * wv);
      }
    }
  }
}

/** acc[k][i] /= wsum[i] for C planes of n (turns blended sums into probabilities). */
export function divideByWeights(acc: usize, wsum: usize, c: i32, n: i32): void {
  for (let k = 0; k < c; k++) {
    const a = acc + (<usize>(k * n) << 2);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(a + o, f32x4.div(v128.load(a + o), v128.load(wsum + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(a + o, load<f32>(a + o) / load<f32>(wsum + o));
    }
  }
}

/** Zero-fills n floats (accumulators before blending). */
export function zeroF32(ptr: usize, n: i32): void {
  memory.fill(ptr, 0, <usize>n << 2);
}

// ---- preprocessing glue ------------------------------------------------------------------------------

/**
 * Pads C packed planes of w×h (at ptr) in place to C planes of pw×ph (pw >= w, ph >= h), replicating
 * the last column and row (a model sees no artificial edge). Works backwards so nothing is
 * overwritten before it is moved.
 */
export function padPlanesF32(ptr: usize, c: i32, w: i32, h: i32, pw: i32, ph: i32): void {
  if (pw == w && ph == h) return;
  for (let k = c - 1; k >= 0; k--) {
    const src = ptr + (<usize>(k * w * h) << 2);
    const dst = ptr + (<usize>(k * pw * ph) << 2);
    for (let y = h - 1; y >= 0; y--) {
      const s = src + (<usize>(y * w) << 2);
      const d = dst + (<usize>(y * pw) << 2);
      memory.copy(d, s, <usize>w << 2);
      const edge = load<f32>(d + (<usize>(w - 1) << 2));
      for (let x = w; x < pw; x++) store<f32>(d + (<usize>x << 2), edge);
    }
    const last = dst + (<usize>((h - 1) * pw) << 2);
    for (let y = h; y < ph; y++) memory.copy(dst + (<usize>(y * pw) << 2), last, <usize>pw << 2);
  }
}

// ---- region confidence ------------------------------------------------------------------------------

/**
 * Per-label sum and maximum of the values under each label 1..count (labels from connected
 * components, packed w×h; 0 = background is skipped). `values` is a w×h window with rows
 * `valueStride` floats apart; with `apply` the sigmoid is applied to each value first (so logits can
 * be read straight from the model's output). `sums` (f64) and `maxes` (f32) hold count + 1 entries
 * and are reset here.
 */
export function regionConfidence(labels: usize, values: usize, w: i32, h: i32, valueStride: i32, apply: bool, count: i32, sums: usize, maxes: usize): void {
  memory.fill(sums, 0, <usize>(count + 1) << 3);
  memory.fill(maxes, 0, <usize>(count + 1) << 2);
  for (let y = 0; y < h; y++) {
    const lrow = labels + (<usize>(y * w) << 2);
    const vrow = values + (<usize>(y * valueStride) << 2);
    let x = 0;
    while (x < w) {
      // Masks are mostly background: skip 8 unlabelled pixels at a time.
      if (x + 8 <= w && !v128.any_true(v128.or(v128.load(lrow + (<usize>x << 2)), v128.load(lrow + (<usize>x << 2), 16)))) {
        x += 8;
        continue;
      }
      const l = load<i32>(lrow + (<usize>x << 2));
      if (l > 0) {
        let p = load<f32>(vrow + (<usize>x << 2));
        if (apply) p = sigmoidScalar(p);
        const so = sums + (<usize>l << 3);
        store<f64>(so, load<f64>(so) + <f64>p);
        const mo = maxes + (<usize>l << 2);
        if (p > load<f32>(mo)) store<f32>(mo, p);
      }
      x++;
    }
  }
}

/**
 * Binary fast path: mask[i] = logit > l ? 255 : 0 over a w×h window of a logit plane (rows
 * `srcStride` apart), where l = ln(t / (1 - t)) is the threshold t moved to logit space. Skips the
 * sigmoid for every pixel when no probability map is wanted (regions then apply it to their own
 * pixels only, in regionConfidence).
 */
export function logitMask(src: usize, srcStride: i32, mask: usize, w: i32, h: i32, l: f32): void {
  const lv = f32x4.splat(l);
  for (let y = 0; y < h; y++) {
    const s = src + (<usize>(y * srcStride) << 2);
    const m = mask + <usize>(y * w);
    let x = 0;
    for (; x + 16 <= w; x += 16) {
      const o = <usize>x << 2;
      v128.store(m + <usize>x, packMasks(f32x4.gt(v128.load(s + o), lv), f32x4.gt(v128.load(s + o + 16), lv), f32x4.gt(v128.load(s + o + 32), lv), f32x4.gt(v128.load(s + o + 48), lv)));
    }
    for (; x < w; x++) store<u8>(m + <usize>x, load<f32>(s + (<usize>x << 2)) > l ? 255 : 0);
  }
}

/**
 * Keeps a multi-class map consistent with a refined foreground mask: where mask == 0 the class
 * becomes 0 (background); where mask != 0 but the class is background (pixels added by closing or
 * hole filling) it becomes the most probable foreground class (first maximum of planes 1..C-1).
 */
export function reconcileClasses(classMap: usize, mask: usize, prob: usize, c: i32, n: i32): void {
  for (let i = 0; i < n; i++) {
    if (load<u8>(mask + <usize>i) == 0) {
      store<u8>(classMap + <usize>i, 0);
    } else if (load<u8>(classMap + <usize>i) == 0) {
      let best = load<f32>(prob + (<usize>(n + i) << 2));
      let idx = 1;
      for (let k = 2; k < c; k++) {
        const v = load<f32>(prob + (<usize>(k * n + i) << 2));
        if (v > best) {
          best = v;
          idx = k;
        }
      }
      store<u8>(classMap + <usize>i, <u8>idx);
    }
  }
}
