// Kernel family: edges. Sobel 3×3 into i16 (OpenCV's Sobel, CV_16S) and Canny (OpenCV's algorithm).
//
// Both are separable and run one row at a time: a vertical 3-tap pass over three source rows into an
// i16 row buffer (16 pixels per step), then a horizontal 3-tap pass over that buffer (8 per step).
// The row buffer carries one padding element on each side, filled by the border rule, so the SIMD
// loops need no border cases.

/** OpenCV's BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba), Sobel's default. */
export const BORDER_REFLECT_101 = 0;
/** OpenCV's BORDER_REPLICATE (aaaaaa|abcdefgh|hhhhhhh), what Canny uses for its gradients. */
export const BORDER_REPLICATE = 1;

// Tap sets of the 3×3 Sobel factors: 0 = [1 2 1] (smoothing), 1 = [-1 0 1] (first derivative),
// 2 = [1 -2 1] (second derivative).
const SMOOTH = 0;
const FIRST = 1;

/** Bytes of one padded i16 row buffer for width w (8 elements of slack on each side). */
@inline function rowBytes16(w: i32): usize {
  return <usize>((w + 16) * 2 + 15) & ~(<usize>15);
}

/** Bytes of one padded i32 row buffer for width w. */
@inline function rowBytes32(w: i32): usize {
  return <usize>((w + 16) * 4 + 15) & ~(<usize>15);
}

/** Index of source row y + d under the border rule. */
@inline function borderRow(y: i32, d: i32, h: i32, border: i32): i32 {
  const r = y + d;
  if (r >= 0 && r < h) return r;
  if (border == BORDER_REPLICATE || h == 1) return r < 0 ? 0 : h - 1;
  return r < 0 ? 1 : h - 2;
}

/** t[x] = taps(kind) · (r0[x], r1[x], r2[x]) for x in [0, w), as i16. */
function verticalPass(kind: i32, r0: usize, r1: usize, r2: usize, t: usize, w: i32): void {
  const vEnd = w & ~15;
  let x = 0;
  for (; x < vEnd; x += 16) {
    const a = v128.load(r0 + <usize>x);
    const b = v128.load(r1 + <usize>x);
    const c = v128.load(r2 + <usize>x);
    const aLo = i16x8.extend_low_i8x16_u(a);
    const aHi = i16x8.extend_high_i8x16_u(a);
    const cLo = i16x8.extend_low_i8x16_u(c);
    const cHi = i16x8.extend_high_i8x16_u(c);
    let lo: v128;
    let hi: v128;
    if (kind == FIRST) {
      lo = i16x8.sub(cLo, aLo);
      hi = i16x8.sub(cHi, aHi);
    } else {
      const b2Lo = i16x8.shl(i16x8.extend_low_i8x16_u(b), 1);
      const b2Hi = i16x8.shl(i16x8.extend_high_i8x16_u(b), 1);
      if (kind == SMOOTH) {
        lo = i16x8.add(i16x8.add(aLo, cLo), b2Lo);
        hi = i16x8.add(i16x8.add(aHi, cHi), b2Hi);
      } else {
        lo = i16x8.sub(i16x8.add(aLo, cLo), b2Lo);
        hi = i16x8.sub(i16x8.add(aHi, cHi), b2Hi);
      }
    }
    v128.store(t + (<usize>x << 1), lo);
    v128.store(t + (<usize>x << 1), hi, 16);
  }
  for (; x < w; x++) {
    const a = <i32>load<u8>(r0 + <usize>x);
    const b = <i32>load<u8>(r1 + <usize>x);
    const c = <i32>load<u8>(r2 + <usize>x);
    const v = kind == FIRST ? c - a : kind == SMOOTH ? a + 2 * b + c : a - 2 * b + c;
    store<i16>(t + (<usize>x << 1), <i16>v);
  }
}

/** Fills t[-1] and t[w] by the border rule (the vertical pass is per column, so this pads the image). */
@inline function padRow(t: usize, w: i32, border: i32): void {
  const last = t + (<usize>(w - 1) << 1);
  if (border == BORDER_REPLICATE || w == 1) {
    store<i16>(t - 2, load<i16>(t));
    store<i16>(last + 2, load<i16>(last));
  } else {
    store<i16>(t - 2, load<i16>(t + 2));
    store<i16>(last + 2, load<i16>(last - 2));
  }
}

