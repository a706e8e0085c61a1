// Kernel family: model-input tensors from u8 images.
//
// normalize: out = x * a[c] + b[c] in f32, with a = 1/(255 std) and b = -mean/std precomputed by the
// host (the per-channel (x/255 - mean)/std as one multiply-add; see src/kernels/normalize.ts for the
// error bound against the float64 formula). quantize: a per-channel 256-entry u8 table built by the
// host with exact float64 rounding, so the kernel is a byte lookup.
// Both take `C` output channels from `cn` interleaved input channels (C == cn, or C = 3 from RGBA),
// `swap` reverses the first three (RGB↔BGR), and write planes `plane` elements apart (NCHW) or
// interleaved (NHWC). The *Resize variants run the bilinear resize (assembly/resize.ts) row by row
// and convert each row while it is still in cache.
import { linearOutputRow, resetLinearRowCache } from "./resize";

// Swizzle index 0x80 (-128 as i8) produces a zero byte.
const Z: i8 = -128;

@inline function splat4(p: usize): v128 {
  return v128.load32_splat(p);
}

// Every path below converts 4 values with: one load, one i8x16.swizzle whose constant mask moves 4
// bytes into the low bytes of u32 lanes and zeroes the rest (deinterleave and widen at once),
// f32x4.convert_i32x4_s (one cvtdq2ps on x64; equal to the unsigned form on 0..255, which V8 expands
// to about eight instructions), one mul, one add, one store: x·a + b, bit for bit the float32 formula.
//
// Why the masks are literal constants, one per loop where possible: V8 emits a bare pshufb for
// i8x16.swizzle only when it sees a constant mask (lanes < 16 or top bit set, as Z). A mask picked
// by `swap ? m : m'` costs a paddusb and a mask reload per use (that was 40% of the RGB loop), and
// a loop with several masks rematerialises each (4 instructions) at every use. So loads move to
// the bytes (a load at +c reads channel c with the channel-0 mask) and swaps move the destinations.

/** x·a + b of the 4 bytes the mask `m` zero-extends into u32 lanes. */
@inline function cvt4(v: v128, m: v128, a: v128, b: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i8x16.swizzle(v, m)), a), b);
}

/** One channel of 32 three-byte pixels from p (bytes p, p+3, …; m = the stride-3 mask) → 32 floats at d. */
@inline function channel32x3(p: usize, d: usize, m: v128, a: v128, b: v128): void {
  v128.store(d, cvt4(v128.load(p), m, a, b));
  v128.store(d, cvt4(v128.load(p, 12), m, a, b), 16);
  v128.store(d, cvt4(v128.load(p, 24), m, a, b), 32);
  v128.store(d, cvt4(v128.load(p, 36), m, a, b), 48);
  v128.store(d, cvt4(v128.load(p, 48), m, a, b), 64);
  v128.store(d, cvt4(v128.load(p, 60), m, a, b), 80);
  v128.store(d, cvt4(v128.load(p, 72), m, a, b), 96);
  v128.store(d, cvt4(v128.load(p, 84), m, a, b), 112);
}

/** One channel of 32 four-byte pixels from p (m = the stride-4 mask) → 32 floats at d. */
@inline function channel32x4(p: usize, d: usize, m: v128, a: v128, b: v128): void {
  v128.store(d, cvt4(v128.load(p), m, a, b));
  v128.store(d, cvt4(v128.load(p, 16), m, a, b), 16);
  v128.store(d, cvt4(v128.load(p, 32), m, a, b), 32);
  v128.store(d, cvt4(v128.load(p, 48), m, a, b), 48);
  v128.store(d, cvt4(v128.load(p, 64), m, a, b), 64);
  v128.store(d, cvt4(v128.load(p, 80), m, a, b), 80);
  v128.store(d, cvt4(v128.load(p, 96), m, a, b), 96);
  v128.store(d, cvt4(v128.load(p, 112), m, a, b), 112);
}

