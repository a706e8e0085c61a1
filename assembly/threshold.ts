// Kernel family: thresholding. Binary masks are 0/255 like OpenCV's.
import { vecEnd } from "./util/simd";

/**
 * dst[i] = src[i] > value ? 255 : 0 (or the inverse), OpenCV THRESH_BINARY(_INV) with maxval 255.
 * `value` is an integer 0..255 (the wrapper floors fractional thresholds the way OpenCV does for u8).
 */
export function thresholdBinary(src: usize, dst: usize, n: i32, value: i32, inverse: bool): void {
  if (value >= 255) {
    memory.fill(dst, inverse ? 255 : 0, <usize>n);
    return;
  }
  if (value < 0) {
    memory.fill(dst, inverse ? 0 : 255, <usize>n);
    return;
  }
  // Unsigned compares in two ops: x > t <=> max(x, t + 1) == x (t < 255 here), x <= t <=> min(x, t) == x.
  // Four vectors per step: with one, loop overhead made this pass ~1.8x slower than a memcpy.
  let i = 0;
  const end64 = n & ~63;
  const end16 = vecEnd(n);
  if (inverse) {
    const t = i8x16.splat(<i8>value);
    for (; i < end64; i += 64) {
      const s = src + <usize>i;
      const d = dst + <usize>i;
      const x0 = v128.load(s);
      const x1 = v128.load(s, 16);
      const x2 = v128.load(s, 32);
      const x3 = v128.load(s, 48);
      v128.store(d, i8x16.eq(v128.min<u8>(x0, t), x0));
      v128.store(d, i8x16.eq(v128.min<u8>(x1, t), x1), 16);
      v128.store(d, i8x16.eq(v128.min<u8>(x2, t), x2), 32);
      v128.store(d, i8x16.eq(v128.min<u8>(x3, t), x3), 48);
    }
    for (; i < end16; i += 16) {
      const x = v128.load(src + <usize>i);
      v128.store(dst + <usize>i, i8x16.eq(v128.min<u8>(x, t), x));
    }
  } else {
    const t = i8x16.splat(<i8>(value + 1));
    for (; i < end64; i += 64) {
      const s = src + <usize>i;
      const d = dst + <usize>i;
      const x0 = v128.load(s);
      const x1 = v128.load(s, 16);
      const x2 = v128.load(s, 32);
      const x3 = v128.load(s, 48);
      v128.store(d, i8x16.eq(v128.max<u8>(x0, t), x0));
      v128.store(d, i8x16.eq(v128.max<u8>(x1, t), x1), 16);
      v128.store(d, i8x16.eq(v128.max<u8>(x2, t), x2), 32);
      v128.store(d, i8x16.eq(v128.max<u8>(x3, t), x3), 48);
    }
    for (; i < end16; i += 16) {
      const x = v128.load(src + <usize>i);
      v128.store(dst + <usize>i, i8x16.eq(v128.max<u8>(x, t), x));
    }
  }
  for (; i < n; i++) {
    const above = <i32>load<u8>(src + <usize>i) > value;
    store<u8>(dst + <usize>i, above != inverse ? 255 : 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Histogram (for Otsu and triangle).
//
// A histogram is bound by one read-modify-write per counted item (bench/histogram-bound.ts: one
// store per cycle at best, ~1.33 cycles for an increment whose address comes from data), so large
// images are counted in *pairs* of adjacent pixels: one increment of a 65536-entry table indexed by
// the two bytes halves the increments, and the pair table is folded back into 256 bins (row sums +
// column sums) at the end. Small images use four interleaved 256-bin tables (the usual trick
// against store-to-load forwarding stalls when neighbours share a bin).

/**
 * Pixels below which the fixed cost of the pair table (256 KiB to fold: 5-8 us) does not pay.
 * Measured crossover: ~32K pixels on a natural image, ~40K on noise.
 */
const PAIR_HISTOGRAM_MIN: i32 = 1 << 16;
/** Bytes of the pair table (mirrored in src/kernels/threshold.ts). */
const PAIR_TABLE_BYTES: i32 = 65536 * 4;

@inline function inc(at: usize): void {
  store<u32>(at, load<u32>(at) + 1);
}

/**
 * 256-bin histogram of `n` bytes into `hist` (256 u32; needs 4096 bytes of room for the split
 * tables). `pairs` is a PAIR_TABLE_BYTES table or 0; `pairsClean` says it is already all zero
 * (it is left all zero after use, so a reused table never needs clearing again).
 * Returns whether the pair table is now known to be all zero.
 */
export function histogram256(src: usize, n: i32, hist: usize, pairs: usize, pairsClean: bool): bool {
  let i = 0;
  if (pairs != 0 && n >= PAIR_HISTOGRAM_MIN) {
    memory.fill(hist, 0, 1024);
    if (!pairsClean) memory.fill(pairs, 0, <usize>PAIR_TABLE_BYTES);
    // 16 pairs per step, in groups of four addresses then their increments: ~10% faster than 4 per
    // step (loop overhead); groups of 2, 8 or 16 were slower, and 32 per step made flat images 5x
    // slower (same-entry increments back to back stop being forwarded at full speed). A flat image
    // costs the same as a natural one here; 2 interleaved tables or u8/u16 counters measured slower.
    const end = n & ~31;
    for (; i < end; i += 32) {
      const p = src + <usize>i;
      // Little-endian u16 = first pixel + 256 * second pixel. Four addresses, then their increments.
      const a0 = pairs + (<usize>load<u16>(p, 0) << 2);
      const b0 = pairs + (<usize>load<u16>(p, 2) << 2);
      const c0 = pairs + (<usize>load<u16>(p, 4) << 2);
      const d0 = pairs + (<usize>load<u16>(p, 6) << 2);
      inc(a0);
      inc(b0);
      inc(c0);
      inc(d0);
      const a1 = pairs + (<usize>load<u16>(p, 8) << 2);
      const b1 = pairs + (<usize>load<u16>(p, 10) << 2);
      const c1 = pairs + (<usize>load<u16>(p, 12) << 2);
      const d1 = pairs + (<usize>load<u16>(p, 14) << 2);
      inc(a1);
      inc(b1);
      inc(c1);
      inc(d1);
      const a2 = pairs + (<usize>load<u16>(p, 16) << 2);
      const b2 = pairs + (<usize>load<u16>(p, 18) << 2);
      const c2 = pairs + (<usize>load<u16>(p, 20) << 2);
      const d2 = pairs + (<usize>load<u16>(p, 22) << 2);
      inc(a2);
      inc(b2);
      inc(c2);
      inc(d2);
      const a3 = pairs + (<usize>load<u16>(p, 24) << 2);
      const b3 = pairs + (<usize>load<u16>(p, 26) << 2);
      const c3 = pairs + (<usize>load<u16>(p, 28) << 2);
      const d3 = pairs + (<usize>load<u16>(p, 30) << 2);
      inc(a3);
      inc(b3);
      inc(c3);
      inc(d3);
    }
    // Fold: table row r counts pairs whose second pixel is r, column c those whose first is c.
    // Neighbouring pixels are alike, so in natural images most of the table stays zero: all-zero
    // 64-byte groups are only read (they need no clearing and add nothing), which halves the fold.
    const zero = i32x4.splat(0);
    for (let r = 0; r < 256; r++) {
      const row = pairs + (<usize>r << 10);
      let s = zero;
      for (let k = 0; k < 64; k += 4) {
        const at = row + (<usize>k << 4);
        const v0 = v128.load(at);
        const v1 = v128.load(at, 16);
        const v2 = v128.load(at, 32);
        const v3 = v128.load(at, 48);
        if (!v128.any_true(v128.or(v128.or(v0, v1), v128.or(v2, v3)))) continue;
        v128.store(at, zero);
        v128.store(at, zero, 16);
        v128.store(at, zero, 32);
        v128.store(at, zero, 48);
        s = i32x4.add(s, i32x4.add(i32x4.add(v0, v1), i32x4.add(v2, v3)));
        const hp = hist + (<usize>k << 4);
        v128.store(hp, i32x4.add(v128.load(hp), v0));
        v128.store(hp, i32x4.add(v128.load(hp, 16), v1), 16);
        v128.store(hp, i32x4.add(v128.load(hp, 32), v2), 32);
        v128.store(hp, i32x4.add(v128.load(hp, 48), v3), 48);
      }
      const total = i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
      const hr = hist + (<usize>r << 2);
      store<u32>(hr, load<u32>(hr) + total);
    }
  } else {
    memory.fill(hist, 0, 4096);
    const end = n & ~15;
    for (; i < end; i += 16) {
      const p = src + <usize>i;
      inc(hist + (<usize>load<u8>(p) << 2));
      inc(hist + 1024 + (<usize>load<u8>(p, 1) << 2));
      inc(hist + 2048 + (<usize>load<u8>(p, 2) << 2));
      inc(hist + 3072 + (<usize>load<u8>(p, 3) << 2));
      inc(hist + (<usize>load<u8>(p, 4) << 2));
      inc(hist + 1024 + (<usize>load<u8>(p, 5) << 2));
      inc(hist + 2048 + (<usize>load<u8>(p, 6) << 2));
      inc(hist + 3072 + (<usize>load<u8>(p, 7) << 2));
      inc(hist + (<usize>load<u8>(p, 8) << 2));
      inc(hist + 1024 + (<usize>load<u8>(p, 9) << 2));
      inc(hist + 2048 + (<usize>load<u8>(p, 10) << 2));
      inc(hist + 3072 + (<usize>load<u8>(p, 11) << 2));
      inc(hist + (<usize>load<u8>(p, 12) << 2));
      inc(hist + 1024 + (<usize>load<u8>(p, 13) << 2));
      inc(hist + 2048 + (<usize>load<u8>(p, 14) << 2));
      inc(hist + 3072 + (<usize>load<u8>(p, 15) << 2));
    }
    for (let k = 0; k < 256; k += 4) {
      const at = hist + (<usize>k << 2);
      v128.store(at, i32x4.add(i32x4.add(v128.load(at), v128.load(at, 1024)), i32x4.add(v128.load(at, 2048), v128.load(at, 3072))));
    }
  }
  for (; i < n; i++) inc(hist + (<usize>load<u8>(src + <usize>i) << 2));
  return pairsClean || (pairs != 0 && n >= PAIR_HISTOGRAM_MIN);
}

// ---------------------------------------------------------------------------------------------
// Adaptive threshold, shared final step: dst = (src - mean > t) XOR inverse, as 0/255.
// OpenCV builds a table over src - mean + 255 from its integer delta; comparing the difference
// with t directly is the same thing. t is clamped to [-256, 255] by the caller.

@inline function compareMean(s: v128, m: v128, t: v128, flip: v128): v128 {
  const dLo = i16x8.sub(i16x8.extend_low_i8x16_u(s), i16x8.extend_low_i8x16_u(m));
  const dHi = i16x8.sub(i16x8.extend_high_i8x16_u(s), i16x8.extend_high_i8x16_u(m));
  return v128.xor(i8x16.narrow_i16x8_s(i16x8.gt_s(dLo, t), i16x8.gt_s(dHi, t)), flip);
}

/** Row pass: dst = compare(src, mean) for `w` pixels. */
export function thresholdAgainstMean(src: usize, mean: usize, dst: usize, w: i32, t: i32, inverse: bool): void {
  const tv = i16x8.splat(<i16>t);
  const flip = inverse ? i8x16.splat(-1) : i8x16.splat(0);
  const end = w & ~15;
  let x = 0;
  for (; x < end; x += 16) {
    v128.store(dst + <usize>x, compareMean(v128.load(src + <usize>x), v128.load(mean + <usize>x), tv, flip));
  }
  for (; x < w; x++) {
    const above = <i32>load<u8>(src + <usize>x) - <i32>load<u8>(mean + <usize>x) > t;
    store<u8>(dst + <usize>x, above != inverse ? 255 : 0);
  }
}

/**
 * Adaptive threshold against the block mean (OpenCV ADAPTIVE_THRESH_MEAN_C): the mean is OpenCV's
 * normalized boxFilter with BORDER_REPLICATE rounded to u8, i.e. round(sum / block²) — which its
 * fixed-point (block ≤ 15) and float32 (block ≤ 163) paths both compute exactly.
 *
 * The cost does not depend on the block: column sums are updated by one row in and one row out,
 * and each row's horizontal window sums are a prefix sum of (entering − leaving) column sums.
 * Scratch: `cols` holds (w + block + 1) u32 plus 64 bytes; `sums` w u32 plus 64 bytes; `mean` w + 16 bytes.
 */
export function adaptiveMean(src: usize, dst: usize, w: i32, h: i32, block: i32, t: i32, inverse: bool, cols: usize, sums: usize, mean: usize): void {
  const r = block >> 1;
  const pad = r + 1;
  const c0 = cols + (<usize>pad << 2); // cols[x] for x in [-(r+1), w-1+r] lives at c0 + 4x
  const scale = f32x4.splat(<f32>(1.0 / <f64>(block * block)));
  // Column sums of rows clamp(-r) .. clamp(r).
  memory.fill(c0, 0, <usize>w << 2);
  for (let k = -r; k <= r; k++) addRow(c0, rowAt(src, w, h, k), w, true);
  for (let y = 0; y < h; y++) {
    if (y > 0) {
      const enter = rowAt(src, w, h, y + r);
      const leave = rowAt(src, w, h, y - r - 1);
      if (enter != leave) {
        addRow(c0, enter, w, true);
        addRow(c0, leave, w, false);
      }
    }
    // Replicated border columns.
    const first = load<u32>(c0);
    const last = load<u32>(c0 + (<usize>(w - 1) << 2));
    for (let k = 1; k <= pad; k++) store<u32>(c0 - (<usize>k << 2), first);
    for (let k = 0; k < r + 4; k++) store<u32>(c0 + (<usize>(w + k) << 2), last);
    // sums[x] = sum of cols[x-r .. x+r] = start + prefix of (cols[x+r] - cols[x-r-1]).
    let start: u32 = 0;
    for (let k = -pad; k < r; k++) start += load<u32>(c0 + (<isize>k << 2));
    let carry = i32x4.splat(start);
    const enterAt = c0 + (<usize>r << 2);
    const leaveAt = c0 - (<usize>pad << 2);
    for (let x = 0; x < w; x += 4) {
      const o = <usize>x << 2;
      let d = i32x4.sub(v128.load(enterAt + o), v128.load(leaveAt + o));
      d = i32x4.add(d, i8x16.shuffle(i32x4.splat(0), d, 0, 1, 2, 3, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27));
      d = i32x4.add(d, i8x16.shuffle(i32x4.splat(0), d, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
      d = i32x4.add(d, carry);
      v128.store(sums + o, d);
      carry = i32x4.shuffle(d, d, 3, 3, 3, 3);
    }
    // mean = round-half-even(f32(sum) * f32(1 / block²)), like OpenCV's SIMD path.
    for (let x = 0; x < w; x += 16) {
      const o = sums + (<usize>x << 2);
      const m0 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_u(v128.load(o)), scale)));
      const m1 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_u(v128.load(o, 16)), scale)));
      const m2 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_u(v128.load(o, 32)), scale)));
      const m3 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_u(v128.load(o, 48)), scale)));
      v128.store(mean + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(m0, m1), i16x8.narrow_i32x4_u(m2, m3)));
    }
    const off = <usize>y * <usize>w;
    thresholdAgainstMean(src + off, mean, dst + off, w, t, inverse);
  }
}

