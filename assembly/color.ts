// Kernel family: colour conversion, byte-identical with OpenCV 4.6's cvtColor.
//
// RGB→gray: OpenCV 4.x uses 15-bit coefficients (RY15/GY15/BY15 in color.hpp), not the 14-bit
// 4899/9617/1868 of older releases: Y = (9798 R + 19235 G + 3735 B + 16384) >> 15. Checked on all
// 2^24 colours against python3-opencv 4.6 (the 14-bit formula differs on 43,864 of them).
//
// YUV→RGB (YUYV, NV12, I420): OpenCV's BT.601 "video range" fixed point with 20 fraction bits
// (ITUR_BT_601_* in color_yuv.simd.hpp), again checked on every (Y, U, V) triple:
//   y' = max(Y - 16, 0) * 1220542
//   R = (y' + 2^19 + 1673527 (V-128)) >> 20
//   G = (y' + 2^19 - 852492 (V-128) - 409993 (U-128)) >> 20
//   B = (y' + 2^19 + 2116026 (U-128)) >> 20        (each saturated to 0..255)

const RY: i32 = 9798;
const GY: i32 = 19235;
const BY: i32 = 3735;
const GRAY_SHIFT: i32 = 15;

const CY: i32 = 1220542;
const CUB: i32 = 2116026;
const CUG: i32 = -409993;
const CVG: i32 = -852492;
const CVR: i32 = 1673527;
const YUV_HALF: i32 = 1 << 19;

// Swizzle index 0x80 (-128 as i8) produces a zero byte: used to zero-extend u8 into i16 lanes.
const Z: i8 = -128;

/**
 * Gray from 4 interleaved pixels at `p` (bytes 0..11 for RGB, 0..15 for RGBA): the (first, second)
 * bytes are dotted with (c0, G) and (third, 1) with (c2, 16384), i.e. the exact 15-bit sum.
 */
@inline function gray4(p: usize, mRG: v128, mB: v128, one: v128, cRG: v128, cB: v128): v128 {
  const v = v128.load(p);
  const rg = i8x16.swizzle(v, mRG);
  const b1 = v128.or(i8x16.swizzle(v, mB), one);
  const s = i32x4.add(i32x4.dot_i16x8_s(rg, cRG), i32x4.dot_i16x8_s(b1, cB));
  return i32x4.shr_u(s, GRAY_SHIFT);
}

/**
 * dst[i] = gray of the i-th pixel of an interleaved RGB(A)/BGR(A) image, as cvtColor(…2GRAY).
 * `cn` is 3 or 4; `bgr` swaps the first and third channel's coefficients.
 */
export function rgbToGray(src: usize, dst: usize, n: i32, cn: i32, bgr: bool): void {
  const c0 = bgr ? BY : RY;
  const c2 = bgr ? RY : BY;
  const cRG = i32x4.splat((GY << 16) | c0);
  const cB = i32x4.splat((16384 << 16) | c2);
  const one = i32x4.splat(0x10000); // a 1 in every odd i16 lane
  let i = 0;
  if (cn == 3) {
    const mRG = i8x16(0, Z, 1, Z, 3, Z, 4, Z, 6, Z, 7, Z, 9, Z, 10, Z);
    const mB = i8x16(2, Z, Z, Z, 5, Z, Z, Z, 8, Z, Z, Z, 11, Z, Z, Z);
    // The last 4-pixel load reads 4 bytes past the 16 pixels: stop 2 pixels early.
    for (; i + 18 <= n; i += 16) {
      const p = src + <usize>(i * 3);
      const a = gray4(p, mRG, mB, one, cRG, cB);
      const b = gray4(p + 12, mRG, mB, one, cRG, cB);
      const c = gray4(p + 24, mRG, mB, one, cRG, cB);
      const d = gray4(p + 36, mRG, mB, one, cRG, cB);
      v128.store(dst + <usize>i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d)));
    }
  } else {
    const mRG = i8x16(0, Z, 1, Z, 4, Z, 5, Z, 8, Z, 9, Z, 12, Z, 13, Z);
    const mB = i8x16(2, Z, Z, Z, 6, Z, Z, Z, 10, Z, Z, Z, 14, Z, Z, Z);
    for (; i + 16 <= n; i += 16) {
      const p = src + <usize>(i * 4);
      const a = gray4(p, mRG, mB, one, cRG, cB);
      const b = gray4(p + 16, mRG, mB, one, cRG, cB);
      const c = gray4(p + 32, mRG, mB, one, cRG, cB);
      const d = gray4(p + 48, mRG, mB, one, cRG, cB);
      v128.store(dst + <usize>i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d)));
    }
  }
  for (; i < n; i++) {
    const p = src + <usize>(i * cn);
    const s = c0 * <i32>load<u8>(p) + GY * <i32>load<u8>(p, 1) + c2 * <i32>load<u8>(p, 2) + (1 << (GRAY_SHIFT - 1));
    store<u8>(dst + <usize>i, <u8>(s >> GRAY_SHIFT));
  }
}