/** out[x] = taps(kind) · (t[x-1], t[x], t[x+1]) for x in [0, w), as i16. */
function horizontalPass(kind: i32, t: usize, out: usize, w: i32): void {
  const vEnd = w & ~7;
  let x = 0;
  for (; x < vEnd; x += 8) {
    const p = t + (<usize>x << 1);
    const l = v128.load(p - 2);
    const r = v128.load(p + 2);
    let v: v128;
    if (kind == FIRST) v = i16x8.sub(r, l);
    else if (kind == SMOOTH) v = i16x8.add(i16x8.add(l, r), i16x8.shl(v128.load(p), 1));
    else v = i16x8.sub(i16x8.add(l, r), i16x8.shl(v128.load(p), 1));
    v128.store(out + (<usize>x << 1), v);
  }
  for (; x < w; x++) {
    const p = t + (<usize>x << 1);
    const l = <i32>load<i16>(p - 2);
    const c = <i32>load<i16>(p);
    const r = <i32>load<i16>(p + 2);
    const v = kind == FIRST ? r - l : kind == SMOOTH ? l + 2 * c + r : l - 2 * c + r;
    store<i16>(out + (<usize>x << 1), <i16>v);
  }
}

/** Bytes of the row scratch `sobel3x3` needs. */
export function sobelScratchBytes(w: i32): i32 {
  return <i32>rowBytes16(w);
}

/**
 * Sobel 3×3 of a u8 image into i16, OpenCV's Sobel(src, CV_16S, dx, dy, 3, 1, 0, border):
 * the vertical factor is taps(dy), the horizontal one taps(dx). No saturation is needed: |result| ≤ 2040.
 */
export function sobel3x3(src: usize, dst: usize, w: i32, h: i32, dx: i32, dy: i32, border: i32, scratch: usize): void {
  const t = scratch + 16; // t[-1] at scratch + 14
  for (let y = 0; y < h; y++) {
    const r0 = src + <usize>borderRow(y, -1, h, border) * <usize>w;
    const r1 = src + <usize>y * <usize>w;
    const r2 = src + <usize>borderRow(y, 1, h, border) * <usize>w;
    verticalPass(dy, r0, r1, r2, t, w);
    padRow(t, w, border);
    horizontalPass(dx, t, dst + ((<usize>y * <usize>w) << 1), w);
  }
}

// ---- Canny ----
//
// OpenCV's Canny (aperture 3): gradients by Sobel with BORDER_REPLICATE, magnitude |dx| + |dy| (or
// dx² + dy²), non-maximum suppression along one of 4 directions chosen with the integer tangent test
// |dy|·2¹⁵ vs |dx|·round(tan 22.5°·2¹⁵) (and tan 67.5° = tan 22.5° + 2), magnitudes outside the image
// counting as 0; then hysteresis: a candidate (suppression survivor above `low`) is an edge when it is
// 8-connected through candidates to one above `high`. The outcome does not depend on the visiting order,
// so a plain stack gives OpenCV's result exactly.
//
// Map codes, one byte per pixel with a 1-pixel frame of 0: 0 = not a candidate, 1 = weak candidate,
// 2 = edge. The stack holds map addresses.

const TG22: i32 = 13573; // (int)(tan(22.5°) · 2¹⁵ + 0.5)

/** Row stride of the Canny map: the frame plus slack for 8/16-lane stores past the last pixel. */
export function cannyMapStride(w: i32): i32 {
  return (w + 2 + 16 + 15) & ~15;
}

/** Bytes of the row scratch `canny` needs. */
export function cannyScratchBytes(w: i32): i32 {
  // tS, tD (i16) + dx, dy rings of 3 (i16) + magnitude ring of 3 and a zero row (i32 wide)
  return <i32>(rowBytes16(w) * 8 + rowBytes32(w) * 4);
}

/**
 * Canny edges of a u8 image into a 0/255 mask. `low`, `high` are OpenCV's integer thresholds after its
 * conversion (floored; squared for L2), clamped by the host to the magnitude's range.
 * `map` holds cannyMapStride(w) * (h + 2) bytes, `stack` w * h i32.
 */
