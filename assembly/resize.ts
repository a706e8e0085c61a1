// Kernel family: resize (u8, 1/3/4 channels interleaved), replicating OpenCV 4.6's cv::resize.
//
// The host (src/kernels/resize.ts) builds every coordinate/coefficient table once per geometry
// with OpenCV's own float/double arithmetic and passes pointers; these kernels only walk them.
//
// INTER_LINEAR on u8 (resizeGeneric_ with 11-bit coefficients):
//   h   = S[x0]*a0 + S[x1]*a1                      (horizontal, exact integer)
//   out = (((h>>4)*b0 >> 16) + ((h>>4)*b1 >> 16) + 2) >> 2
// That vertical formula is VResizeLinearVec_32s8u's (v_mul_hi + v_rshr_pack_u<2>). Measured against
// python3-opencv 4.6 it holds for every element of the row, tail included, so the rows we keep
// between the passes are just h>>4 as i16.

/**
 * One source row through the horizontal linear pass: hrow[e] = (S[xoff0]*a0 + S[xoff1]*a1) >> 4.
 * Blocks of 4 elements gather their 8 taps with one or two (load, swizzle) pairs from the table
 * (bbase: two i32 per block, the second -1 when one window suffices, the first -1 for a scalar
 * block), then one i32x4.dot_i16x8_s with the 4 (a0, a1) pairs.
 */
export function linearRow(
  row: usize, out: usize, n: i32,
  xoff: usize, alpha: usize, bbase: usize, bmask: usize, nblk: i32,
): void {
  for (let b = 0; b < nblk; b++) {
    const bb = bbase + (<usize>b << 3);
    const base0 = load<i32>(bb);
    const base1 = load<i32>(bb, 4);
    const e = b << 2;
    if (base0 >= 0) {
      const m = bmask + (<usize>b << 5);
      let taps = i8x16.swizzle(v128.load(row + <usize>base0), v128.load(m));
      if (base1 >= 0) taps = v128.or(taps, i8x16.swizzle(v128.load(row + <usize>base1), v128.load(m, 16)));
      const h = i32x4.shr_s(i32x4.dot_i16x8_s(taps, v128.load(alpha + (<usize>e << 2))), 4);
      v128.store64_lane(out + (<usize>e << 1), i16x8.narrow_i32x4_s(h, h), 0);
    } else {
      for (let k = e; k < e + 4; k++) linearScalar(row, out, k, xoff, alpha);
    }
  }
  for (let k = nblk << 2; k < n; k++) linearScalar(row, out, k, xoff, alpha);
}

@inline function linearScalar(row: usize, out: usize, k: i32, xoff: usize, alpha: usize): void {
  const o = xoff + (<usize>k << 3);
  const a = alpha + (<usize>k << 2);
  const h = <i32>load<u8>(row + <usize>load<i32>(o)) * <i32>load<i16>(a) + <i32>load<u8>(row + <usize>load<i32>(o, 4)) * <i32>load<i16>(a, 2);
  store<i16>(out + (<usize>k << 1), <i16>(h >> 4));
}

/** One output row of the vertical linear pass from two h>>4 rows (see the header formula). */
export function linearVertical(h0: usize, h1: usize, b0: i32, b1: i32, dst: usize, n: i32): void {
  const B0 = i16x8.splat(<i16>b0);
  const B1 = i16x8.splat(<i16>b1);
  const two = i16x8.splat(2);
  let x = 0;
  if (b1 == 0 && b0 == 2048) {
    // One source row at full weight: (h*2048) >> 16 == h >> 5 (h >= 0), no 32-bit products needed.
    for (; x + 16 <= n; x += 16) {
      const a = i16x8.shr_s(i16x8.add(i16x8.shr_s(v128.load(h0 + (<usize>x << 1)), 5), two), 2);
      const c = i16x8.shr_s(i16x8.add(i16x8.shr_s(v128.load(h0 + (<usize>x << 1), 16), 5), two), 2);
      v128.store(dst + <usize>x, i8x16.narrow_i16x8_u(a, c));
    }
  }
  for (; x + 8 <= n; x += 8) {
    const a = v128.load(h0 + (<usize>x << 1));
    const c = v128.load(h1 + (<usize>x << 1));
    const lo = i32x4.add(i32x4.shr_s(i32x4.extmul_low_i16x8_s(a, B0), 16), i32x4.shr_s(i32x4.extmul_low_i16x8_s(c, B1), 16));
    const hi = i32x4.add(i32x4.shr_s(i32x4.extmul_high_i16x8_s(a, B0), 16), i32x4.shr_s(i32x4.extmul_high_i16x8_s(c, B1), 16));
    const t = i16x8.shr_s(i16x8.add(i16x8.narrow_i32x4_s(lo, hi), two), 2);
    v128.store64_lane(dst + <usize>x, i8x16.narrow_i16x8_u(t, t), 0);
  }
  for (; x < n; x++) {
    const a = <i32>load<i16>(h0 + (<usize>x << 1));
    const c = <i32>load<i16>(h1 + (<usize>x << 1));
    const v = (((a * b0) >> 16) + ((c * b1) >> 16) + 2) >> 2;
    store<u8>(dst + <usize>x, <u8>(v < 0 ? 0 : v > 255 ? 255 : v));
  }
}

