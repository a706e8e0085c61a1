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

// Conversions use f32x4.convert_i32x4_s: the lanes hold 0..255, where it equals the unsigned form,
// and on x64 it is one cvtdq2ps while convert_i32x4_u expands to about eight instructions.

/** 16 u8 lanes → 4 f32x4 of x*a+b stored at d (16 consecutive floats). */
@inline function fma16(d: usize, x: v128, a: v128, b: v128): void {
  const lo = i16x8.extend_low_i8x16_u(x);
  const hi = i16x8.extend_high_i8x16_u(x);
  v128.store(d, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(lo)), a), b));
  v128.store(d, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(lo)), a), b), 16);
  v128.store(d, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(hi)), a), b), 32);
  v128.store(d, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(hi)), a), b), 48);
}

/** Same as fma16 but with per-lane coefficient vectors (NHWC: the channel pattern repeats every 3 vectors). */
@inline function fma16p(d: usize, x: v128, a0: v128, b0: v128, a1: v128, b1: v128, a2: v128, b2: v128, a3: v128, b3: v128): void {
  const lo = i16x8.extend_low_i8x16_u(x);
  const hi = i16x8.extend_high_i8x16_u(x);
  v128.store(d, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(lo)), a0), b0));
  v128.store(d, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(lo)), a1), b1), 16);
  v128.store(d, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(hi)), a2), b2), 32);
  v128.store(d, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(hi)), a3), b3), 48);
}

// Why the swizzles below are written with literal masks (never picked by `swap ? m : m'`): V8 emits
// a single pshufb for i8x16.swizzle only when it can see a constant mask whose lanes are < 16 or have
// the top bit set (Z). A mask that reaches it through a select or phi costs a paddusb, a constant
// load and a rematerialisation per use; that was 40% of the RGB loop's time.

/** x·a + b of the 4 bytes the mask `m` zero-extends into u32 lanes (deinterleave + widen in one pshufb). */
@inline function cvt4(v: v128, m: v128, a: v128, b: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i8x16.swizzle(v, m)), a), b);
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

/**
 * `npx` pixels of `cn` interleaved u8 channels → f32. coef = a[0..C), b[0..C) (f32), already in
 * output-channel order; `swap` picks input channel 2-c for output c < 3.
 */
