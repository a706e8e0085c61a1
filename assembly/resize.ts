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

/**
 * Nearest neighbour: dst row y = source row yofs[y] gathered through per-byte offsets.
 * 16-byte output blocks gather with up to 4 (load, swizzle) pairs from the table
 * (bcount[b] pairs; 0 = scalar through xb); identical consecutive rows are copied.
 */
export function resizeNearest(
  src: usize, rowBytes: i32, dst: usize, n: i32, dh: i32, yofs: usize,
  xb: usize, bcount: usize, bbase: usize, bmask: usize,
): void {
  const nblk = n >> 4;
  let prev = -1;
  for (let y = 0; y < dh; y++) {
    const sy = load<i32>(yofs + (<usize>y << 2));
    const d = dst + <usize>(y * n);
    if (sy == prev) {
      memory.copy(d, d - <usize>n, <usize>n);
      continue;
    }
    prev = sy;
    const row = src + <usize>(sy * rowBytes);
    for (let b = 0; b < nblk; b++) {
      const cnt = load<i32>(bcount + (<usize>b << 2));
      const e = b << 4;
      if (cnt == 0) {
        for (let k = e; k < e + 16; k++) store<u8>(d + <usize>k, load<u8>(row + <usize>load<i32>(xb + (<usize>k << 2))));
        continue;
      }
      const p = bbase + (<usize>b << 4);
      const m = bmask + (<usize>b << 6);
      let acc = i8x16.swizzle(v128.load(row + <usize>load<i32>(p)), v128.load(m));
      for (let j = 1; j < cnt; j++) {
        acc = v128.or(acc, i8x16.swizzle(v128.load(row + <usize>load<i32>(p + (<usize>j << 2))), v128.load(m + (<usize>j << 4))));
      }
      v128.store(d + <usize>e, acc);
    }
    for (let k = nblk << 4; k < n; k++) store<u8>(d + <usize>k, load<u8>(row + <usize>load<i32>(xb + (<usize>k << 2))));
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