/**
 * Bilinear resize (also INTER_AREA upscaling, which OpenCV runs through the same code with other
 * tables). `rowBytes` = source width × channels, `n` = destination width × channels.
 * ytab holds (r0, r1, b0, b1) per output row; hbuf0/hbuf1 are two i16 rows of n (+8) elements.
 */
export function resizeLinear(
  src: usize, rowBytes: i32, dst: usize, n: i32, dh: i32,
  xoff: usize, alpha: usize, bbase: usize, bmask: usize, nblk: i32,
  ytab: usize, hbuf0: usize, hbuf1: usize,
): void {
  resetLinearRowCache(hbuf0, hbuf1);
  for (let y = 0; y < dh; y++) {
    linearOutputRow(y, ytab, src, rowBytes, n, xoff, alpha, bbase, bmask, nblk, dst + <usize>(y * n));
  }
}

// The horizontal pass of the last two source rows, cached because neighbouring output rows share
// them (OpenCV keeps the same two-row ring). Module state: one resize runs at a time.
let cacheBufA: usize = 0;
let cacheBufB: usize = 0;
let cacheRowA: i32 = -1;
let cacheRowB: i32 = -1;

/** Starts a bilinear resize whose horizontal rows go to the two buffers `hbuf0`, `hbuf1`. */
export function resetLinearRowCache(hbuf0: usize, hbuf1: usize): void {
  cacheBufA = hbuf0;
  cacheBufB = hbuf1;
  cacheRowA = -1;
  cacheRowB = -1;
}

/** Output row y of a bilinear resize (row table `ytab`: r0, r1, b0, b1 per row) into `dst`, reusing cached source rows. */
@inline export function linearOutputRow(
  y: i32, ytab: usize, src: usize, rowBytes: i32, n: i32,
  xoff: usize, alpha: usize, bbase: usize, bmask: usize, nblk: i32, dst: usize,
): void {
  const t = ytab + (<usize>y << 4);
  const r0 = load<i32>(t);
  const r1 = load<i32>(t, 4);
  const b0 = load<i32>(t, 8);
  const b1 = load<i32>(t, 12);
  if (r0 != cacheRowA) {
    if (r0 == cacheRowB) {
      const tb = cacheBufA; cacheBufA = cacheBufB; cacheBufB = tb;
      cacheRowB = cacheRowA; cacheRowA = r0;
    } else {
      linearRow(src + <usize>(r0 * rowBytes), cacheBufA, n, xoff, alpha, bbase, bmask, nblk);
      cacheRowA = r0;
    }
  }
  let h1 = cacheBufA;
  if (b1 != 0 && r1 != r0) {
    if (r1 != cacheRowB) {
      linearRow(src + <usize>(r1 * rowBytes), cacheBufB, n, xoff, alpha, bbase, bmask, nblk);
      cacheRowB = r1;
    }
    h1 = cacheBufB;
  }
  linearVertical(cacheBufA, h1, b0, b1, dst, n);
}

// ---- INTER_NEAREST (and INTER_LINEAR geometries whose weights are all (2048, 0)) ----
//
// A gather: dst row y = source row yofs[y], dst pixel dx = source pixel xs[dx]. When the column
// table is an exact integer decimation, xs[dx] = x0 + k·dx (1080p → 360p is k = 3, 4K → 1080p
// k = 2, 1280×960 → 320×240 k = 4), every output pixel block has the same source pattern, so a
// row is a loop over fixed "units" with constant shuffles instead of table-driven gathers: each
// unit reads a few 16-byte windows and writes a few pixels. The modes below (cn << 4 | k) are
// those units; the host (nearestColumns in src/kernels/resize.ts) detects the pattern. Bytes past
// the last whole unit, and every byte of the other geometries, go through 16-byte table blocks
// (≤ 4 windows + swizzles each, the last one overlapping its neighbour so rows need no scalar
// tail), or pixel by pixel when a block would need more windows.