export function canny(src: usize, dst: usize, w: i32, h: i32, low: i32, high: i32, l2: bool, scratch: usize, map: usize, stack: usize): void {
  const r16 = rowBytes16(w);
  const r32 = rowBytes32(w);
  const tS = scratch + 16;
  const tD = tS + r16;
  const dxRing = scratch + r16 * 2 + 16;
  const dyRing = scratch + r16 * 5 + 16;
  const magRing = scratch + r16 * 8 + 16;
  const zeroRow = magRing + r32 * 3;
  const ms = <usize>cannyMapStride(w);
  memory.fill(zeroRow - 16, 0, r32);
  memory.fill(map, 0, ms); // top frame row
  memory.fill(map + ms * <usize>(h + 1), 0, ms); // bottom frame row
  let sp = 0; // stack size
  for (let y = 0; y <= h; y++) {
    if (y < h) {
      const slot = <usize>(y % 3);
      const r0 = src + <usize>borderRow(y, -1, h, BORDER_REPLICATE) * <usize>w;
      const r1 = src + <usize>y * <usize>w;
      const r2 = src + <usize>borderRow(y, 1, h, BORDER_REPLICATE) * <usize>w;
      verticalPass(SMOOTH, r0, r1, r2, tS, w);
      verticalPass(FIRST, r0, r1, r2, tD, w);
      padRow(tS, w, BORDER_REPLICATE);
      padRow(tD, w, BORDER_REPLICATE);
      const dxRow = dxRing + slot * r16;
      const dyRow = dyRing + slot * r16;
      horizontalPass(FIRST, tS, dxRow, w);
      horizontalPass(SMOOTH, tD, dyRow, w);
      magnitudeRow(dxRow, dyRow, magRing + slot * r32, w, l2);
    }
    if (y == 0) continue;
    // Non-maximum suppression of row c = y - 1.
    const c = y - 1;
    const cs = <usize>(c % 3);
    const prev = c == 0 ? zeroRow : magRing + <usize>((c + 2) % 3) * r32;
    const next = y == h ? zeroRow : magRing + <usize>(y % 3) * r32;
    const mapRow = map + ms * <usize>y + 1;
    if (l2) sp = suppressRowL2(magRing + cs * r32, prev, next, dxRing + cs * r16, dyRing + cs * r16, mapRow, w, low, high, stack, sp);
    else sp = suppressRowL1(magRing + cs * r32, prev, next, dxRing + cs * r16, dyRing + cs * r16, mapRow, w, low, high, stack, sp);
    // Frame columns (the vector stores may have written past the row's last pixel).
    store<u8>(mapRow - 1, 0);
    store<u8>(mapRow + <usize>w, 0);
  }
  hysteresis(ms, stack, sp);
  // Edges → 255.
  const two = i8x16.splat(2);
  const vEnd = w & ~15;
  for (let y = 0; y < h; y++) {
    const m = map + ms * <usize>(y + 1) + 1;
    const d = dst + <usize>y * <usize>w;
    let x = 0;
    for (; x < vEnd; x += 16) v128.store(d + <usize>x, i8x16.eq(v128.load(m + <usize>x), two));
    for (; x < w; x++) store<u8>(d + <usize>x, load<u8>(m + <usize>x) == 2 ? 255 : 0);
  }
}

/** Gradient magnitude of one row: |dx| + |dy| as i16, or dx² + dy² as i32; zero at [-1] and [w, w+8). */
function magnitudeRow(dxRow: usize, dyRow: usize, mag: usize, w: i32, l2: bool): void {
  let x = 0;
  if (!l2) {
    const vEnd = w & ~7;
    for (; x < vEnd; x += 8) {
      const o = <usize>x << 1;
      v128.store(mag + o, i16x8.add(i16x8.abs(v128.load(dxRow + o)), i16x8.abs(v128.load(dyRow + o))));
    }
    for (; x < w; x++) {
      const o = <usize>x << 1;
      store<i16>(mag + o, <i16>(abs(<i32>load<i16>(dxRow + o)) + abs(<i32>load<i16>(dyRow + o))));
    }
    store<i16>(mag - 2, 0);
    v128.store(mag + (<usize>w << 1), i16x8.splat(0));
  } else {
    const vEnd = w & ~7;
    for (; x < vEnd; x += 8) {
      const gx = v128.load(dxRow + (<usize>x << 1));
      const gy = v128.load(dyRow + (<usize>x << 1));
      const lo = i32x4.add(i32x4.extmul_low_i16x8_s(gx, gx), i32x4.extmul_low_i16x8_s(gy, gy));
      const hi = i32x4.add(i32x4.extmul_high_i16x8_s(gx, gx), i32x4.extmul_high_i16x8_s(gy, gy));
      v128.store(mag + (<usize>x << 2), lo);
      v128.store(mag + (<usize>x << 2), hi, 16);
    }
    for (; x < w; x++) {
      const gx = <i32>load<i16>(dxRow + (<usize>x << 1));
      const gy = <i32>load<i16>(dyRow + (<usize>x << 1));
      store<i32>(mag + (<usize>x << 2), gx * gx + gy * gy);
    }
    store<i32>(mag - 4, 0);
    v128.store(mag + (<usize>w << 2), i32x4.splat(0));
    v128.store(mag + (<usize>w << 2), i32x4.splat(0), 16);
  }
}