/**
 * NHWC with C = 3 tensor channels from pixels of `cn` (3 or 4) bytes, channels reordered or alpha
 * dropped: per 4 pixels one load and three swizzles (m0..m2: the input bytes of output elements
 * 0..11), each vector with its channel pattern (A0, B0 = channels 0 1 2 0, A1 = 1 2 0 1, A2 = 2 0 1 2).
 * Returns the first pixel not done (a 16-byte load needs 16 readable bytes).
 */
@inline function nhwc3(src: usize, npx: i32, cn: i32, dst: usize, m0: v128, m1: v128, m2: v128,
  A0: v128, B0: v128, A1: v128, B1: v128, A2: v128, B2: v128): i32 {
  let i = 0;
  let p = src;
  let d = dst;
  const step = <usize>(cn << 2);
  for (; i * cn + 16 <= npx * cn; i += 4) {
    const v = v128.load(p);
    v128.store(d, cvt4(v, m0, A0, B0));
    v128.store(d, cvt4(v, m1, A1, B1), 16);
    v128.store(d, cvt4(v, m2, A2, B2), 32);
    p += step;
    d += 48;
  }
  return i;
}

// NHWC C = 3 coefficient patterns (channels 0 1 2 0 | 1 2 0 1 | 2 0 1 2 for a, then for b). They
// go through memory because V8 schedules a vector built by splat/replace_lane inside the loop that
// uses it and rebuilds it every iteration (0.139 → 0.092 ms at 640×480); a load stays before the loop.
const PATTERN3 = memory.data(96, 16);

@inline function pattern3(A: usize, B: usize): void {
  for (let e = 0; e < 12; e++) {
    const c = <usize>(e % 3) << 2;
    store<f32>(PATTERN3 + (<usize>e << 2), load<f32>(A + c));
    store<f32>(PATTERN3 + 48 + (<usize>e << 2), load<f32>(B + c));
  }
}

/**
 * `npx` pixels of `cn` interleaved u8 channels → f32. coef = a[0..C), b[0..C) (f32), already in
 * output-channel order; `swap` picks input channel 2-c for output c < 3.
 */