export function normalizeRow(src: usize, npx: i32, cn: i32, dst: usize, plane: i32, nhwc: bool, C: i32, swap: bool, coef: usize): void {
  let i = 0;
  if (!nhwc) {
    const pl = <usize>plane << 2;
    if (cn == 1) {
      const a = splat4(coef);
      const b = splat4(coef + (<usize>C << 2));
      for (; i + 16 <= npx; i += 16) fma16(dst + (<usize>i << 2), v128.load(src + <usize>i), a, b);
    } else {
      // Channel c of 4 pixels is one swizzle of a load at +c (bytes 0, cn, 2cn, 3cn → u32 lanes),
      // so one constant mask serves every channel and V8 keeps it in a register (with one mask per
      // channel it rematerialises each mask, 4 instructions, at every use). Input channels 0..2 go
      // to planes o0, 1, o2 (swap: input c → output 2 − c): the swap moves destinations and
      // coefficients, not masks. Per 4 values: load, pshufb, cvtdq2ps, mulps, addps, store.
      const o0: usize = swap ? 2 : 0;
      const o2: usize = swap ? 0 : 2;
      const cb = coef + (<usize>C << 2);
      const a0 = splat4(coef + (o0 << 2)), a1 = splat4(coef + 4), a2 = splat4(coef + (o2 << 2));
      const b0 = splat4(cb + (o0 << 2)), b1 = splat4(cb + 4), b2 = splat4(cb + (o2 << 2));
      let d0 = dst + o0 * pl;
      let d1 = dst + pl;
      let d2 = dst + o2 * pl;
      let p = src;
      if (cn == 3) {
        const m = i8x16(0, Z, Z, Z, 3, Z, Z, Z, 6, Z, Z, Z, 9, Z, Z, Z);
        // 32 pixels per iteration (three 128-byte runs of stores); the last load ends 2 bytes past
        // the 32 pixels' 96, hence the 34.
        for (; i + 34 <= npx; i += 32) {
          v128.store(d0, cvt4(v128.load(p), m, a0, b0));
          v128.store(d1, cvt4(v128.load(p, 1), m, a1, b1));
          v128.store(d2, cvt4(v128.load(p, 2), m, a2, b2));
          v128.store(d0, cvt4(v128.load(p, 12), m, a0, b0), 16);
          v128.store(d1, cvt4(v128.load(p, 13), m, a1, b1), 16);
          v128.store(d2, cvt4(v128.load(p, 14), m, a2, b2), 16);
          v128.store(d0, cvt4(v128.load(p, 24), m, a0, b0), 32);
          v128.store(d1, cvt4(v128.load(p, 25), m, a1, b1), 32);
          v128.store(d2, cvt4(v128.load(p, 26), m, a2, b2), 32);
          v128.store(d0, cvt4(v128.load(p, 36), m, a0, b0), 48);
          v128.store(d1, cvt4(v128.load(p, 37), m, a1, b1), 48);
          v128.store(d2, cvt4(v128.load(p, 38), m, a2, b2), 48);
          v128.store(d0, cvt4(v128.load(p, 48), m, a0, b0), 64);
          v128.store(d1, cvt4(v128.load(p, 49), m, a1, b1), 64);
          v128.store(d2, cvt4(v128.load(p, 50), m, a2, b2), 64);
          v128.store(d0, cvt4(v128.load(p, 60), m, a0, b0), 80);
          v128.store(d1, cvt4(v128.load(p, 61), m, a1, b1), 80);
          v128.store(d2, cvt4(v128.load(p, 62), m, a2, b2), 80);
          v128.store(d0, cvt4(v128.load(p, 72), m, a0, b0), 96);
          v128.store(d1, cvt4(v128.load(p, 73), m, a1, b1), 96);
          v128.store(d2, cvt4(v128.load(p, 74), m, a2, b2), 96);
          v128.store(d0, cvt4(v128.load(p, 84), m, a0, b0), 112);
          v128.store(d1, cvt4(v128.load(p, 85), m, a1, b1), 112);
          v128.store(d2, cvt4(v128.load(p, 86), m, a2, b2), 112);
          p += 96;
          d0 += 128;
          d1 += 128;
          d2 += 128;
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
        // The load at +C-1 ends C-1 bytes past the 4 pixels: i + 5.
        if (C == 4) {
          const a3 = splat4(coef + 12), b3 = splat4(cb + 12);
          let d3 = dst + 3 * pl;
          for (; i + 5 <= npx; i += 4) {
            v128.store(d0, cvt4(v128.load(p), m, a0, b0));
            v128.store(d1, cvt4(v128.load(p, 1), m, a1, b1));
            v128.store(d2, cvt4(v128.load(p, 2), m, a2, b2));
            v128.store(d3, cvt4(v128.load(p, 3), m, a3, b3));
            p += 16;
            d0 += 16;
            d1 += 16;
            d2 += 16;
            d3 += 16;
          }
        } else {
          for (; i + 5 <= npx; i += 4) {
            v128.store(d0, cvt4(v128.load(p), m, a0, b0));
            v128.store(d1, cvt4(v128.load(p, 1), m, a1, b1));
            v128.store(d2, cvt4(v128.load(p, 2), m, a2, b2));
            p += 16;
            d0 += 16;
            d1 += 16;
            d2 += 16;
          }
        }
      }
    }
    for (; i < npx; i++) {
      const p = src + <usize>(i * cn);
      for (let c = 0; c < C; c++) {
        const ic = swap && c < 3 ? 2 - c : c;
        const x = <f32>load<u8>(p + <usize>ic);
        store<f32>(dst + (<usize>(c * plane + i) << 2), x * load<f32>(coef + (<usize>c << 2)) + load<f32>(coef + (<usize>(C + c) << 2)));
      }
    }
    return;
  }
  const A = coef;
  const B = coef + (<usize>C << 2);
  // NHWC. With C == cn and no swap the output is the input's element order: one FMA per element
  // with the per-channel pattern (period lcm(cn, 4) elements).
  if (C == cn && !swap) {
    const n = npx * cn;
    if (cn == 1) {
      const a = splat4(A), b = splat4(B);
      for (; i + 16 <= n; i += 16) fma16(dst + (<usize>i << 2), v128.load(src + <usize>i), a, b);
    } else if (cn == 4) {
      const a = v128.load(A), b = v128.load(B);
      for (; i + 16 <= n; i += 16) fma16(dst + (<usize>i << 2), v128.load(src + <usize>i), a, b);
    } else {
      // cn == 3: the 12-element pattern spans three vectors; 48 elements = 4 passes of fma16p.
      const a0 = f32x4(load<f32>(A), load<f32>(A, 4), load<f32>(A, 8), load<f32>(A));
      const a1 = f32x4(load<f32>(A, 4), load<f32>(A, 8), load<f32>(A), load<f32>(A, 4));
      const a2 = f32x4(load<f32>(A, 8), load<f32>(A), load<f32>(A, 4), load<f32>(A, 8));
      const b0 = f32x4(load<f32>(B), load<f32>(B, 4), load<f32>(B, 8), load<f32>(B));
      const b1 = f32x4(load<f32>(B, 4), load<f32>(B, 8), load<f32>(B), load<f32>(B, 4));
      const b2 = f32x4(load<f32>(B, 8), load<f32>(B), load<f32>(B, 4), load<f32>(B, 8));
      for (; i + 48 <= n; i += 48) {
        const d = dst + (<usize>i << 2);
        const p = src + <usize>i;
        fma16p(d, v128.load(p), a0, b0, a1, b1, a2, b2, a0, b0);
        fma16p(d + 64, v128.load(p, 16), a1, b1, a2, b2, a0, b0, a1, b1);
        fma16p(d + 128, v128.load(p, 32), a2, b2, a0, b0, a1, b1, a2, b2);
      }
    }
    for (; i < n; i++) {
      const c = i % cn;
      store<f32>(dst + (<usize>i << 2), <f32>load<u8>(src + <usize>i) * load<f32>(A + (<usize>c << 2)) + load<f32>(B + (<usize>c << 2)));
    }
    return;
  }
  // NHWC with a channel swap or alpha dropped: constant masks per case pick each output vector's bytes.
  if (C == 3) {
    const a0 = f32x4(load<f32>(A), load<f32>(A, 4), load<f32>(A, 8), load<f32>(A));
    const a1 = f32x4(load<f32>(A, 4), load<f32>(A, 8), load<f32>(A), load<f32>(A, 4));
    const a2 = f32x4(load<f32>(A, 8), load<f32>(A), load<f32>(A, 4), load<f32>(A, 8));
    const b0 = f32x4(load<f32>(B), load<f32>(B, 4), load<f32>(B, 8), load<f32>(B));
    const b1 = f32x4(load<f32>(B, 4), load<f32>(B, 8), load<f32>(B), load<f32>(B, 4));
    const b2 = f32x4(load<f32>(B, 8), load<f32>(B), load<f32>(B, 4), load<f32>(B, 8));
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
    // 4 → 4 with R and B swapped: one pixel per output vector.
    const a = v128.load(A), b = v128.load(B);
    let d = dst;
    for (; i + 4 <= npx; i += 4) {
      const v = v128.load(src + (<usize>i << 2));
      v128.store(d, cvt4(v, i8x16(2, Z, Z, Z, 1, Z, Z, Z, 0, Z, Z, Z, 3, Z, Z, Z), a, b));
      v128.store(d, cvt4(v, i8x16(6, Z, Z, Z, 5, Z, Z, Z, 4, Z, Z, Z, 7, Z, Z, Z), a, b), 16);
      v128.store(d, cvt4(v, i8x16(10, Z, Z, Z, 9, Z, Z, Z, 8, Z, Z, Z, 11, Z, Z, Z), a, b), 32);
      v128.store(d, cvt4(v, i8x16(14, Z, Z, Z, 13, Z, Z, Z, 12, Z, Z, Z, 15, Z, Z, Z), a, b), 48);
      d += 64;
    }
  }
  for (; i < npx; i++) {
    const p = src + <usize>(i * cn);
    for (let c = 0; c < C; c++) {
      const ic = swap && c < 3 ? 2 - c : c;
      const x = <f32>load<u8>(p + <usize>ic);
      store<f32>(dst + (<usize>(i * C + c) << 2), x * load<f32>(A + (<usize>c << 2)) + load<f32>(B + (<usize>c << 2)));
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