/** Gray from packed YUYV (YUY2): the Y bytes, as cvtColor(COLOR_YUV2GRAY_YUYV). `n` = pixels. */
export function yuyvToGray(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = src + <usize>(i * 2);
    const y = i8x16.shuffle(v128.load(p), v128.load(p, 16), 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    v128.store(dst + <usize>i, y);
  }
  for (; i < n; i++) store<u8>(dst + <usize>i, load<u8>(src + <usize>(i * 2)));
}

// ---- YUV → RGB ----

/** One channel of 4 pixels: (y' + uv) >> 20 as i32x4. */
@inline function ch4(y: v128, uv: v128): v128 {
  return i32x4.shr_s(i32x4.add(y, uv), 20);
}

/** Saturates 16 i32 values (4 vectors) to u8. */
@inline function pack16(a: v128, b: v128, c: v128, d: v128): v128 {
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
}

/** Stores 16 R, G, B bytes interleaved as 48 bytes of RGB. */
@inline function storeRgb16(dst: usize, r: v128, g: v128, b: v128): void {
  // out0 = R0 G0 B0 R1 G1 B1 R2 G2 B2 R3 G3 B3 R4 G4 B4 R5
  const rg0 = i8x16.shuffle(r, g, 0, 16, 0, 1, 17, 1, 2, 18, 2, 3, 19, 3, 4, 20, 4, 5);
  v128.store(dst, i8x16.shuffle(rg0, b, 0, 1, 16, 3, 4, 17, 6, 7, 18, 9, 10, 19, 12, 13, 20, 15));
  // out1 = G5 B5 R6 G6 B6 R7 G7 B7 R8 G8 B8 R9 G9 B9 R10 G10
  const rg1 = i8x16.shuffle(r, g, 21, 5, 6, 22, 6, 7, 23, 7, 8, 24, 8, 9, 25, 9, 10, 26);
  v128.store(dst, i8x16.shuffle(rg1, b, 0, 21, 2, 3, 22, 5, 6, 23, 8, 9, 24, 11, 12, 25, 14, 15), 16);
  // out2 = B10 R11 G11 B11 R12 G12 B12 R13 G13 B13 R14 G14 B14 R15 G15 B15
  const rg2 = i8x16.shuffle(r, g, 10, 11, 27, 11, 12, 28, 12, 13, 29, 13, 14, 30, 14, 15, 31, 15);
  v128.store(dst, i8x16.shuffle(rg2, b, 26, 1, 2, 27, 4, 5, 28, 7, 8, 29, 10, 11, 30, 13, 14, 31), 32);
}

/**
 * 16 pixels of RGB from 16 Y bytes and 8 U and 8 V bytes (each chroma sample covers two adjacent
 * pixels; `u8`/`v8` hold them in their low 8 lanes).
 */