@inline function rowAt(src: usize, w: i32, h: i32, y: i32): usize {
  return src + <usize>(y < 0 ? 0 : y >= h ? h - 1 : y) * <usize>w;
}

/** cols[x] += row[x] (or -=) for x < w. */
function addRow(cols: usize, row: usize, w: i32, add: bool): void {
  const end = w & ~15;
  let x = 0;
  for (; x < end; x += 16) {
    const v = v128.load(row + <usize>x);
    const lo = i16x8.extend_low_i8x16_u(v);
    const hi = i16x8.extend_high_i8x16_u(v);
    const o = cols + (<usize>x << 2);
    if (add) {
      v128.store(o, i32x4.add(v128.load(o), i32x4.extend_low_i16x8_u(lo)));
      v128.store(o, i32x4.add(v128.load(o, 16), i32x4.extend_high_i16x8_u(lo)), 16);
      v128.store(o, i32x4.add(v128.load(o, 32), i32x4.extend_low_i16x8_u(hi)), 32);
      v128.store(o, i32x4.add(v128.load(o, 48), i32x4.extend_high_i16x8_u(hi)), 48);
    } else {
      v128.store(o, i32x4.sub(v128.load(o), i32x4.extend_low_i16x8_u(lo)));
      v128.store(o, i32x4.sub(v128.load(o, 16), i32x4.extend_high_i16x8_u(lo)), 16);
      v128.store(o, i32x4.sub(v128.load(o, 32), i32x4.extend_low_i16x8_u(hi)), 32);
      v128.store(o, i32x4.sub(v128.load(o, 48), i32x4.extend_high_i16x8_u(hi)), 48);
    }
  }
  for (; x < w; x++) {
    const o = cols + (<usize>x << 2);
    const v = <u32>load<u8>(row + <usize>x);
    store<u32>(o, add ? load<u32>(o) + v : load<u32>(o) - v);
  }
}