/** Swizzle index giving a zero byte (top bit set: V8 emits a bare pshufb for constant masks). */
// @ts-ignore: decorator
@inline const Z: i8 = -128;

// Fast modes: (channels << 4) | k.
// @ts-ignore: decorator
@inline const GRAY2: i32 = 0x12;
// @ts-ignore: decorator
@inline const GRAY3: i32 = 0x13;
// @ts-ignore: decorator
@inline const GRAY4: i32 = 0x14;
// @ts-ignore: decorator
@inline const RGB2: i32 = 0x32;
// @ts-ignore: decorator
@inline const RGB3: i32 = 0x33;
// @ts-ignore: decorator
@inline const RGB4: i32 = 0x34;
// @ts-ignore: decorator
@inline const RGBA2: i32 = 0x42;
// @ts-ignore: decorator
@inline const RGBA3: i32 = 0x43;
// @ts-ignore: decorator
@inline const RGBA4: i32 = 0x44;

// Per mode: output bytes per unit, source bytes per unit, bytes a unit reads from its source start,
// bytes it writes from its output start (more than it produces when a wide store carries zeros that
// the next unit, or a tail block, overwrites).
@inline function unitOut(mode: i32): i32 {
  if (mode == RGB2) return 9;
  if (mode == RGB3) return 12;
  if (mode == RGB4) return 6;
  return 16;
}
@inline function unitIn(mode: i32): i32 {
  return (mode & 15) * (mode == RGB2 ? 9 : mode == RGB3 ? 12 : mode == RGB4 ? 6 : 16);
}
@inline function unitRead(mode: i32): i32 {
  if (mode == RGB2 || mode == RGB4) return 16;
  if (mode == RGB3) return 30;
  if (mode == RGBA3) return 40;
  return unitIn(mode);
}
@inline function unitWrite(mode: i32): i32 {
  return mode == RGB4 ? 8 : 16;
}

/** Whole units of `mode` that fit a row of `n` output bytes and `avail` source bytes. k = 1 (mode & 15) copies the row. */
@inline function fastUnits(mode: i32, n: i32, avail: i32): i32 {
  if (mode == 0) return 0;
  if ((mode & 15) == 1) return avail >= n ? 1 : 0;
  const w = unitWrite(mode);
  const r = unitRead(mode);
  if (n < w || avail < r) return 0;
  return min((n - w) / unitOut(mode) + 1, (avail - r) / unitIn(mode) + 1);
}

/**
 * Output bytes [0, result) of each row that the unit loop of `mode` writes, for a row of `n`
 * output bytes and `avail` source bytes from the first source pixel (the host covers the rest).
 */
export function nearestFastBytes(mode: i32, n: i32, avail: i32): i32 {
  const u = fastUnits(mode, n, avail);
  return (mode & 15) == 1 ? u * n : u * unitOut(mode);
}