@inline function yuv16(dst: usize, y16: v128, u8: v128, v8: v128): void {
  const cy = i32x4.splat(CY);
  const half = i32x4.splat(YUV_HALF);
  // y' = max(Y - 16, 0) * CY, 4 pixels per vector
  const ys = i8x16.sub_sat_u(y16, i8x16.splat(16));
  const ylo = i16x8.extend_low_i8x16_u(ys);
  const yhi = i16x8.extend_high_i8x16_u(ys);
  const y0 = i32x4.mul(i32x4.extend_low_i16x8_u(ylo), cy);
  const y1 = i32x4.mul(i32x4.extend_high_i16x8_u(ylo), cy);
  const y2 = i32x4.mul(i32x4.extend_low_i16x8_u(yhi), cy);
  const y3 = i32x4.mul(i32x4.extend_high_i16x8_u(yhi), cy);
  // Chroma - 128 as i32, 4 samples per vector.
  const u16 = i16x8.sub(i16x8.extend_low_i8x16_u(u8), i16x8.splat(128));
  const v16 = i16x8.sub(i16x8.extend_low_i8x16_u(v8), i16x8.splat(128));
  const ua = i32x4.extend_low_i16x8_s(u16);
  const ub = i32x4.extend_high_i16x8_s(u16);
  const va = i32x4.extend_low_i16x8_s(v16);
  const vb = i32x4.extend_high_i16x8_s(v16);
  const ra = i32x4.add(i32x4.mul(va, i32x4.splat(CVR)), half);
  const rb = i32x4.add(i32x4.mul(vb, i32x4.splat(CVR)), half);
  const ga = i32x4.add(i32x4.add(i32x4.mul(va, i32x4.splat(CVG)), i32x4.mul(ua, i32x4.splat(CUG))), half);
  const gb = i32x4.add(i32x4.add(i32x4.mul(vb, i32x4.splat(CVG)), i32x4.mul(ub, i32x4.splat(CUG))), half);
  const ba = i32x4.add(i32x4.mul(ua, i32x4.splat(CUB)), half);
  const bb = i32x4.add(i32x4.mul(ub, i32x4.splat(CUB)), half);
  // Each chroma term serves two pixels: [c0 c0 c1 c1] and [c2 c2 c3 c3].
  const r = pack16(
    ch4(y0, i32x4.shuffle(ra, ra, 0, 0, 1, 1)), ch4(y1, i32x4.shuffle(ra, ra, 2, 2, 3, 3)),
    ch4(y2, i32x4.shuffle(rb, rb, 0, 0, 1, 1)), ch4(y3, i32x4.shuffle(rb, rb, 2, 2, 3, 3)));
  const g = pack16(
    ch4(y0, i32x4.shuffle(ga, ga, 0, 0, 1, 1)), ch4(y1, i32x4.shuffle(ga, ga, 2, 2, 3, 3)),
    ch4(y2, i32x4.shuffle(gb, gb, 0, 0, 1, 1)), ch4(y3, i32x4.shuffle(gb, gb, 2, 2, 3, 3)));
  const b = pack16(
    ch4(y0, i32x4.shuffle(ba, ba, 0, 0, 1, 1)), ch4(y1, i32x4.shuffle(ba, ba, 2, 2, 3, 3)),
    ch4(y2, i32x4.shuffle(bb, bb, 0, 0, 1, 1)), ch4(y3, i32x4.shuffle(bb, bb, 2, 2, 3, 3)));
  storeRgb16(dst, r, g, b);
}

@inline function sat(v: i32): u8 {
  return <u8>(v < 0 ? 0 : v > 255 ? 255 : v);
}

/** One pixel, scalar (the same formula as the vector path). */
@inline function yuvPixel(dst: usize, y: i32, u: i32, v: i32): void {
  const yy = (y > 16 ? y - 16 : 0) * CY;
  const uu = u - 128;
  const vv = v - 128;
  store<u8>(dst, sat((yy + YUV_HALF + CVR * vv) >> 20));
  store<u8>(dst, sat((yy + YUV_HALF + CVG * vv + CUG * uu) >> 20), 1);
  store<u8>(dst, sat((yy + YUV_HALF + CUB * uu) >> 20), 2);
}