export function normalizeRow(src: usize, npx: i32, cn: i32, dst: usize, plane: i32, nhwc: bool, C: i32, swap: bool, coef: usize): void {
  let i = 0;
  const A = coef;
  const B = coef + (<usize>C << 2);
  if (!nhwc && cn > 1) {
    const pl = <usize>plane << 2;
    // Input channels 0..2 go to planes o0, 1, o2 (swap: input c → output 2 − c).
    const o0: usize = swap ? 2 : 0;
    const o2: usize = swap ? 0 : 2;
    const a0 = splat4(A + (o0 << 2)), a1 = splat4(A + 4), a2 = splat4(A + (o2 << 2));
    const b0 = splat4(B + (o0 << 2)), b1 = splat4(B + 4), b2 = splat4(B + (o2 << 2));
    let d0 = dst + o0 * pl;
    let d1 = dst + pl;
    let d2 = dst + o2 * pl;
    let p = src;
    // Blocks of 256 pixels, one channel after the other: each plane gets a 1 KB run of stores
    // rather than the planes' stores alternating every 128 bytes, and the block's input stays in
    // L1 for the passes. Measured at 1080p RGB, where the 25 MB tensor streams to DRAM: 0.66 ms
    // against 0.80 ms interleaved (blocks of 64 pixels: 0.82, of 4096: 0.95, of 16384: 1.26).
    if (cn == 3) {
      const m = i8x16(0, Z, Z, Z, 3, Z, Z, Z, 6, Z, Z, Z, 9, Z, Z, Z);
      // The block's last load ends 2 bytes past its 768: i + 258.
      for (; i + 258 <= npx; i += 256) {
        for (let k: usize = 0; k < 8; k++) channel32x3(p + k * 96, d0 + (k << 7), m, a0, b0);
        for (let k: usize = 0; k < 8; k++) channel32x3(p + 1 + k * 96, d1 + (k << 7), m, a1, b1);
        for (let k: usize = 0; k < 8; k++) channel32x3(p + 2 + k * 96, d2 + (k << 7), m, a2, b2);
        p += 768;
        d0 += 1024;
        d1 += 1024;
        d2 += 1024;
      }
      for (; i + 6 <= npx; i += 4) {
        v128.store(d0, cvt4(v128.load(p), m, a0, b0));
        v128.store(d1, cvt4(v128.load(p, 1), m, a1, b1));
        v128.store(d2, cvt4(v128.load(p, 2), m, a2, b2));
        p += 12;
        d0 += 16;
        d1 += 16;
        d2 += 16;
      }
    } else if (cn == 4) {
      const m = i8x16(0, Z, Z, Z, 4, Z, Z, Z, 8, Z, Z, Z, 12, Z, Z, Z);
      const a3 = splat4(A + 12), b3 = splat4(B + 12);
      let d3 = dst + 3 * pl;
      // The load at +C-1 ends C-1 bytes past the pixels: i + 257 for a block, i + 5 for 4 pixels.
      for (; i + 257 <= npx; i += 256) {
        for (let k: usize = 0; k < 1024; k += 128) channel32x4(p + k, d0 + k, m, a0, b0);
        for (let k: usize = 0; k < 1024; k += 128) channel32x4(p + 1 + k, d1 + k, m, a1, b1);
        for (let k: usize = 0; k < 1024; k += 128) channel32x4(p + 2 + k, d2 + k, m, a2, b2);
        if (C == 4) for (let k: usize = 0; k < 1024; k += 128) channel32x4(p + 3 + k, d3 + k, m, a3, b3);
        p += 1024;
        d0 += 1024;
        d1 += 1024;
        d2 += 1024;
        d3 += 1024;
      }
      for (; i + 5 <= npx; i += 4) {
        v128.store(d0, cvt4(v128.load(p), m, a0, b0));
        v128.store(d1, cvt4(v128.load(p, 1), m, a1, b1));
        v128.store(d2, cvt4(v128.load(p, 2), m, a2, b2));
        if (C == 4) v128.store(d3, cvt4(v128.load(p, 3), m, a3, b3));
        p += 16;
        d0 += 16;
        d1 += 16;
        d2 += 16;
        d3 += 16;
      }
    }
    for (; i < npx; i++) {
      const q = src + <usize>(i * cn);
      for (let c = 0; c < C; c++) {
        const ic = swap && c < 3 ? 2 - c : c;
        store<f32>(dst + (<usize>(c * plane + i) << 2), <f32>load<u8>(q + <usize>ic) * load<f32>(A + (<usize>c << 2)) + load<f32>(B + (<usize>c << 2)));
      }
    }
    return;
  }
  // NHWC (and gray in either layout). With C == cn and no swap the output is the input's element
  // order: 4 bytes per 4-byte load (no over-read), one mask, the per-channel pattern repeating
  // every vector (cn 1, 4) or every 3 vectors (cn 3).
  if (C == cn && !swap) {
    const n = npx * cn;
    const m = i8x16(0, Z, Z, Z, 1, Z, Z, Z, 2, Z, Z, Z, 3, Z, Z, Z);
    let p = src;
    let d = dst;
    if (cn != 3) {
      const a = cn == 1 ? splat4(A) : v128.load(A);
      const b = cn == 1 ? splat4(B) : v128.load(B);
      for (; i + 32 <= n; i += 32) {
        v128.store(d, cvt4(v128.load32_zero(p), m, a, b));
        v128.store(d, cvt4(v128.load32_zero(p, 4), m, a, b), 16);
        v128.store(d, cvt4(v128.load32_zero(p, 8), m, a, b), 32);
        v128.store(d, cvt4(v128.load32_zero(p, 12), m, a, b), 48);
        v128.store(d, cvt4(v128.load32_zero(p, 16), m, a, b), 64);
        v128.store(d, cvt4(v128.load32_zero(p, 20), m, a, b), 80);
        v128.store(d, cvt4(v128.load32_zero(p, 24), m, a, b), 96);
        v128.store(d, cvt4(v128.load32_zero(p, 28), m, a, b), 112);
        p += 32;
        d += 128;
      }
    } else {
      pattern3(A, B);
      const a0 = v128.load(PATTERN3), a1 = v128.load(PATTERN3, 16), a2 = v128.load(PATTERN3, 32);
      const b0 = v128.load(PATTERN3, 48), b1 = v128.load(PATTERN3, 64), b2 = v128.load(PATTERN3, 80);
      for (; i + 48 <= n; i += 48) {
        v128.store(d, cvt4(v128.load32_zero(p), m, a0, b0));
        v128.store(d, cvt4(v128.load32_zero(p, 4), m, a1, b1), 16);
        v128.store(d, cvt4(v128.load32_zero(p, 8), m, a2, b2), 32);
        v128.store(d, cvt4(v128.load32_zero(p, 12), m, a0, b0), 48);
        v128.store(d, cvt4(v128.load32_zero(p, 16), m, a1, b1), 64);
        v128.store(d, cvt4(v128.load32_zero(p, 20), m, a2, b2), 80);
        v128.store(d, cvt4(v128.load32_zero(p, 24), m, a0, b0), 96);
        v128.store(d, cvt4(v128.load32_zero(p, 28), m, a1, b1), 112);
        v128.store(d, cvt4(v128.load32_zero(p, 32), m, a2, b2), 128);
        v128.store(d, cvt4(v128.load32_zero(p, 36), m, a0, b0), 144);
        v128.store(d, cvt4(v128.load32_zero(p, 40), m, a1, b1), 160);
        v128.store(d, cvt4(v128.load32_zero(p, 44), m, a2, b2), 176);
        p += 48;
        d += 192;
      }
    }
    for (; i < n; i++) {
      const c = i % cn;
      store<f32>(dst + (<usize>i << 2), <f32>load<u8>(src + <usize>i) * load<f32>(A + (<usize>c << 2)) + load<f32>(B + (<usize>c << 2)));
    }
    return;
  }
  // NHWC with a channel swap or alpha dropped.
  if (C == 3) {
    // Constant masks per case pick each output vector's bytes (three masks: the pattern of bytes
    // repeats every 4 pixels, not every vector).
    pattern3(A, B);
    const a0 = v128.load(PATTERN3), a1 = v128.load(PATTERN3, 16), a2 = v128.load(PATTERN3, 32);
    const b0 = v128.load(PATTERN3, 48), b1 = v128.load(PATTERN3, 64), b2 = v128.load(PATTERN3, 80);
    if (cn == 3) {
      i = nhwc3(src, npx, 3, dst, i8x16(2, Z, Z, Z, 1, Z, Z, Z, 0, Z, Z, Z, 5, Z, Z, Z), i8x16(4, Z, Z, Z, 3, Z, Z, Z, 8, Z, Z, Z, 7, Z, Z, Z),
        i8x16(6, Z, Z, Z, 11, Z, Z, Z, 10, Z, Z, Z, 9, Z, Z, Z), a0, b0, a1, b1, a2, b2);
    } else if (swap) {
      i = nhwc3(src, npx, 4, dst, i8x16(2, Z, Z, Z, 1, Z, Z, Z, 0, Z, Z, Z, 6, Z, Z, Z), i8x16(5, Z, Z, Z, 4, Z, Z, Z, 10, Z, Z, Z, 9, Z, Z, Z),
        i8x16(8, Z, Z, Z, 14, Z, Z, Z, 13, Z, Z, Z, 12, Z, Z, Z), a0, b0, a1, b1, a2, b2);
    } else {
      i = nhwc3(src, npx, 4, dst, i8x16(0, Z, Z, Z, 1, Z, Z, Z, 2, Z, Z, Z, 4, Z, Z, Z), i8x16(5, Z, Z, Z, 6, Z, Z, Z, 8, Z, Z, Z, 9, Z, Z, Z),
        i8x16(10, Z, Z, Z, 12, Z, Z, Z, 13, Z, Z, Z, 14, Z, Z, Z), a0, b0, a1, b1, a2, b2);
    }
  } else if (C == 4) {
    // 4 → 4 with R and B swapped: one pixel per 4-byte load, one mask.
    const m = i8x16(2, Z, Z, Z, 1, Z, Z, Z, 0, Z, Z, Z, 3, Z, Z, Z);
    const a = v128.load(A), b = v128.load(B);
    let p = src;
    let d = dst;
    for (; i + 8 <= npx; i += 8) {
      v128.store(d, cvt4(v128.load32_zero(p), m, a, b));
      v128.store(d, cvt4(v128.load32_zero(p, 4), m, a, b), 16);
      v128.store(d, cvt4(v128.load32_zero(p, 8), m, a, b), 32);
      v128.store(d, cvt4(v128.load32_zero(p, 12), m, a, b), 48);
      v128.store(d, cvt4(v128.load32_zero(p, 16), m, a, b), 64);
      v128.store(d, cvt4(v128.load32_zero(p, 20), m, a, b), 80);
      v128.store(d, cvt4(v128.load32_zero(p, 24), m, a, b), 96);
      v128.store(d, cvt4(v128.load32_zero(p, 28), m, a, b), 112);
      p += 32;
      d += 128;
    }
  }
  for (; i < npx; i++) {
    const q = src + <usize>(i * cn);
    for (let c = 0; c < C; c++) {
      const ic = swap && c < 3 ? 2 - c : c;
      store<f32>(dst + (<usize>(i * C + c) << 2), <f32>load<u8>(q + <usize>ic) * load<f32>(A + (<usize>c << 2)) + load<f32>(B + (<usize>c << 2)));
    }
  }
}