/**
 * Adaptive threshold against the Gaussian-weighted block mean (OpenCV ADAPTIVE_THRESH_GAUSSIAN_C,
 * whose mean is a float32 GaussianBlur with sigma = 0.3 * ((block - 1) / 2 - 1) + 0.8, replicated
 * borders, rounded half to even to u8). Here the blur is separable fixed point: `taps` are block i32 weights in
 * Q15 summing to 1 << 15; the vertical pass keeps a Q6 i16 row, the horizontal pass multiplies
 * pairs of symmetric taps at once with i32x4.dot_i16x8_s. The mean is within about 0.01 of
 * OpenCV's, so only pixels sitting exactly on a rounding edge can differ.
 * Scratch: `taps` has block i32 + 16 * block bytes of room; `rows` block u32; `line` 2 * (w + block) + 64 bytes; `mean` w + 16.
 */
export function adaptiveGaussian(src: usize, dst: usize, w: i32, h: i32, block: i32, t: i32, inverse: bool, taps: usize, rows: usize, line: usize, mean: usize): void {
  const r = block >> 1;
  const tapC = load<i32>(taps + (<usize>r << 2));
  // Tap pairs for the horizontal dot products: lanes (t[k], t[k+1]) for fold terms k, k+1.
  const pairs = taps + ((<usize>block << 2) + 15) & ~(<usize>15);
  const npairs = r >> 1;
  for (let p = 0; p < npairs; p++) {
    const a = load<i32>(taps + (<usize>(2 * p) << 2));
    const b = load<i32>(taps + (<usize>(2 * p + 1) << 2));
    v128.store(pairs + (<usize>p << 4), i32x4.splat((a & 0xffff) | (b << 16)));
  }
  const tapOdd = (r & 1) != 0 ? load<i32>(taps + (<usize>(r - 1) << 2)) : 0;
  const mid = line + (<usize>r << 1); // V[x] at mid + 2x, replicated r entries each side
  const vEnd16 = w & ~15;
  for (let y = 0; y < h; y++) {
    for (let k = 0; k < block; k++) store<u32>(rows + (<usize>k << 2), <u32>rowAt(src, w, h, y - r + k));
    // Vertical: V = (sum t[k] * src[y - r + k] + 256) >> 9, Q15 -> Q6. Symmetric rows are added
    // first, then two folded rows at a time go through one dot product per 4 pixels.
    const rowC = <usize>load<u32>(rows + (<usize>r << 2));
    const tc = i16x8.splat(<i16>tapC);
    const half9 = i32x4.splat(256);
    let x = 0;
    for (; x < vEnd16; x += 16) {
      const c0 = v128.load8x8_u(rowC + <usize>x);
      const c1 = v128.load8x8_u(rowC + <usize>x, 8);
      let l0 = i32x4.extmul_low_i16x8_u(c0, tc);
      let h0 = i32x4.extmul_high_i16x8_u(c0, tc);
      let l1 = i32x4.extmul_low_i16x8_u(c1, tc);
      let h1 = i32x4.extmul_high_i16x8_u(c1, tc);
      for (let p = 0; p < npairs; p++) {
        const k = 2 * p;
        const a0 = <usize>load<u32>(rows + (<usize>k << 2)) + <usize>x;
        const a1 = <usize>load<u32>(rows + (<usize>k << 2), 4) + <usize>x;
        const b0 = <usize>load<u32>(rows + (<usize>(block - 1 - k) << 2)) + <usize>x;
        const b1 = <usize>load<u32>(rows + (<usize>(block - 2 - k) << 2)) + <usize>x;
        const tp = v128.load(pairs + (<usize>p << 4));
        let f0 = i16x8.add(v128.load8x8_u(a0), v128.load8x8_u(b0));
        let f1 = i16x8.add(v128.load8x8_u(a1), v128.load8x8_u(b1));
        l0 = i32x4.add(l0, i32x4.dot_i16x8_s(i8x16.shuffle(f0, f1, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23), tp));
        h0 = i32x4.add(h0, i32x4.dot_i16x8_s(i8x16.shuffle(f0, f1, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), tp));
        f0 = i16x8.add(v128.load8x8_u(a0, 8), v128.load8x8_u(b0, 8));
        f1 = i16x8.add(v128.load8x8_u(a1, 8), v128.load8x8_u(b1, 8));
        l1 = i32x4.add(l1, i32x4.dot_i16x8_s(i8x16.shuffle(f0, f1, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23), tp));
        h1 = i32x4.add(h1, i32x4.dot_i16x8_s(i8x16.shuffle(f0, f1, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), tp));
      }
      if ((r & 1) != 0) {
        const a = <usize>load<u32>(rows + (<usize>(r - 1) << 2)) + <usize>x;
        const b = <usize>load<u32>(rows + (<usize>(r + 1) << 2)) + <usize>x;
        const tk = i16x8.splat(<i16>tapOdd);
        let f = i16x8.add(v128.load8x8_u(a), v128.load8x8_u(b));
        l0 = i32x4.add(l0, i32x4.extmul_low_i16x8_u(f, tk));
        h0 = i32x4.add(h0, i32x4.extmul_high_i16x8_u(f, tk));
        f = i16x8.add(v128.load8x8_u(a, 8), v128.load8x8_u(b, 8));
        l1 = i32x4.add(l1, i32x4.extmul_low_i16x8_u(f, tk));
        h1 = i32x4.add(h1, i32x4.extmul_high_i16x8_u(f, tk));
      }
      const o = mid + (<usize>x << 1);
      v128.store(o, i16x8.narrow_i32x4_s(i32x4.shr_s(i32x4.add(l0, half9), 9), i32x4.shr_s(i32x4.add(h0, half9), 9)));
      v128.store(o, i16x8.narrow_i32x4_s(i32x4.shr_s(i32x4.add(l1, half9), 9), i32x4.shr_s(i32x4.add(h1, half9), 9)), 16);
    }
    for (; x < w; x++) {
      let s = <i32>load<u8>(rowC + <usize>x) * tapC;
      for (let k = 0; k < r; k++) {
        const a = <usize>load<u32>(rows + (<usize>k << 2));
        const b = <usize>load<u32>(rows + (<usize>(block - 1 - k) << 2));
        s += (<i32>load<u8>(a + <usize>x) + <i32>load<u8>(b + <usize>x)) * load<i32>(taps + (<usize>k << 2));
      }
      store<i16>(mid + (<usize>x << 1), <i16>((s + 256) >> 9));
    }
    const first = load<i16>(mid);
    const last = load<i16>(mid + (<usize>(w - 1) << 1));
    for (let k = 1; k <= r; k++) {
      store<i16>(mid - (<usize>k << 1), first);
      store<i16>(mid + (<usize>(w - 1 + k) << 1), last);
    }
    // Horizontal: mean = (sum t[k] * V[x - r + k] + 2^20) >> 21, Q21 -> integer.
    x = 0;
    const half21 = i32x4.splat((1 << 20) - 1);
    const one = i32x4.splat(1);
    for (; x < vEnd16; x += 16) {
      const base = line + (<usize>x << 1);
      const c0 = v128.load(base + (<usize>r << 1));
      const c1 = v128.load(base + (<usize>r << 1), 16);
      let l0 = i32x4.extmul_low_i16x8_s(c0, tc);
      let h0 = i32x4.extmul_high_i16x8_s(c0, tc);
      let l1 = i32x4.extmul_low_i16x8_s(c1, tc);
      let h1 = i32x4.extmul_high_i16x8_s(c1, tc);
      for (let p = 0; p < npairs; p++) {
        const k = 2 * p;
        const a0 = base + (<usize>k << 1);
        const b0 = base + (<usize>(2 * r - k) << 1);
        const tp = v128.load(pairs + (<usize>p << 4));
        let f0 = i16x8.add(v128.load(a0), v128.load(b0));
        let f1 = i16x8.add(v128.load(a0, 2), v128.load(b0 - 2));
        l0 = i32x4.add(l0, i32x4.dot_i16x8_s(i8x16.shuffle(f0, f1, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23), tp));
        h0 = i32x4.add(h0, i32x4.dot_i16x8_s(i8x16.shuffle(f0, f1, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), tp));
        f0 = i16x8.add(v128.load(a0, 16), v128.load(b0, 16));
        f1 = i16x8.add(v128.load(a0, 18), v128.load(b0, 14));
        l1 = i32x4.add(l1, i32x4.dot_i16x8_s(i8x16.shuffle(f0, f1, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23), tp));
        h1 = i32x4.add(h1, i32x4.dot_i16x8_s(i8x16.shuffle(f0, f1, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), tp));
      }
      if ((r & 1) != 0) {
        const a = base + (<usize>(r - 1) << 1);
        const tk = i16x8.splat(<i16>tapOdd);
        let f = i16x8.add(v128.load(a), v128.load(a, 4));
        l0 = i32x4.add(l0, i32x4.extmul_low_i16x8_s(f, tk));
        h0 = i32x4.add(h0, i32x4.extmul_high_i16x8_s(f, tk));
        f = i16x8.add(v128.load(a, 16), v128.load(a, 20));
        l1 = i32x4.add(l1, i32x4.extmul_low_i16x8_s(f, tk));
        h1 = i32x4.add(h1, i32x4.extmul_high_i16x8_s(f, tk));
      }
      // Round half to even like OpenCV's float-to-u8 conversion (ties are real for the exact small kernels).
      l0 = i32x4.shr_s(i32x4.add(i32x4.add(l0, half21), v128.and(i32x4.shr_s(l0, 21), one)), 21);
      h0 = i32x4.shr_s(i32x4.add(i32x4.add(h0, half21), v128.and(i32x4.shr_s(h0, 21), one)), 21);
      l1 = i32x4.shr_s(i32x4.add(i32x4.add(l1, half21), v128.and(i32x4.shr_s(l1, 21), one)), 21);
      h1 = i32x4.shr_s(i32x4.add(i32x4.add(h1, half21), v128.and(i32x4.shr_s(h1, 21), one)), 21);
      v128.store(mean + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(l0, h0), i16x8.narrow_i32x4_s(l1, h1)));
    }
    for (; x < w; x++) {
      const base = line + (<usize>x << 1);
      let s = <i32>load<i16>(base + (<usize>r << 1)) * tapC;
      for (let k = 0; k < r; k++) {
        s += (<i32>load<i16>(base + (<usize>k << 1)) + <i32>load<i16>(base + (<usize>(2 * r - k) << 1))) * load<i32>(taps + (<usize>k << 2));
      }
      store<u8>(mean + <usize>x, <u8>((s + (1 << 20) - 1 + ((s >> 21) & 1)) >> 21));
    }
    const off = <usize>y * <usize>w;
    thresholdAgainstMean(src + off, mean, dst + off, w, t, inverse);
  }
}
