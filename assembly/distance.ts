// Kernel family: distance. Exact Euclidean distance transform (Felzenszwalb–Huttenlocher, separable).
//
// Pass 1 (columns, SIMD over 16 columns): g[y][x] = distance from (x, y) down to the nearest target
// pixel above it in its column (u16, "none" = S). Pass 2 (rows, bottom to top): the upward half of the
// column pass is folded into the row loop (gRow = min(g[y], gRow + 1)), then the lower envelope of
// the parabolas (x - p)² + gRow[p]² gives the exact squared distance of every pixel of the row.
//
// Exactness: all arithmetic is integer. The envelope's breakpoints are kept as fractions num/den and
// compared by cross-multiplying (i64), so there is no division and no rounding anywhere.
// A column without any target pixel gets g = S = w + h instead of infinity: S² exceeds every real
// squared distance ((w-1)² + (h-1)²), so such a column never wins while any target exists, and all
// sums stay below 2³¹ (S ≤ 32768, so S² + w² ≤ 1.34e9).
//
// A row is split at its target pixels (g = 0): for x between two targets p1 < x < p2, a column outside
// [p1, p2] can never be nearer than p1 or p2, so each run of non-target pixels is solved on its own.

/** What OpenCV's DIST_MASK_PRECISE returns when the image has no zero pixel: sqrt(1e15f) as f32. */
const NO_TARGET_DISTANCE: f32 = 31622776.0;
/** Squared distance reported when there is no target pixel at all. */
const NO_TARGET_SQUARED: i32 = i32.MAX_VALUE;

/** Bytes of the per-row scratch `distanceTransformEdt` needs for a row of `w` pixels. */
export function distanceRowScratchBytes(w: i32): i32 {
  // gRow (u16, w + 8 zero padding) + v, key, znum, zden, idx (i32 each, w + 1)
  return ((w * 2 + 31) & ~15) + 5 * 4 * (w + 4);
}

/**
 * Exact Euclidean distance transform of a u8 mask.
 * `toForeground = false`: targets are zero pixels (OpenCV's distanceTransform: each nonzero pixel's
 * distance to the nearest zero pixel). `toForeground = true`: targets are nonzero pixels.
 * Writes f32 distances (or i32 squared distances with `squared`) to `dst` (w*h*4 bytes).
 * `colBuf` holds w*h u16; `rowBuf` holds distanceRowScratchBytes(w).
 * Returns 1 when at least one target pixel exists, else 0 (then every pixel gets the "no target" value).
 */
export function distanceTransformEdt(src: usize, dst: usize, w: i32, h: i32, toForeground: bool, squared: bool, colBuf: usize, rowBuf: usize): i32 {
  const S = w + h;
  const found = columnPass(src, colBuf, w, h, toForeground, S);
  const n = <usize>w * <usize>h;
  if (!found) {
    if (squared) fill32(dst, n, NO_TARGET_SQUARED);
    else fill32(dst, n, reinterpret<i32>(NO_TARGET_DISTANCE));
    return 0;
  }
  const gRow = rowBuf;
  const v = rowBuf + <usize>((w * 2 + 31) & ~15);
  const key = v + <usize>(4 * (w + 4));
  const znum = key + <usize>(4 * (w + 4));
  const zden = znum + <usize>(4 * (w + 4));
  const idx = zden + <usize>(4 * (w + 4));
  const rowBytes = <usize>w << 1;
  memory.copy(gRow, colBuf + <usize>(h - 1) * rowBytes, rowBytes);
  v128.store(gRow + rowBytes, i16x8.splat(0)); // zero padding: stops the target scan at w
  for (let y = h - 1; y >= 0; y--) {
    const gy = colBuf + <usize>y * rowBytes;
    if (y < h - 1) upStep(gy, gRow, w);
    const out = dst + ((<usize>y * <usize>w) << 2);
    envelopeRow(gRow, out, w, v, key, znum, zden, idx);
    if (!squared) sqrtRow(out, w);
  }
  return 1;
}