/** One unit of `mode` (a compile-time constant after inlining): source s, output o. */
@inline function nearestUnit(mode: i32, s: usize, o: usize): void {
  if (mode == GRAY2) {
    // Even bytes: the low bytes of the u16 lanes, packed.
    const m = i16x8.splat(0xff);
    v128.store(o, i8x16.narrow_i16x8_u(v128.and(v128.load(s), m), v128.and(v128.load(s, 16), m)));
  } else if (mode == GRAY3) {
    const a = i8x16.swizzle(v128.load(s), v128(0, 3, 6, 9, 12, 15, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z));
    const b = i8x16.swizzle(v128.load(s, 16), v128(Z, Z, Z, Z, Z, Z, 2, 5, 8, 11, 14, Z, Z, Z, Z, Z));
    const c = i8x16.swizzle(v128.load(s, 32), v128(Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, 1, 4, 7, 10, 13));
    v128.store(o, v128.or(v128.or(a, b), c));
  } else if (mode == GRAY4) {
    // Every 4th byte: the low bytes of the u32 lanes, packed twice.
    const m = i32x4.splat(0xff);
    const lo = i16x8.narrow_i32x4_u(v128.and(v128.load(s), m), v128.and(v128.load(s, 16), m));
    const hi = i16x8.narrow_i32x4_u(v128.and(v128.load(s, 32), m), v128.and(v128.load(s, 48), m));
    v128.store(o, i8x16.narrow_i16x8_u(lo, hi));
  } else if (mode == RGB2) {
    // One window holds 3 picked pixels (source pixels 0, 2, 4): 9 bytes, stored 16 wide.
    v128.store(o, i8x16.swizzle(v128.load(s), v128(0, 1, 2, 6, 7, 8, 12, 13, 14, Z, Z, Z, Z, Z, Z, Z)));
  } else if (mode == RGB3) {
    // 4 pixels (source pixels 0, 3, 6, 9) from two windows: the second is loaded 14 bytes on so
    // its two pixels land in the 16-bit words the first window's pixels leave free (bytes 4-7 and
    // 12-15), a word blend (pblendw) merges them and one swizzle orders the 12 bytes.
    const ab = i8x16.shuffle(v128.load(s), v128.load(s, 14), 0, 1, 2, 3, 20, 21, 22, 23, 8, 9, 10, 11, 28, 29, 30, 31);
    v128.store(o, i8x16.swizzle(ab, v128(0, 1, 2, 9, 10, 11, 4, 5, 6, 13, 14, 15, Z, Z, Z, Z)));
  } else if (mode == RGB4) {
    // Source pixels 0 and 4 share a window: 6 bytes, stored 8 wide.
    v128.store64_lane(o, i8x16.swizzle(v128.load(s), v128(0, 1, 2, 12, 13, 14, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z)), 0);
  } else if (mode == RGBA2) {
    // Whole 32-bit pixels: lanes 0, 2 of each window (shufps).
    v128.store(o, i8x16.shuffle(v128.load(s), v128.load(s, 16), 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27));
  } else if (mode == RGBA3) {
    // Pixels 0, 3 from the window at 0 and 6, 9 from the window at 24 (shufps).
    v128.store(o, i8x16.shuffle(v128.load(s), v128.load(s, 24), 0, 1, 2, 3, 12, 13, 14, 15, 16, 17, 18, 19, 28, 29, 30, 31));
  } else if (mode == RGBA4) {
    // Lane 0 of four windows: two 32-bit interleaves and a 64-bit one.
    const ac = i8x16.shuffle(v128.load(s), v128.load(s, 16), 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    const bd = i8x16.shuffle(v128.load(s, 32), v128.load(s, 48), 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    v128.store(o, i8x16.shuffle(ac, bd, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  }
}

/** `units` units of `mode` from s to o, in increasing order (a unit's wide store is overwritten by the next). */
@inline function nearestUnits(mode: i32, s: usize, o: usize, units: i32): void {
  const ui = <usize>unitIn(mode);
  const uo = <usize>unitOut(mode);
  // Loops bounded by the output pointer: a separate counter costs a register the loop spills.
  const end4 = o + <usize>(units >> 2) * 4 * uo;
  while (o < end4) {
    nearestUnit4(mode, s, o);
    s += 4 * ui;
    o += 4 * uo;
  }
  const end = o + <usize>(units & 3) * uo;
  for (; o < end; s += ui, o += uo) nearestUnit(mode, s, o);
}

@inline function nearestUnit4(mode: i32, s: usize, o: usize): void {
  const ui = <usize>unitIn(mode);
  const uo = <usize>unitOut(mode);
  nearestUnit(mode, s, o);
  nearestUnit(mode, s + ui, o + uo);
  nearestUnit(mode, s + 2 * ui, o + 2 * uo);
  nearestUnit(mode, s + 3 * ui, o + 3 * uo);
}

/**
 * The same for four output rows at once (o, o + n, o + 2n, o + 3n from source rows s, s + d1,
 * s + d2, s + d3). Reading four source rows side by side keeps more cache-line fetches in flight:
 * at 1080p → 360p RGB the one-row loop waits on memory for about a third of its time, and this
 * one is ~10% faster.
 */
@inline function nearestUnitsX4(mode: i32, s: usize, o: usize, d1: usize, d2: usize, d3: usize, n: usize, units: i32): void {
  const ui = <usize>unitIn(mode);
  const uo = <usize>unitOut(mode);
  const end4 = o + <usize>(units >> 2) * 4 * uo;
  while (o < end4) {
    nearestUnit4(mode, s, o);
    nearestUnit4(mode, s + d1, o + n);
    nearestUnit4(mode, s + d2, o + 2 * n);
    nearestUnit4(mode, s + d3, o + 3 * n);
    s += 4 * ui;
    o += 4 * uo;
  }
  const end = o + <usize>(units & 3) * uo;
  for (; o < end; s += ui, o += uo) {
    nearestUnit(mode, s, o);
    nearestUnit(mode, s + d1, o + n);
    nearestUnit(mode, s + d2, o + 2 * n);
    nearestUnit(mode, s + d3, o + 3 * n);
  }
}

/** The unit loop of a row (one specialised loop per mode). */
function nearestFastRow(mode: i32, s: usize, o: usize, units: i32, n: i32): void {
  switch (mode) {
    case GRAY2: nearestUnits(GRAY2, s, o, units); break;
    case GRAY3: nearestUnits(GRAY3, s, o, units); break;
    case GRAY4: nearestUnits(GRAY4, s, o, units); break;
    case RGB2: nearestUnits(RGB2, s, o, units); break;
    case RGB3: nearestUnits(RGB3, s, o, units); break;
    case RGB4: nearestUnits(RGB4, s, o, units); break;
    case RGBA2: nearestUnits(RGBA2, s, o, units); break;
    case RGBA3: nearestUnits(RGBA3, s, o, units); break;
    case RGBA4: nearestUnits(RGBA4, s, o, units); break;
    default: memory.copy(o, s, <usize>n); // k = 1
  }
}

/** The unit loops of four consecutive output rows with distinct source rows. */
function nearestFastRows4(mode: i32, s: usize, o: usize, d1: usize, d2: usize, d3: usize, units: i32, n: i32): void {
  const nn = <usize>n;
  switch (mode) {
    case GRAY2: nearestUnitsX4(GRAY2, s, o, d1, d2, d3, nn, units); break;
    case GRAY3: nearestUnitsX4(GRAY3, s, o, d1, d2, d3, nn, units); break;
    case GRAY4: nearestUnitsX4(GRAY4, s, o, d1, d2, d3, nn, units); break;
    case RGB2: nearestUnitsX4(RGB2, s, o, d1, d2, d3, nn, units); break;
    case RGB3: nearestUnitsX4(RGB3, s, o, d1, d2, d3, nn, units); break;
    case RGB4: nearestUnitsX4(RGB4, s, o, d1, d2, d3, nn, units); break;
    case RGBA2: nearestUnitsX4(RGBA2, s, o, d1, d2, d3, nn, units); break;
    case RGBA3: nearestUnitsX4(RGBA3, s, o, d1, d2, d3, nn, units); break;
    case RGBA4: nearestUnitsX4(RGBA4, s, o, d1, d2, d3, nn, units); break;
    default: // k = 1
      memory.copy(o, s, nn);
      memory.copy(o + nn, s + d1, nn);
      memory.copy(o + 2 * nn, s + d2, nn);
      memory.copy(o + 3 * nn, s + d3, nn);
  }
}

/**
 * Nearest-neighbour gather (see the section comment). Per source row: the unit loop of `mode`
 * (0 = none) from byte `xstart` of the row, then `nb` 16-byte table blocks (headers of 8 i32:
 * output offset, window count 1–4, 4 window offsets, 2 spare; then nb × 4 swizzle masks), then
 * output pixels [p0, p1) through their source byte offsets xp (see nearestPixels). An output row
 * from the same source row as the one above is a copy.
 */
export function resizeNearest(
  src: usize, rowBytes: i32, dst: usize, n: i32, dh: i32, yofs: usize,
  mode: i32, xstart: i32, blocks: usize, nb: i32, cn: i32, xp: usize, p0: i32, p1: i32, safe: i32,
): void {
  const units = fastUnits(mode, n, rowBytes - xstart);
  const rb = <usize>rowBytes;
  let prev = -1;
  let y = 0;
  while (y < dh) {
    const t = yofs + (<usize>y << 2);
    const sy = load<i32>(t);
    const d = dst + <usize>(y * n);
    const row = src + <usize>sy * rb;
    if (sy == prev) {
      memory.copy(d, d - <usize>n, <usize>n);
      y++;
      continue;
    }
    if (units > 0 && y + 4 <= dh) {
      const s1 = load<i32>(t, 4);
      const s2 = load<i32>(t, 8);
      const s3 = load<i32>(t, 12);
      if (s1 != sy && s2 != s1 && s3 != s2) {
        nearestFastRows4(mode, row + <usize>xstart, d, <usize>(s1 - sy) * rb, <usize>(s2 - sy) * rb, <usize>(s3 - sy) * rb, units, n);
        for (let r = 0; r < 4; r++) {
          nearestBlocks(src + <usize>load<i32>(t + (<usize>r << 2)) * rb, d + <usize>(r * n), blocks, nb, cn, xp, p0, p1, safe);
        }
        prev = s3;
        y += 4;
        continue;
      }
    }
    if (units > 0) nearestFastRow(mode, row + <usize>xstart, d, units, n);
    nearestBlocks(row, d, blocks, nb, cn, xp, p0, p1, safe);
    prev = sy;
    y++;
  }
}

/**
 * The table blocks, then the pixels [p0, p1), of one row. (Called from two places so that
 * Binaryen keeps it a function: inlined into the row loop above, its counters spill to the stack
 * and the table path runs ~40% slower.)
 */
function nearestBlocks(row: usize, o: usize, blocks: usize, nb: i32, cn: i32, xp: usize, p0: i32, p1: i32, safe: i32): void {
  let t = blocks;
  let m = blocks + (<usize>nb << 5);
  for (let b = 0; b < nb; b++, t += 32, m += 64) {
    const cnt = load<i32>(t, 4);
    let acc = i8x16.swizzle(v128.load(row + <usize>load<i32>(t, 8)), v128.load(m));
    if (cnt > 1) acc = v128.or(acc, i8x16.swizzle(v128.load(row + <usize>load<i32>(t, 12)), v128.load(m, 16)));
    if (cnt > 2) acc = v128.or(acc, i8x16.swizzle(v128.load(row + <usize>load<i32>(t, 16)), v128.load(m, 32)));
    if (cnt > 3) acc = v128.or(acc, i8x16.swizzle(v128.load(row + <usize>load<i32>(t, 20)), v128.load(m, 48)));
    v128.store(o + <usize>load<i32>(t), acc);
  }
  if (p0 < p1) nearestPixels(row, o, cn, xp, p0, p1, safe);
}

/**
 * Output pixels [p0, p1) one by one from their source byte offsets xp[dx] (for columns that no
 * 4-window block covers: strong shrinks such as 1080p → 180p). RGB pixels are copied 4 bytes at a
 * time, in increasing order so each store's extra byte is overwritten by the next pixel, except
 * the last pixel and those whose 4-byte load would leave the row (dx ≥ safe).
 */
function nearestPixels(row: usize, o: usize, cn: i32, xp: usize, p0: i32, p1: i32, safe: i32): void {
  let dx = p0;
  if (cn == 1) {
    for (; dx + 4 <= p1; dx += 4) {
      const x = xp + (<usize>dx << 2);
      const d = o + <usize>dx;
      store<u8>(d, load<u8>(row + <usize>load<i32>(x)));
      store<u8>(d, load<u8>(row + <usize>load<i32>(x, 4)), 1);
      store<u8>(d, load<u8>(row + <usize>load<i32>(x, 8)), 2);
      store<u8>(d, load<u8>(row + <usize>load<i32>(x, 12)), 3);
    }
    for (; dx < p1; dx++) store<u8>(o + <usize>dx, load<u8>(row + <usize>load<i32>(xp + (<usize>dx << 2))));
  } else if (cn == 4) {
    for (; dx < p1; dx++) store<u32>(o + (<usize>dx << 2), load<u32>(row + <usize>load<i32>(xp + (<usize>dx << 2))));
  } else {
    const wide = min(p1 - 1, safe);
    for (; dx < wide; dx++) store<u32>(o + <usize>(dx * 3), load<u32>(row + <usize>load<i32>(xp + (<usize>dx << 2))));
    for (; dx < p1; dx++) {
      const s = row + <usize>load<i32>(xp + (<usize>dx << 2));
      const d = o + <usize>(dx * 3);
      store<u16>(d, load<u16>(s));
      store<u8>(d, load<u8>(s, 2), 2);
    }
  }
}

/**
 * INTER_AREA with integer factors kx × ky (OpenCV's resizeAreaFast_): each output element is the
 * mean of its block, (sum + 2) >> 2 for 2×2 and round-half-even(f32(sum) * f32(1/area)) otherwise.
 * Blocks of 4 output elements (table `blk`, 48 bytes each: two i32 window offsets, the first -1 for
 * a scalar block, the second -1 when one window suffices, then two swizzle masks): per source row
 * one or two swizzles put the ≤ 4 taps of each element into the 4 bytes of its i32 lane, and two
 * pairwise widening adds sum them (u8 → u16 → u32), so each block costs a few ops per row.
 * Scalar blocks and the tail read taps through the element's offsets (kx ≤ 4 only; larger kx or
 * windows that do not fit make every block scalar, see src/kernels/resize.ts).
 */
export function resizeAreaFast(
  src: usize, rowBytes: i32, cn: i32, dst: usize, n: i32, dh: i32, kx: i32, ky: i32, blk: usize, nblk: i32,
): void {
  const scale: f32 = <f32>1.0 / <f32>(kx * ky);
  const vscale = f32x4.splat(scale);
  // f32 + 1.5·2^23 rounds to an integer, half to even (= cvRound), for 0 <= x < 2^22: the low bits are the result.
  const magic = f32x4.splat(12582912.0);
  const two = kx == 2 && ky == 2;
  for (let y = 0; y < dh; y++) {
    const r = src + <usize>(y * ky * rowBytes);
    const d = dst + <usize>(y * n);
    for (let b = 0; b < nblk; b++) {
      const t = blk + <usize>(b * 48);
      const base0 = load<i32>(t);
      if (base0 < 0) {
        for (let e = b << 2; e < (b << 2) + 4; e++) store<u8>(d + <usize>e, areaFastScalar(r, rowBytes, cn, e, kx, ky, scale, two));
        continue;
      }
      const base1 = load<i32>(t, 4);
      const m0 = v128.load(t, 16);
      const m1 = v128.load(t, 32);
      let acc = i16x8.splat(0);
      let row = r;
      for (let k = 0; k < ky; k++, row += <usize>rowBytes) {
        let taps = i8x16.swizzle(v128.load(row + <usize>base0), m0);
        if (base1 >= 0) taps = v128.or(taps, i8x16.swizzle(v128.load(row + <usize>base1), m1));
        acc = i16x8.add(acc, i16x8.extadd_pairwise_i8x16_u(taps));
      }
      const sum = i32x4.extadd_pairwise_i16x8_u(acc);
      let q: v128;
      if (two) q = i32x4.shr_u(i32x4.add(sum, i32x4.splat(2)), 2);
      else q = i32x4.sub(f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(sum), vscale), magic), magic_bits());
      const q16 = i16x8.narrow_i32x4_s(q, q);
      v128.store32_lane(d + (<usize>b << 2), i8x16.narrow_i16x8_u(q16, q16), 0);
    }
    for (let e = nblk << 2; e < n; e++) store<u8>(d + <usize>e, areaFastScalar(r, rowBytes, cn, e, kx, ky, scale, two));
  }
}

@inline function magic_bits(): v128 {
  return i32x4.splat(0x4b400000);
}

/** One element of resizeAreaFast the plain way (same arithmetic). */
@inline function areaFastScalar(r: usize, rowBytes: i32, cn: i32, e: i32, kx: i32, ky: i32, scale: f32, two: bool): u8 {
  const dx = e / cn;
  const first = <usize>(dx * kx * cn + (e - dx * cn));
  let s: i32 = 0;
  for (let k = 0; k < ky; k++) {
    const p = r + <usize>(k * rowBytes) + first;
    for (let j = 0; j < kx; j++) s += <i32>load<u8>(p + <usize>(j * cn));
  }
  const v = two ? (s + 2) >> 2 : <i32>nearest(<f32>s * scale);
  return <u8>(v > 255 ? 255 : v);
}

/**
 * One source row through the horizontal area pass: buf[e] = sum over k of S[si(e,k)] * alpha(e,k).
 * Blocks of 4 output elements: per tap, one 16-byte window and a swizzle put the 4 source bytes
 * straight into i32 lanes, then convert, multiply by the 4 weights and add (per lane the same f32
 * operations, in the same order, as the scalar form). Block table (bstride bytes per block): K
 * window offsets (i32; the first -1 = scalar block), then K masks, then K f32x4 weights, 16-aligned.
 */
function areaRow(S: usize, buf: usize, n: i32, cn: i32, xtab: usize, K: i32, blk: usize, bstride: i32): void {
  const nblk = n >> 2;
  const maskOff = <usize>((K * 4 + 15) & ~15);
  const wOff = maskOff + (<usize>K << 4);
  for (let b = 0; b < nblk; b++) {
    const p = blk + <usize>(b * bstride);
    if (load<i32>(p) >= 0) {
      let acc = f32x4.splat(0);
      for (let k = 0; k < K; k++) {
        const taps = i8x16.swizzle(v128.load(S + <usize>load<i32>(p + (<usize>k << 2))), v128.load(p + maskOff + (<usize>k << 4)));
        // convert_i32x4_s: lanes are 0..255 (the unsigned form is ~8 instructions on x64).
        acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(taps), v128.load(p + wOff + (<usize>k << 4))));
      }
      v128.store(buf + (<usize>b << 4), acc);
    } else {
      for (let e = b << 2; e < (b << 2) + 4; e++) areaScalar(S, buf, e, cn, xtab, K);
    }
  }
  for (let e = nblk << 2; e < n; e++) areaScalar(S, buf, e, cn, xtab, K);
}