/** Like normalizeRow but through a per-channel u8 table (256 bytes per output channel) into bytes. */
export function quantizeRow(src: usize, npx: i32, cn: i32, dst: usize, plane: i32, nhwc: bool, C: i32, swap: bool, lut: usize): void {
  for (let c = 0; c < C; c++) {
    const ic = <usize>(swap && c < 3 ? 2 - c : c);
    const t = lut + (<usize>c << 8);
    if (nhwc) {
      for (let i = 0; i < npx; i++) {
        store<u8>(dst + <usize>(i * C + c), load<u8>(t + <usize>load<u8>(src + <usize>(i * cn) + ic)));
      }
    } else {
      const d = dst + <usize>(c * plane);
      let i = 0;
      if (cn == 1) {
        // Unrolled by 4: loads of independent pixels overlap.
        for (; i + 4 <= npx; i += 4) {
          const x = load<u32>(src + <usize>i);
          const q = <u32>load<u8>(t + <usize>(x & 255)) | (<u32>load<u8>(t + <usize>((x >> 8) & 255)) << 8) |
            (<u32>load<u8>(t + <usize>((x >> 16) & 255)) << 16) | (<u32>load<u8>(t + <usize>(x >> 24)) << 24);
          store<u32>(d + <usize>i, q);
        }
      }
      for (; i < npx; i++) store<u8>(d + <usize>i, load<u8>(t + <usize>load<u8>(src + <usize>(i * cn) + ic)));
    }
  }
}