/** Downward half of the column pass: g[y] = target ? 0 : min(g[y-1] + 1, S). Returns whether any target exists. */
function columnPass(src: usize, g: usize, w: i32, h: i32, toForeground: bool, S: i32): bool {
  const sv = i16x8.splat(<i16>S);
  const one = i16x8.splat(1);
  const zero = i8x16.splat(0);
  const flip = toForeground ? i8x16.splat(-1) : i8x16.splat(0);
  const rowBytes = <usize>w << 1;
  let any = i8x16.splat(0);
  let anyScalar = false;
  const vEnd = w & ~15;
  for (let y = 0; y < h; y++) {
    const s = src + <usize>y * <usize>w;
    const gy = g + <usize>y * rowBytes;
    const gp = gy - rowBytes; // previous row (only read when y > 0)
    let x = 0;
    for (; x < vEnd; x += 16) {
      // isTarget: -1 where the pixel is a target.
      const isT = v128.xor(i8x16.eq(v128.load(s + <usize>x), zero), flip);
      any = v128.or(any, isT);
      const tLo = i16x8.extend_low_i8x16_s(isT);
      const tHi = i16x8.extend_high_i8x16_s(isT);
      let pLo = sv;
      let pHi = sv;
      if (y > 0) {
        pLo = i16x8.min_u(i16x8.add(v128.load(gp + (<usize>x << 1)), one), sv);
        pHi = i16x8.min_u(i16x8.add(v128.load(gp + (<usize>x << 1), 16), one), sv);
      }
      v128.store(gy + (<usize>x << 1), v128.andnot(pLo, tLo));
      v128.store(gy + (<usize>x << 1), v128.andnot(pHi, tHi), 16);
    }
    for (; x < w; x++) {
      const isT = (load<u8>(s + <usize>x) != 0) == toForeground;
      let val = S;
      if (isT) {
        val = 0;
        anyScalar = true;
      } else if (y > 0) {
        val = min(<i32>load<u16>(gp + (<usize>x << 1)) + 1, S);
      }
      store<u16>(gy + (<usize>x << 1), <u16>val);
    }
  }
  return anyScalar || v128.any_true(any);
}

/** Upward half of the column pass, one row: gRow = min(g[y], gRow + 1). */
@inline function upStep(gy: usize, gRow: usize, w: i32): void {
  const one = i16x8.splat(1);
  const vEnd = w & ~7;
  let x = 0;
  for (; x < vEnd; x += 8) {
    const o = <usize>x << 1;
    v128.store(gRow + o, i16x8.min_u(v128.load(gy + o), i16x8.add(v128.load(gRow + o), one)));
  }
  for (; x < w; x++) {
    const o = <usize>x << 1;
    store<u16>(gRow + o, <u16>min(<i32>load<u16>(gy + o), <i32>load<u16>(gRow + o) + 1));
  }
}

/** First x ≥ from with gRow[x] != 0, or w. gRow is zero-padded to w + 8. */
@inline function nextNonTarget(gRow: usize, from: i32, w: i32): i32 {
  let x = from;
  while (x < w) {
    const m = i16x8.bitmask(i16x8.ne(v128.load(gRow + (<usize>x << 1)), i16x8.splat(0)));
    if (m != 0) return x + ctz(m);
    x += 8;
  }
  return w;
}

/** First x ≥ from with gRow[x] == 0; the zero padding at w stops the scan there. */
@inline function nextTarget(gRow: usize, from: i32): i32 {
  let x = from;
  while (true) {
    const m = i16x8.bitmask(i16x8.eq(v128.load(gRow + (<usize>x << 1)), i16x8.splat(0)));
    if (m != 0) return x + ctz(m);
    x += 8;
  }
  return 0; // unreachable
}

/** out[from..to) = 0 (i32). */
@inline function zeroRange(out: usize, from: i32, to: i32): void {
  let x = from;
  const zero = i32x4.splat(0);
  for (; x + 4 <= to; x += 4) v128.store(out + (<usize>x << 2), zero);
  for (; x < to; x++) store<i32>(out + (<usize>x << 2), 0);
}

/** Squared distance of every pixel of one row from its column distances gRow (i32 into out). */
function envelopeRow(gRow: usize, out: usize, w: i32, v: usize, key: usize, znum: usize, zden: usize, idx: usize): void {
  let x = 0;
  while (x < w) {
    const a = nextNonTarget(gRow, x, w);
    zeroRange(out, x, a);
    if (a >= w) break;
    // A run [a, b) of non-target pixels; its neighbours a-1 and b (when inside) are targets.
    const b = min(nextTarget(gRow, a + 1), w);
    x = b;
    // A pixel next to a target in its row is at distance 1 (the minimum); runs of one or two
    // pixels between two targets need nothing else.
    if (a > 0 && b < w && b - a <= 2) {
      store<i32>(out + (<usize>a << 2), 1);
      store<i32>(out + (<usize>(b - 1) << 2), 1);
      continue;
    }
    const lo = a > 0 ? a - 1 : a;
    const hi = b < w ? b : b - 1;
    envelopeRun(gRow, out, lo, hi, a, b, v, key, znum, zden, idx);
  }
}

/**
 * Lower envelope of the parabolas over columns [lo, hi], evaluated at a..b-1 (exact, integer).
 *
 * FH keeps a stack of parabolas; breakpoint k (from where parabola k beats parabola k-1) is the
 * fraction znum[k] / zden[k] (zden > 0). Each new parabola q pops the top while its own breakpoint
 * against the top is at or before the top's breakpoint. On real masks q pops 0 or 1 parabola about
 * equally often, so to avoid a mispredicted branch per pixel and a store→load round trip, the top (T)
 * and the one below it (B) live in locals: both tests are computed, and selects pick the outcome.
 * Only a second pop (rare) takes the loop through memory. Stack slot 0 has the breakpoint -2³¹ / 1,
 * which never pops.
 */