/** Pushes the map offsets of the strong lanes (bit j of `bits` → pixel x + j) that lie inside the row. */
@inline function pushStrong(bits: i32, x: i32, w: i32, mapRow: usize, stack: usize, sp: i32): i32 {
  let b = bits;
  while (b != 0) {
    const j = ctz(b);
    b &= b - 1;
    if (x + j < w) {
      store<i32>(stack + (<usize>sp << 2), <i32>mapRow + x + j);
      sp++;
    }
  }
  return sp;
}

/**
 * Non-maximum suppression of one row with L1 magnitudes (i16 lanes, 8 pixels per step). Writes map codes
 * for the row and pushes its strong pixels; returns the new stack size.
 */
function suppressRowL1(cur: usize, prev: usize, next: usize, dxRow: usize, dyRow: usize, mapRow: usize, w: i32, low: i32, high: i32, stack: usize, sp: i32): i32 {
  const lowV = i16x8.splat(<i16>low);
  const highV = i16x8.splat(<i16>high);
  const tg22 = i16x8.splat(<i16>TG22);
  const zero = i16x8.splat(0);
  const one = i16x8.splat(1);
  for (let x = 0; x < w; x += 8) {
    const o = <usize>x << 1;
    const m = v128.load(cur + o);
    const above = i16x8.gt_s(m, lowV);
    if (!v128.any_true(above)) {
      v128.store64_lane(mapRow + <usize>x, zero, 0);
      continue;
    }
    const xs = v128.load(dxRow + o);
    const ys = v128.load(dyRow + o);
    const ax = i16x8.abs(xs);
    const ay = i16x8.abs(ys);
    // y < tg22x: horizontal gradient class (compare with the left/right neighbours) ...
    const ayLo = i32x4.shl(i32x4.extend_low_i16x8_s(ay), 15);
    const ayHi = i32x4.shl(i32x4.extend_high_i16x8_s(ay), 15);
    const t22Lo = i32x4.extmul_low_i16x8_s(ax, tg22);
    const t22Hi = i32x4.extmul_high_i16x8_s(ax, tg22);
    const t67Lo = i32x4.add(t22Lo, i32x4.shl(i32x4.extend_low_i16x8_s(ax), 16));
    const t67Hi = i32x4.add(t22Hi, i32x4.shl(i32x4.extend_high_i16x8_s(ax), 16));
    const horiz = i16x8.narrow_i32x4_s(i32x4.lt_s(ayLo, t22Lo), i32x4.lt_s(ayHi, t22Hi));
    // ... y > tg67x: vertical class; otherwise diagonal, the side given by the signs of dx and dy.
    const vert = i16x8.narrow_i32x4_s(i32x4.gt_s(ayLo, t67Lo), i32x4.gt_s(ayHi, t67Hi));
    const hOK = v128.and(i16x8.gt_s(m, v128.load(cur + o - 2)), i16x8.ge_s(m, v128.load(cur + o + 2)));
    const vOK = v128.and(i16x8.gt_s(m, v128.load(prev + o)), i16x8.ge_s(m, v128.load(next + o)));
    const d1 = v128.and(i16x8.gt_s(m, v128.load(prev + o - 2)), i16x8.gt_s(m, v128.load(next + o + 2)));
    const d2 = v128.and(i16x8.gt_s(m, v128.load(prev + o + 2)), i16x8.gt_s(m, v128.load(next + o - 2)));
    const same = i16x8.ge_s(v128.xor(xs, ys), zero);
    const ok = v128.bitselect(hOK, v128.bitselect(vOK, v128.bitselect(d1, d2, same), vert), horiz);
    const cand = v128.and(ok, above);
    const strong = v128.and(cand, i16x8.gt_s(m, highV));
    const code = i16x8.add(v128.and(cand, one), v128.and(strong, one));
    v128.store64_lane(mapRow + <usize>x, i8x16.narrow_i16x8_u(code, code), 0);
    const bits = i16x8.bitmask(strong);
    if (bits != 0) sp = pushStrong(bits, x, w, mapRow, stack, sp);
  }
  return sp;
}

