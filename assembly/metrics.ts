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
  for (let y = 0; y < h; y++) {
    const row = src + <usize>(y * w);
    const out = dst + <usize>(y * w);
    const border = y == 0 || y == h - 1;
    for (let x = 0; x < w; x++) {
      let e: u8 = 0;
      if (load<u8>(row + <usize>x) != 0) {
        if (border || x == 0 || x == w - 1) e = 1;
        else if (
          load<u8>(row + <usize>(x - 1)) == 0 || load<u8>(row + <usize>(x + 1)) == 0 ||
          load<u8>(row - <usize>w + <usize>x) == 0 || load<u8>(row + <usize>w + <usize>x) == 0
        ) e = 1;
      }
      store<u8>(out + <usize>x, e);
      count += e;
    }
  }
  return count;
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
  for (let y = 0; y < h; y++) {
    const rowCols = columns + <usize>((y * w) << 1);
    for (let x = 0; x < w; x++) {
      if (load<u8>(from + <usize>(y * w + x)) == 0) continue;
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
      store<f32>(out + <usize>(count << 2), <f32>Math.sqrt(best));
      count++;
    }
  }
  return count;
}
