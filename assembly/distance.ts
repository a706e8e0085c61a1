// Kernel family: distance. Exact Euclidean distance transform (Felzenszwalb–Huttenlocher, separable).
//
// Pass 1 (columns, SIMD over 16 columns): g[y][x] = distance from (x, y) down to the nearest target
// pixel above it in its column (u16, "none" = S). Pass 2 (rows, bottom to top): the upward half of the
// column pass is folded into the row loop (gRow = min(g[y], gRow + 1)), then the lower envelope of
// the parabolas (x - p)² + gRow[p]² gives the exact squared distance of every pixel of the row.
//
// Exactness: distances are computed as integers (squared); only the envelope's breakpoints are f64,
// with an error far too small to change an integer result (see envelopeRun).
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
  // gRow (u16, w + 8 zero padding) + v (i32, in an 8-byte-aligned slot) + key, z, inv (f64), w + 4 each
  return ((w * 2 + 31) & ~15) + 4 * 8 * (w + 4);
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
  const key = v + <usize>(8 * (w + 4));
  const z = key + <usize>(8 * (w + 4));
  const inv = z + <usize>(8 * (w + 4));
  for (let d = 1; d <= w; d++) store<f64>(inv + (<usize>d << 3), 0.5 / <f64>d);
  const rowBytes = <usize>w << 1;
  memory.copy(gRow, colBuf + <usize>(h - 1) * rowBytes, rowBytes);
  v128.store(gRow + rowBytes, i16x8.splat(0)); // zero padding: stops the target scan at w
  for (let y = h - 1; y >= 0; y--) {
    const gy = colBuf + <usize>y * rowBytes;
    if (y < h - 1) upStep(gy, gRow, w);
    const out = dst + ((<usize>y * <usize>w) << 2);
    envelopeRow(gRow, out, w, v, key, z, inv);
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
function envelopeRow(gRow: usize, out: usize, w: i32, v: usize, key: usize, z: usize, inv: usize): void {
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
    envelopeRun(gRow, out, lo, hi, a, b, v, key, z, inv);
  }
}

/**
 * Lower envelope of the parabolas (x - p)² + g[p]² over columns [lo, hi], evaluated at a..b-1.
 *
 * FH as OpenCV runs it, on a stack of parabolas v[k] whose breakpoints z[k] (where v[k] starts to beat
 * v[k-1]) are f64: z = (key[q] - key[p]) · inv[q - p] with key = g² + p² and inv[d] = 1 / (2d). This lean
 * loop (one multiply and one compare per test) is much faster than exact fraction arithmetic, and it is
 * still exact on the integers: the keys and their differences are integers below 2⁵³, so a breakpoint is
 * off by at most ~2⁻⁵² · 1.4e9 ≈ 3e-7 (relative error of inv and of the product). A breakpoint that moves
 * by δ only changes which parabola is used on an interval of width δ around it, where the competing
 * parabolas differ by less than 2 · 16384 · δ < 0.02; at integer x both values are integers, hence equal.
 */
@inline function envelopeRun(gRow: usize, out: usize, lo: i32, hi: i32, a: i32, b: i32, v: usize, key: usize, z: usize, inv: usize): void {
  const g0 = <f64>load<u16>(gRow + (<usize>lo << 1));
  let k = 0;
  store<i32>(v, lo);
  store<f64>(key, g0 * g0 + <f64>lo * <f64>lo);
  store<f64>(z, -Infinity);
  for (let q = lo + 1; q <= hi; q++) {
    const gq = <f64>load<u16>(gRow + (<usize>q << 1));
    const kq = gq * gq + <f64>q * <f64>q;
    let s: f64;
    while (true) {
      const p = load<i32>(v + (<usize>k << 2));
      s = (kq - load<f64>(key + (<usize>k << 3))) * load<f64>(inv + (<usize>(q - p) << 3));
      if (s > load<f64>(z + (<usize>k << 3))) break; // z[0] = -∞ ends the pops
      k--;
    }
    k++;
    store<i32>(v + (<usize>k << 2), q);
    store<f64>(key + (<usize>k << 3), kq);
    store<f64>(z + (<usize>k << 3), s);
  }
  // Parabola j is the minimum from x = floor(z[j]) + 1 up to floor(z[j + 1]).
  let x = a;
  for (let j = 0; j <= k; j++) {
    const end = j < k ? min(b, <i32>Math.floor(load<f64>(z + (<usize>(j + 1) << 3))) + 1) : b;
    const p = load<i32>(v + (<usize>j << 2));
    const gp = <i32>load<u16>(gRow + (<usize>p << 1));
    const c = gp * gp;
    for (; x < end; x++) {
      const d = x - p;
      store<i32>(out + (<usize>x << 2), d * d + c);
    }
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