@inline function envelopeRun(gRow: usize, out: usize, lo: i32, hi: i32, a: i32, b: i32, v: usize, key: usize, znum: usize, zden: usize, idx: usize): void {
  const g0 = <i64>load<u16>(gRow + (<usize>lo << 1));
  let k = 0; // stack index of T
  // i64 locals: the cross-multiplications need 64 bits, and converting per use costs instructions.
  let tV = <i64>lo, tKey = g0 * g0 + tV * tV, tNum = <i64>i32.MIN_VALUE, tDen: i64 = 1;
  let bV = tV, bKey = tKey, bNum = tNum, bDen = tDen; // B (meaningless while k = 0: T never pops then)
  for (let q = lo + 1; q <= hi; q++) {
    const gq = <i64>load<u16>(gRow + (<usize>q << 1));
    const q64 = <i64>q;
    const kq = gq * gq + q64 * q64;
    const numT = kq - tKey;
    const denT = (q64 - tV) << 1;
    const popT = numT * tDen <= tNum * denT;
    const numB = kq - bKey;
    const denB = (q64 - bV) << 1;
    // Bitwise, not &&: a short-circuit would bring back the unpredictable branch.
    const popB = <i32>popT & <i32>(numB * bDen <= bNum * denB);
    if (popB != 0) {
      // Two or more pops: T and B go, then pop from memory (slots below B) as long as needed.
      let j = k - 2;
      let num: i64 = 0;
      let den: i64 = 0;
      while (true) {
        const o = <usize>j << 2;
        num = kq - <i64>load<i32>(key + o);
        den = (q64 - <i64>load<i32>(v + o)) << 1;
        if (num * <i64>load<i32>(zden + o) <= <i64>load<i32>(znum + o) * den) {
          j--;
          continue;
        }
        break;
      }
      const o = <usize>j << 2;
      bV = <i64>load<i32>(v + o);
      bKey = <i64>load<i32>(key + o);
      bNum = <i64>load<i32>(znum + o);
      bDen = <i64>load<i32>(zden + o);
      k = j + 1;
      tV = q64;
      tKey = kq;
      tNum = num;
      tDen = den;
      continue;
    }
    // No pop: T moves down to B (stored at slot k) and q becomes T at k + 1.
    // One pop: T is dropped, B stays, q becomes T at slot k.
    const o = <usize>k << 2;
    store<i32>(v + o, <i32>tV);
    store<i32>(key + o, <i32>tKey);
    store<i32>(znum + o, <i32>tNum);
    store<i32>(zden + o, <i32>tDen);
    bV = select(bV, tV, popT);
    bKey = select(bKey, tKey, popT);
    bNum = select(bNum, tNum, popT);
    bDen = select(bDen, tDen, popT);
    k += 1 - <i32>popT;
    tV = q64;
    tKey = kq;
    tNum = select(numB, numT, popT);
    tDen = select(denB, denT, popT);
  }
  const ot = <usize>k << 2;
  store<i32>(v + ot, <i32>tV);
  store<i32>(key + ot, <i32>tKey);
  store<i32>(znum + ot, <i32>tNum);
  store<i32>(zden + ot, <i32>tDen);
  // Parabola k is the minimum from integer x = floor(z[k]) + 1 on. Scatter k at its first x (clamped
  // to [a, b]) and take the running maximum: no data-dependent branch per pixel.
  for (let x = a; x <= b; x++) store<i32>(idx + (<usize>x << 2), 0);
  for (let j = 1; j <= k; j++) {
    const o = <usize>j << 2;
    // floor(znum / zden) is exact in f64: a non-integer quotient lies ≥ 1/zden ≥ 2⁻¹⁶ from an
    // integer, far more than the rounding error (≤ 2³¹ · 2⁻⁵³).
    const t = <i32>Math.floor(<f64>load<i32>(znum + o) / <f64>load<i32>(zden + o)) + 1;
    store<i32>(idx + (<usize>min(max(t, a), b) << 2), j);
  }
  let cur = 0;
  for (let x = a; x < b; x++) {
    cur = max(cur, load<i32>(idx + (<usize>x << 2)));
    const p = load<i32>(v + (<usize>cur << 2));
    const gp = <i32>load<u16>(gRow + (<usize>p << 1));
    const d = x - p;
    store<i32>(out + (<usize>x << 2), d * d + gp * gp);
  }
}

/** In place: i32 squared distances → f32 distances. */
@inline function sqrtRow(row: usize, w: i32): void {
  const vEnd = w & ~3;
  let x = 0;
  for (; x < vEnd; x += 4) {
    const p = row + (<usize>x << 2);
    v128.store(p, f32x4.sqrt(f32x4.convert_i32x4_s(v128.load(p))));
  }
  for (; x < w; x++) {
    const p = row + (<usize>x << 2);
    store<f32>(p, Mathf.sqrt(<f32>load<i32>(p)));
  }
}

function fill32(dst: usize, n: usize, value: i32): void {
  const vv = i32x4.splat(value);
  let i: usize = 0;
  const vEnd = n & ~(<usize>3);
  for (; i < vEnd; i += 4) v128.store(dst + (i << 2), vv);
  for (; i < n; i++) store<i32>(dst + (i << 2), value);
}