@inline function areaScalar(S: usize, buf: usize, e: i32, cn: i32, xtab: usize, K: i32): void {
  const dx = e / cn;
  const c = <usize>(e - dx * cn);
  let xt = xtab + <usize>(dx * K * 8);
  let acc: f32 = 0;
  for (let k = 0; k < K; k++, xt += 8) acc += <f32>load<u8>(S + <usize>load<i32>(xt) + c) * load<f32>(xt, 4);
  store<f32>(buf + (<usize>e << 2), acc);
}

/**
 * General INTER_AREA downscaling (OpenCV's ResizeArea_Invoker, f32 accumulation in its order).
 * xtab: K (si ×cn, alpha:f32) pairs per output pixel; ytab: (si, di, alpha:f32) rows; buf/sum: f32 rows of n.
 */
export function resizeArea(
  src: usize, rowBytes: i32, cn: i32, dst: usize, n: i32,
  xtab: usize, K: i32, blk: usize, bstride: i32, ytab: usize, yn: i32, buf: usize, sum: usize,
): void {
  memory.fill(sum, 0, <usize>n << 2);
  let prev = load<i32>(ytab, 4);
  for (let j = 0; j < yn; j++) {
    const t = ytab + <usize>(j * 12);
    const sy = load<i32>(t);
    const dy = load<i32>(t, 4);
    const beta = load<f32>(t, 8);
    const S = src + <usize>(sy * rowBytes);
    // Horizontal weights of this source row, f32 in OpenCV's order (buf[e] starts at 0 and adds
    // S*alpha tap by tap). xtab has K (si, alpha) entries per output pixel, padded with alpha 0
    // (adding +0 changes nothing), so every element has exactly K taps.
    areaRow(S, buf, n, cn, xtab, K, blk, bstride);
    // sum = beta*buf (new output row) or sum += beta*buf: f32x4 without FMA, as OpenCV's v_mul/v_add.
    const vb = f32x4.splat(beta);
    const fresh = dy != prev;
    if (fresh) {
      areaStore(sum, dst + <usize>(prev * n), n);
      prev = dy;
    }
    let x = 0;
    for (; x + 4 <= n; x += 4) {
      const o = <usize>x << 2;
      const t = f32x4.mul(vb, v128.load(buf + o));
      v128.store(sum + o, fresh ? t : f32x4.add(v128.load(sum + o), t));
    }
    for (; x < n; x++) {
      const o = <usize>x << 2;
      const t = beta * load<f32>(buf + o);
      store<f32>(sum + o, fresh ? t : load<f32>(sum + o) + t);
    }
  }
  areaStore(sum, dst + <usize>(prev * n), n);
}

@inline function areaStore(sum: usize, d: usize, n: i32): void {
  let x = 0;
  for (; x + 16 <= n; x += 16) {
    // Round half to even (f32x4.nearest = cvRound), saturate to u8 through the narrows.
    const s = sum + (<usize>x << 2);
    const a = i32x4.trunc_sat_f32x4_s(f32x4.nearest(v128.load(s)));
    const b = i32x4.trunc_sat_f32x4_s(f32x4.nearest(v128.load(s, 16)));
    const c = i32x4.trunc_sat_f32x4_s(f32x4.nearest(v128.load(s, 32)));
    const e = i32x4.trunc_sat_f32x4_s(f32x4.nearest(v128.load(s, 48)));
    v128.store(d + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, e)));
  }
  for (; x < n; x++) {
    const v = <i32>nearest(load<f32>(sum + (<usize>x << 2)));
    store<u8>(d + <usize>x, <u8>(v < 0 ? 0 : v > 255 ? 255 : v));
  }
}