/**
 * Bilinear resize (tables as for resizeLinear) fused with normalize (kind 0) or quantize (kind 1):
 * each output row goes through `row` (an n-byte scratch) and is converted at once.
 * `elem` = bytes per output element (4 for f32, 1 for bytes); rows of the tensor are dw elements.
 */
export function resizeLinearConvert(
  src: usize, rowBytes: i32, n: i32, dh: i32,
  xoff: usize, alpha: usize, bbase: usize, bmask: usize, nblk: i32,
  ytab: usize, hbuf0: usize, hbuf1: usize, row: usize,
  kind: i32, cn: i32, dst: usize, nhwc: bool, C: i32, swap: bool, params: usize,
): void {
  const dw = n / cn;
  const plane = dw * dh;
  const elem: i32 = kind == 0 ? 4 : 1;
  resetLinearRowCache(hbuf0, hbuf1);
  for (let y = 0; y < dh; y++) {
    linearOutputRow(y, ytab, src, rowBytes, n, xoff, alpha, bbase, bmask, nblk, row);
    const d = dst + <usize>((nhwc ? y * dw * C : y * dw) * elem);
    if (kind == 0) normalizeRow(row, dw, cn, d, plane, nhwc, C, swap, params);
    else quantizeRow(row, dw, cn, d, plane, nhwc, C, swap, params);
  }
}

