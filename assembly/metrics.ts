// Kernel family: segmentation metrics. Masks follow the project rule: nonzero = foreground.

/**
 * Binary confusion counts of `pred` against `truth` in one SIMD pass.
 * Writes [tp, fp, fn] as u32 at `out` (tn = n - tp - fp - fn).
 */
export function confusionBinary(pred: usize, truth: usize, n: i32, out: usize): void {
  const zero = i8x16.splat(0);
  let tp: u32 = 0;
  let fp: u32 = 0;
  let fn: u32 = 0;
  let i = 0;
  const end = n & ~15;
  // Byte lanes count up to 255 before they must be widened into the 32-bit totals.
  while (i < end) {
    const blockEnd = min(end, i + 255 * 16);
    let accTp = zero;
    let accFp = zero;
    let accFn = zero;
    for (; i < blockEnd; i += 16) {
      const p = v128.not(i8x16.eq(v128.load(pred + <usize>i), zero)); // 0xFF where predicted
      const t = v128.not(i8x16.eq(v128.load(truth + <usize>i), zero)); // 0xFF where true
      accTp = i8x16.sub(accTp, v128.and(p, t)); // subtracting -1 adds 1
      accFp = i8x16.sub(accFp, v128.andnot(p, t));
      accFn = i8x16.sub(accFn, v128.andnot(t, p));
    }
    tp += horizontalSumU8(accTp);
    fp += horizontalSumU8(accFp);
    fn += horizontalSumU8(accFn);
  }
  for (; i < n; i++) {
    const p = load<u8>(pred + <usize>i) != 0;
    const t = load<u8>(truth + <usize>i) != 0;
    if (p && t) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  store<u32>(out, tp);
  store<u32>(out, fp, 4);
  store<u32>(out, fn, 8);
}

@inline function horizontalSumU8(v: v128): u32 {
  const s32 = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v));
  return <u32>(i32x4.extract_lane(s32, 0) + i32x4.extract_lane(s32, 1) + i32x4.extract_lane(s32, 2) + i32x4.extract_lane(s32, 3));
}

/**
 * Multi-class confusion matrix (row = truth class, column = predicted class) of two label maps
 * with values < classes, accumulated into u32 counts at `matrix` (classes × classes, zeroed here).
 * Returns the number of pixels whose label is >= classes in either map (those are not counted).
 */
export function confusionMulti(pred: usize, truth: usize, n: i32, classes: i32, matrix: usize): i32 {
  memory.fill(matrix, 0, <usize>(classes * classes * 4));
  let invalid = 0;
  for (let i = 0; i < n; i++) {
    const p = <i32>load<u8>(pred + <usize>i);
    const t = <i32>load<u8>(truth + <usize>i);
    if (p >= classes || t >= classes) {
      invalid++;
      continue;
    }
    const cell = matrix + <usize>((t * classes + p) << 2);
    store<u32>(cell, load<u32>(cell) + 1);
  }
  return invalid;
}