/**
 * One row of RGB from a Y row and chroma rows where sample k sits at `uRow + k*cstep` and
 * `vRow + k*cstep` (NV12: cstep 2, V = U + 1; I420: cstep 1). `width` is even.
 */
function yuv420Row(yRow: usize, uRow: usize, vRow: usize, cstep: i32, dst: usize, width: i32): void {
  let x = 0;
  if (cstep == 2) {
    // NV12: 16 interleaved UV bytes give 8 U and 8 V.
    for (; x + 16 <= width; x += 16) {
      const uv = v128.load(uRow + <usize>x);
      const u = i8x16.shuffle(uv, uv, 0, 2, 4, 6, 8, 10, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0);
      const v = i8x16.shuffle(uv, uv, 1, 3, 5, 7, 9, 11, 13, 15, 0, 0, 0, 0, 0, 0, 0, 0);
      yuv16(dst + <usize>(x * 3), v128.load(yRow + <usize>x), u, v);
    }
  } else {
    for (; x + 16 <= width; x += 16) {
      const c = <usize>(x >> 1);
      yuv16(dst + <usize>(x * 3), v128.load(yRow + <usize>x), v128.load64_zero(uRow + c), v128.load64_zero(vRow + c));
    }
  }
  for (; x < width; x++) {
    const c = <usize>((x >> 1) * cstep);
    yuvPixel(dst + <usize>(x * 3), <i32>load<u8>(yRow + <usize>x), <i32>load<u8>(uRow + c), <i32>load<u8>(vRow + c));
  }
}

/** NV12 (Y plane, then interleaved UV at half resolution) → RGB, as cvtColor(COLOR_YUV2RGB_NV12). */
export function nv12ToRgb(src: usize, dst: usize, width: i32, height: i32): void {
  const uvPlane = src + <usize>(width * height);
  for (let y = 0; y < height; y++) {
    const uv = uvPlane + <usize>((y >> 1) * width);
    yuv420Row(src + <usize>(y * width), uv, uv + 1, 2, dst + <usize>(y * width * 3), width);
  }
}

/** I420 (Y plane, U plane, V plane, chroma at half resolution) → RGB, as cvtColor(COLOR_YUV2RGB_I420). */
export function i420ToRgb(src: usize, dst: usize, width: i32, height: i32): void {
  const uPlane = src + <usize>(width * height);
  const vPlane = uPlane + <usize>((width >> 1) * (height >> 1));
  for (let y = 0; y < height; y++) {
    const c = <usize>((y >> 1) * (width >> 1));
    yuv420Row(src + <usize>(y * width), uPlane + c, vPlane + c, 1, dst + <usize>(y * width * 3), width);
  }
}

/** Packed YUYV (Y0 U Y1 V per pixel pair) → RGB, as cvtColor(COLOR_YUV2RGB_YUYV). `n` = pixels (even). */
export function yuyvToRgb(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = src + <usize>(i * 2);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const y = i8x16.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const u = i8x16.shuffle(a, b, 1, 5, 9, 13, 17, 21, 25, 29, 0, 0, 0, 0, 0, 0, 0, 0);
    const v = i8x16.shuffle(a, b, 3, 7, 11, 15, 19, 23, 27, 31, 0, 0, 0, 0, 0, 0, 0, 0);
    yuv16(dst + <usize>(i * 3), y, u, v);
  }
  for (; i < n; i++) {
    const pair = src + <usize>((i >> 1) * 4);
    yuvPixel(dst + <usize>(i * 3), <i32>load<u8>(src + <usize>(i * 2)), <i32>load<u8>(pair, 1), <i32>load<u8>(pair, 3));
  }
}