/**
 * One output pixel of the RGB bilinear resize + normalize, scalar (the same integer formula as
 * resizeLinear, then x*a+b); `o` = source byte offset of tap 0, `a01` = a0 | a1 << 16.
 */
@inline function rgbPixelScalar(
  s0: usize, s1: usize, o: i32, last: i32, a01: i32, b0: i32, b1: i32,
  d0: usize, d1: usize, d2: usize, x: i32, coef: usize, cR: usize, cB: usize,
): void {
  const a0 = <i32><i16>a01;
  const a1 = a01 >> 16;
  const o1 = o + 3 <= last ? o + 3 : o; // the right edge repeats (its weight is 0 there)
  for (let c = 0; c < 3; c++) {
    const p0 = <usize>(o + c);
    const p1 = <usize>(o1 + c);
    const h0 = (<i32>load<u8>(s0 + p0) * a0 + <i32>load<u8>(s0 + p1) * a1) >> 4;
    const h1 = (<i32>load<u8>(s1 + p0) * a0 + <i32>load<u8>(s1 + p1) * a1) >> 4;
    let v = (((h0 * b0) >> 16) + ((h1 * b1) >> 16) + 2) >> 2;
    v = v < 0 ? 0 : v > 255 ? 255 : v;
    const d = c == 0 ? d0 : c == 1 ? d1 : d2;
    const oc: usize = c == 0 ? cR : c == 1 ? 1 : cB; // output channel of input channel c
    store<f32>(d + (<usize>x << 2), <f32>v * load<f32>(coef + (oc << 2)) + load<f32>(coef + 12 + (oc << 2)));
  }
}

/** Horizontal taps of one RGB pixel: i32 lanes (h_R, h_G, h_B, 0), from 6 bytes at `p`. */
@inline function hpix(p: usize, a: v128): v128 {
  const taps = i8x16.swizzle(v128.load(p), i8x16(0, Z, 3, Z, 1, Z, 4, Z, 2, Z, 5, Z, Z, Z, Z, Z));
  return i32x4.dot_i16x8_s(taps, a);
}

/**
 * Vertical step of resizeLinear on i32 lanes (h0, h1 before their >> 4), converted to f32. No
 * clamp: h ≥ 0 and a0 + a1, b0 + b1 ≤ 2049 (two roundings of weights summing to 2048) bound the
 * result by ((255·2049 >> 4)·2049 >> 16 + 2) >> 2 = 255.
 */
@inline function vmix(h0: v128, h1: v128, B0: v128, B1: v128): v128 {
  const t0 = i32x4.shr_s(i32x4.mul(i32x4.shr_s(h0, 4), B0), 16);
  const t1 = i32x4.shr_s(i32x4.mul(i32x4.shr_s(h1, 4), B1), 16);
  return f32x4.convert_i32x4_s(i32x4.shr_s(i32x4.add(i32x4.add(t0, t1), i32x4.splat(2)), 2));
}

/**
 * Bilinear resize of a 3-channel u8 image fused with normalize into NCHW f32 (C = 3), computed per
 * output pixel straight from its 2×2 source taps (no intermediate rows): for 4 pixels, one load
 * and one constant swizzle per (pixel, source row) put the (tap0, tap1) pairs of R, G, B into i16
 * pairs, one dot with the pixel's (a0, a1) gives OpenCV's h = S0·a0 + S1·a1 per channel, a 4×4
 * transpose makes channel planes, then the vertical step and x·a + b run 4 pixels per vector.
 * Same integers as resizeLinear, hence the same bytes as cv::resize before the f32 step.
 * xt: per output pixel (i32 source byte offset of tap 0, i32 a0 | a1 << 16); pixels below `xv` may
 * load 16 bytes at their offset. ytab: as resizeLinear's. `coef` = a[3], b[3] in output order
 * (read only).
 */