/** Largest byte value in `src` (to check label maps against the class count). */
export function maxByte(src: usize, n: i32): i32 {
  let acc = i8x16.splat(0);
  let i = 0;
  const end = n & ~15;
  for (; i < end; i += 16) acc = v128.max<u8>(acc, v128.load(src + <usize>i));
  // extract_lane needs constant lanes: fold the 16 lanes by shuffles.
  acc = v128.max<u8>(acc, i8x16.shuffle(acc, acc, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
  acc = v128.max<u8>(acc, i8x16.shuffle(acc, acc, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3));
  acc = v128.max<u8>(acc, i8x16.shuffle(acc, acc, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1));
  acc = v128.max<u8>(acc, i8x16.shuffle(acc, acc, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0));
  let m = <i32>i8x16.extract_lane_u(acc, 0);
  for (; i < n; i++) m = max(m, <i32>load<u8>(src + <usize>i));
  return m;
}

/**
 * Surface (edge) pixels of a mask, as MONAI and scipy define them: foreground pixels removed by a
 * binary erosion with the 4-connected cross and border value 0 — i.e. foreground pixels with a
 * background 4-neighbour or on the image border. Writes 1/0 bytes; returns the edge count.
 */
export function surfaceEdges(src: usize, dst: usize, w: i32, h: i32): i32 {
  let count = 0;
  const zero = i8x16.splat(0);
  const one = i8x16.splat(1);
  for (let y = 0; y < h; y++) {
    const row = src + <usize>(y * w);
    const out = dst + <usize>(y * w);
    if (y == 0 || y == h - 1 || w <= 2) {
      for (let x = 0; x < w; x++) {
        const e: u8 = load<u8>(row + <usize>x) != 0 ? 1 : 0;
        store<u8>(out + <usize>x, e);
        count += e;
      }
      continue;
    }
    count += edgeAt(row, out, w, 0);
    let x = 1;
    let acc = zero;
    let steps = 0;
    for (; x + 16 < w; x += 16) {
      const p = row + <usize>x;
      const fg = v128.not(i8x16.eq(v128.load(p), zero));
      // A foreground pixel is interior when all four neighbours are foreground.
      const hole = v128.or(
        v128.or(i8x16.eq(v128.load(p - 1), zero), i8x16.eq(v128.load(p + 1), zero)),
        v128.or(i8x16.eq(v128.load(p - <usize>w), zero), i8x16.eq(v128.load(p + <usize>w), zero)),
      );
      const e = v128.and(v128.and(fg, hole), one);
      v128.store(out + <usize>x, e);
      acc = i8x16.add(acc, e);
      if (++steps == 255) {
        count += <i32>horizontalSumU8(acc);
        acc = zero;
        steps = 0;
      }
    }
    count += <i32>horizontalSumU8(acc);
    for (; x < w; x++) count += edgeAt(row, out, w, x);
  }
  return count;
}

@inline function edgeAt(row: usize, out: usize, w: i32, x: i32): i32 {
  let e: u8 = 0;
  if (load<u8>(row + <usize>x) != 0) {
    if (x == 0 || x == w - 1) e = 1;
    else if (
      load<u8>(row + <usize>(x - 1)) == 0 || load<u8>(row + <usize>(x + 1)) == 0 ||
      load<u8>(row - <usize>w + <usize>x) == 0 || load<u8>(row + <usize>w + <usize>x) == 0
    ) e = 1;
  }
  store<u8>(out + <usize>x, e);
  return e;
}

/**
 * Summary of `n` f32 distances at `values`, written as f64 at `out`: [max, sum, count <= tolerance,
 * percentile]. The percentile is numpy's linear interpolation, found by quickselect (the values
 * are reordered in place), so no sort is needed.
 */
export function summarizeDistances(values: usize, n: i32, tolerance: f64, percentile: f64, out: usize): void {
  let maxV: f64 = 0;
  let sum: f64 = 0;
  let within: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = <f64>load<f32>(values + <usize>(i << 2));
    if (d > maxV) maxV = d;
    sum += d;
    if (d <= tolerance) within += 1;
  }
  const pos = (percentile / 100) * <f64>(n - 1);
  const lo = <i32>Math.floor(pos);
  const loValue = <f64>selectKth(values, n, lo);
  let hiValue = loValue;
  if (lo + 1 < n) {
    // After selection every element right of `lo` is >= it: the next order statistic is their minimum.
    hiValue = Infinity;
    for (let i = lo + 1; i < n; i++) hiValue = min(hiValue, <f64>load<f32>(values + <usize>(i << 2)));
  }
  store<f64>(out, maxV);
  store<f64>(out, sum, 8);
  store<f64>(out, within, 16);
  store<f64>(out, loValue + (hiValue - loValue) * (pos - <f64>lo), 24);
}

/** Hoare quickselect: reorders `values` so index k holds the k-th smallest; returns it. */
function selectKth(values: usize, n: i32, k: i32): f32 {
  let left = 0;
  let right = n - 1;
  while (left < right) {
    const pivot = load<f32>(values + <usize>(((left + right) >>> 1) << 2));
    let i = left;
    let j = right;
    while (i <= j) {
      while (load<f32>(values + <usize>(i << 2)) < pivot) i++;
      while (load<f32>(values + <usize>(j << 2)) > pivot) j--;
      if (i <= j) {
        const a = values + <usize>(i << 2);
        const b = values + <usize>(j << 2);
        const t = load<f32>(a);
        store<f32>(a, load<f32>(b));
        store<f32>(b, t);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return load<f32>(values + <usize>(k << 2));
}

const FAR: u16 = 0xffff;

/**
 * For every pixel, the vertical distance (in rows) to the nearest nonzero pixel of `edges` in the
 * same column, or 0xFFFF when the column has none. Two sweeps, 8 columns per SIMD step.
 */
export function columnDistances(edges: usize, dist: usize, w: i32, h: i32): void {
  const one = i16x8.splat(1);
  const far = i16x8.splat(<i16>FAR);
  const zero = i16x8.splat(0);
  let x = 0;
  for (; x + 8 <= w; x += 8) {
    let d = far;
    for (let y = 0; y < h; y++) {
      const e = i16x8.extend_low_i8x16_u(v128.load64_zero(edges + <usize>(y * w + x)));
      d = v128.bitselect(zero, i16x8.add_sat_u(d, one), i16x8.ne(e, zero));
      v128.store(dist + <usize>((y * w + x) << 1), d);
    }
    d = far;
    for (let y = h - 1; y >= 0; y--) {
      const p = dist + <usize>((y * w + x) << 1);
      d = v128.min<u16>(v128.load(p), i16x8.add_sat_u(d, one));
      v128.store(p, d);
    }
  }
  for (; x < w; x++) {
    let d: u32 = FAR;
    for (let y = 0; y < h; y++) {
      d = load<u8>(edges + <usize>(y * w + x)) != 0 ? 0 : min<u32>(d + 1, FAR);
      store<u16>(dist + <usize>((y * w + x) << 1), <u16>d);
    }
    d = FAR;
    for (let y = h - 1; y >= 0; y--) {
      const p = dist + <usize>((y * w + x) << 1);
      d = min<u32>(<u32>load<u16>(p), min<u32>(d + 1, FAR));
      store<u16>(p, <u16>d);
    }
  }
}

/**
 * Euclidean distance from every nonzero pixel of `from` to the nearest pixel counted in `columns`
 * (the output of columnDistances of the other mask's edges), with pixel spacing (sx, sy).
 * Writes one f32 per `from` pixel in raster order at `out`; returns how many were written.
 * The search walks outward from the pixel's column and stops once the horizontal offset alone
 * exceeds the best distance so far, so close surfaces cost a few steps per pixel.
 */
export function surfaceDistances(from: usize, columns: usize, w: i32, h: i32, sx: f64, sy: f64, out: usize): i32 {
  let count = 0;
  const unit = sx == 1 && sy == 1;
  const zero = i8x16.splat(0);
  for (let y = 0; y < h; y++) {
    const rowCols = columns + <usize>((y * w) << 1);
    const row = from + <usize>(y * w);
    // Surfaces are sparse: find set pixels 16 at a time through a bitmask.
    for (let x0 = 0; x0 < w; x0 += 16) {
      let bits: u32;
      if (x0 + 16 <= w) bits = <u32>i8x16.bitmask(v128.not(i8x16.eq(v128.load(row + <usize>x0), zero)));
      else {
        bits = 0;
        for (let j = 0; j < w - x0; j++) if (load<u8>(row + <usize>(x0 + j)) != 0) bits |= 1 << j;
      }
      while (bits != 0) {
        const x = x0 + <i32>ctz(bits);
        bits &= bits - 1;
        const d = unit ? Math.sqrt(<f64>nearestSquaredUnit(rowCols, w, x)) : Math.sqrt(nearestSquared(rowCols, w, x, sx, sy));
        store<f32>(out + <usize>(count << 2), <f32>d);
        count++;
      }
    }
  }
  return count;
}

/** Squared distance from column x of this row to the nearest surface pixel, with pixel spacing (sx, sy). */
@inline function nearestSquared(rowCols: usize, w: i32, x: i32, sx: f64, sy: f64): f64 {
  let best = Infinity;
  const g0 = <u32>load<u16>(rowCols + <usize>(x << 1));
  if (g0 != FAR) best = <f64>g0 * sy * (<f64>g0 * sy);
  for (let k = 1; k < w; k++) {
    const dx = <f64>k * sx;
    const dx2 = dx * dx;
    if (dx2 >= best) break;
    const left = x - k;
    const right = x + k;
    if (left < 0 && right >= w) break;
    if (left >= 0) {
      const g = <u32>load<u16>(rowCols + <usize>(left << 1));
      if (g != FAR) {
        const dy = <f64>g * sy;
        best = min(best, dx2 + dy * dy);
      }
    }
    if (right < w) {
      const g = <u32>load<u16>(rowCols + <usize>(right << 1));
      if (g != FAR) {
        const dy = <f64>g * sy;
        best = min(best, dx2 + dy * dy);
      }
    }
  }
  return best;
}

/** The same outward search in exact integer arithmetic, for unit pixel spacing (the common case). */
@inline function nearestSquaredUnit(rowCols: usize, w: i32, x: i32): i64 {
  let best: i64 = i64.MAX_VALUE;
  const g0 = <i64>load<u16>(rowCols + <usize>(x << 1));
  if (g0 != <i64>FAR) best = g0 * g0;
  for (let k = 1; k < w; k++) {
    const dx2 = <i64>k * <i64>k;
    if (dx2 >= best) break;
    const left = x - k;
    const right = x + k;
    if (left < 0 && right >= w) break;
    if (left >= 0) {
      const g = <i64>load<u16>(rowCols + <usize>(left << 1));
      if (g != <i64>FAR) best = min(best, dx2 + g * g);
    }
    if (right < w) {
      const g = <i64>load<u16>(rowCols + <usize>(right << 1));
      if (g != <i64>FAR) best = min(best, dx2 + g * g);
    }
  }
  return best;
}