/** Same as suppressRowL1 with i32 magnitudes (dx² + dy²), 4 pixels per step. */
function suppressRowL2(cur: usize, prev: usize, next: usize, dxRow: usize, dyRow: usize, mapRow: usize, w: i32, low: i32, high: i32, stack: usize, sp: i32): i32 {
  const lowV = i32x4.splat(low);
  const highV = i32x4.splat(high);
  const tg22 = i32x4.splat(TG22);
  const zero = i32x4.splat(0);
  const one = i32x4.splat(1);
  for (let x = 0; x < w; x += 4) {
    const o = <usize>x << 2;
    const m = v128.load(cur + o);
    const above = i32x4.gt_s(m, lowV);
    if (!v128.any_true(above)) {
      v128.store32_lane(mapRow + <usize>x, zero, 0);
      continue;
    }
    const xs = v128.load16x4_s(dxRow + (<usize>x << 1));
    const ys = v128.load16x4_s(dyRow + (<usize>x << 1));
    const ax = i32x4.abs(xs);
    const ay = i32x4.shl(i32x4.abs(ys), 15);
    const t22 = i32x4.mul(ax, tg22);
    const t67 = i32x4.add(t22, i32x4.shl(ax, 16));
    const horiz = i32x4.lt_s(ay, t22);
    const vert = i32x4.gt_s(ay, t67);
    const hOK = v128.and(i32x4.gt_s(m, v128.load(cur + o - 4)), i32x4.ge_s(m, v128.load(cur + o + 4)));
    const vOK = v128.and(i32x4.gt_s(m, v128.load(prev + o)), i32x4.ge_s(m, v128.load(next + o)));
    const d1 = v128.and(i32x4.gt_s(m, v128.load(prev + o - 4)), i32x4.gt_s(m, v128.load(next + o + 4)));
    const d2 = v128.and(i32x4.gt_s(m, v128.load(prev + o + 4)), i32x4.gt_s(m, v128.load(next + o - 4)));
    const same = i32x4.ge_s(v128.xor(xs, ys), zero);
    const ok = v128.bitselect(hOK, v128.bitselect(vOK, v128.bitselect(d1, d2, same), vert), horiz);
    const cand = v128.and(ok, above);
    const strong = v128.and(cand, i32x4.gt_s(m, highV));
    const code = i32x4.add(v128.and(cand, one), v128.and(strong, one));
    const c16 = i16x8.narrow_i32x4_u(code, code);
    v128.store32_lane(mapRow + <usize>x, i8x16.narrow_i16x8_u(c16, c16), 0);
    const bits = i32x4.bitmask(strong);
    if (bits != 0) sp = pushStrong(bits, x, w, mapRow, stack, sp);
  }
  return sp;
}

/** Grows edges from the strong pixels on the stack through 8-connected weak candidates. */
function hysteresis(ms: usize, stack: usize, sp0: i32): void {
  let sp = sp0;
  const up = <i32>ms;
  while (sp > 0) {
    sp--;
    const p = load<i32>(stack + (<usize>sp << 2));
    sp = visit(p - up - 1, stack, sp);
    sp = visit(p - up, stack, sp);
    sp = visit(p - up + 1, stack, sp);
    sp = visit(p - 1, stack, sp);
    sp = visit(p + 1, stack, sp);
    sp = visit(p + up - 1, stack, sp);
    sp = visit(p + up, stack, sp);
    sp = visit(p + up + 1, stack, sp);
  }
}

@inline function visit(q: i32, stack: usize, sp: i32): i32 {
  const a = <usize>q;
  if (load<u8>(a) == 1) {
    store<u8>(a, 2);
    store<i32>(stack + (<usize>sp << 2), q);
    return sp + 1;
  }
  return sp;
}