export function resizeLinearNormalizeRgb(
  src: usize, rowBytes: i32, sh: i32, dw: i32, dh: i32, xt: usize, xv: i32, ytab: usize,
  dst: usize, swap: bool, coef: usize,
): void {
  const plane = <usize>(dw * dh) << 2;
  // Output planes and coefficients for input channels R, G, B (swap: input channel c → output 2 - c).
  const cR: usize = swap ? 2 : 0;
  const cB: usize = swap ? 0 : 2;
  const aR = v128.load32_splat(coef + (cR << 2)), aG = v128.load32_splat(coef + 4), aB = v128.load32_splat(coef + (cB << 2));
  const bR = v128.load32_splat(coef + 12 + (cR << 2)), bG = v128.load32_splat(coef + 16), bB = v128.load32_splat(coef + 12 + (cB << 2));
  const last = rowBytes - 3;
  const xv4 = xv & ~3;
  for (let y = 0; y < dh; y++) {
    const t = ytab + (<usize>y << 4);
    const s0 = src + <usize>(load<i32>(t) * rowBytes);
    const s1 = src + <usize>(load<i32>(t, 4) * rowBytes);
    const b0 = load<i32>(t, 8);
    const b1 = load<i32>(t, 12);
    const B0 = i32x4.splat(b0);
    const B1 = i32x4.splat(b1);
    const row = <usize>(y * dw) << 2;
    const dR = dst + row + cR * plane;
    const dG = dst + row + plane;
    const dB = dst + row + cB * plane;
    let x = 0;
    for (; x < xv4; x += 4) {
      const e = xt + (<usize>x << 3);
      const o0 = <usize>load<i32>(e), o1 = <usize>load<i32>(e, 8), o2 = <usize>load<i32>(e, 16), o3 = <usize>load<i32>(e, 24);
      const a0 = v128.load32_splat(e + 4), a1 = v128.load32_splat(e + 12), a2 = v128.load32_splat(e + 20), a3 = v128.load32_splat(e + 28);
      // Row 0 and row 1, pixels 0..3: lanes (R, G, B, 0).
      const p0 = hpix(s0 + o0, a0), p1 = hpix(s0 + o1, a1), p2 = hpix(s0 + o2, a2), p3 = hpix(s0 + o3, a3);
      const q0 = hpix(s1 + o0, a0), q1 = hpix(s1 + o1, a1), q2 = hpix(s1 + o2, a2), q3 = hpix(s1 + o3, a3);
      // Transpose to channel vectors (4 pixels each).
      const pl01 = i32x4.shuffle(p0, p1, 0, 4, 1, 5), pl23 = i32x4.shuffle(p2, p3, 0, 4, 1, 5);
      const ph01 = i32x4.shuffle(p0, p1, 2, 6, 3, 7), ph23 = i32x4.shuffle(p2, p3, 2, 6, 3, 7);
      const ql01 = i32x4.shuffle(q0, q1, 0, 4, 1, 5), ql23 = i32x4.shuffle(q2, q3, 0, 4, 1, 5);
      const qh01 = i32x4.shuffle(q0, q1, 2, 6, 3, 7), qh23 = i32x4.shuffle(q2, q3, 2, 6, 3, 7);
      const r = vmix(i64x2.shuffle(pl01, pl23, 0, 2), i64x2.shuffle(ql01, ql23, 0, 2), B0, B1);
      const g = vmix(i64x2.shuffle(pl01, pl23, 1, 3), i64x2.shuffle(ql01, ql23, 1, 3), B0, B1);
      const b = vmix(i64x2.shuffle(ph01, ph23, 0, 2), i64x2.shuffle(qh01, qh23, 0, 2), B0, B1);
      const o = <usize>x << 2;
      v128.store(dR + o, f32x4.add(f32x4.mul(r, aR), bR));
      v128.store(dG + o, f32x4.add(f32x4.mul(g, aG), bG));
      v128.store(dB + o, f32x4.add(f32x4.mul(b, aB), bB));
    }
    for (; x < dw; x++) {
      const e = xt + (<usize>x << 3);
      rgbPixelScalar(s0, s1, load<i32>(e), last, load<i32>(e, 4), b0, b1, dR, dG, dB, x, coef, cR, cB);
    }
  }
}
