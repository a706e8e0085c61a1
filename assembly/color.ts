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
 * Gray from 4 interleaved pixels at `p` (bytes 0..11 for RGB, 0..15 for RGBA), as i32 lanes
 * holding sum >> 14 (no rounding yet: see gray16), where sum = two i32x4.dot_i16x8_s of
 * zero-extended channel pairs with the coefficient pairs k1, k2:
 *  - RGB: pshufb to (first, G) and (third, 0) pairs; k1 = (c0, GY), k2 = (c2, 0).
 *  - RGBA: the pixel is already one i32 lane, so a mask gives (first, third) and a 16-bit shift
 *    gives (G, A); k1 = (c0, c2), k2 = (GY, 0). Why: on this x64 (Zen 4) pshufb, shifts and packs
 *    share two ports that pmaddwd also uses, and those ports bound the kernel; the mask is a plain
 *    ALU op, so RGBA went from 0.32 to 0.29 ms at 1080p. RGB has no such layout: each 4-pixel
 *    load needs two byte shuffles whatever the arithmetic after them.
 * The swizzle masks stay literal constants: V8 then emits a bare pshufb, whereas a mask held in a
 * local (not provably in range) costs an extra saturating add per swizzle.
 */
@inline function gray4(p: usize, k1: v128, k2: v128, cn: i32): v128 {
  const v = v128.load(p);
  let x: v128, y: v128;
  if (cn == 3) {
    x = i8x16.swizzle(v, i8x16(0, Z, 1, Z, 3, Z, 4, Z, 6, Z, 7, Z, 9, Z, 10, Z));
    y = i8x16.swizzle(v, i8x16(2, Z, Z, Z, 5, Z, Z, Z, 8, Z, Z, Z, 11, Z, Z, Z));
  } else {
    x = v128.and(v, i16x8.splat(0xff));
    y = i16x8.shr_u(v, 8);
  }
  return i32x4.shr_u(i32x4.add(i32x4.dot_i16x8_s(x, k1), i32x4.dot_i16x8_s(y, k2)), GRAY_SHIFT - 1);
}

/**
 * 16 gray bytes from 16 pixels at `p`. Rounding: avgr_u(sum >> 14, 0) = ((sum >> 14) + 1) >> 1
 * = (sum + 2^14) >> 15 exactly, done on i16 lanes (two ops instead of four i32 ones).
 */
@inline function gray16(dst: usize, p: usize, k1: v128, k2: v128, cn: i32): void {
  const zero = i32x4.splat(0);
  const a = gray4(p, k1, k2, cn);
  const b = gray4(p + <usize>(4 * cn), k1, k2, cn);
  const c = gray4(p + <usize>(8 * cn), k1, k2, cn);
  const d = gray4(p + <usize>(12 * cn), k1, k2, cn);
  const lo = i16x8.avgr_u(i16x8.narrow_i32x4_s(a, b), zero);
  const hi = i16x8.avgr_u(i16x8.narrow_i32x4_s(c, d), zero);
  v128.store(dst, i8x16.narrow_i16x8_u(lo, hi));
}

/**
 * dst[i] = gray of the i-th pixel of an interleaved RGB(A)/BGR(A) image, as cvtColor(…2GRAY).
 * `cn` is 3 or 4; `bgr` swaps the first and third channel's coefficients.
 *
 * Speed bound (RGB, 1080p, measured by bench/gray-bound.ts): per 16 pixels this is 8 pshufb +
 * 8 pmaddwd + 4 adds + 4 shifts + 3 packs + 2 averages, ~0.32 ms. The shuffles, multiplies and
 * packs alone (no bit alignment or rounding, output wrong) already take ~0.27 ms, about 3.1× the
 * 0.087 ms memcpy floor. Exact 15-bit math has no narrower form in wasm SIMD 128 (no 8-bit
 * multiply-add, no high-half multiply; 3-byte pixels need a byte shuffle per dot input), so RGB
 * stays at ~3.7× the floor.
 */
export function rgbToGray(src: usize, dst: usize, n: i32, cn: i32, bgr: bool): void {
  const c0 = bgr ? BY : RY;
  const c2 = bgr ? RY : BY;
  let i = 0;
  // 64 pixels per iteration, then 16: using the constants in two vector loops makes V8 keep
  // them in registers outside both (with one loop it rebuilt the masks in every iteration).
  if (cn == 3) {
    const k1 = i32x4.splat((GY << 16) | c0);
    const k2 = i32x4.splat(c2);
    // The last 4-pixel load reads 4 bytes past its 12: stop 2 pixels early.
    for (; i + 66 <= n; i += 64) {
      const p = src + <usize>(i * 3);
      const q = dst + <usize>i;
      gray16(q, p, k1, k2, 3);
      gray16(q + 16, p + 48, k1, k2, 3);
      gray16(q + 32, p + 96, k1, k2, 3);
      gray16(q + 48, p + 144, k1, k2, 3);
    }
    for (; i + 18 <= n; i += 16) gray16(dst + <usize>i, src + <usize>(i * 3), k1, k2, 3);
  } else {
    const k1 = i32x4.splat((c2 << 16) | c0);
    const k2 = i32x4.splat(GY);
    for (; i + 64 <= n; i += 64) {
      const p = src + <usize>(i * 4);
      const q = dst + <usize>i;
      gray16(q, p, k1, k2, 4);
      gray16(q + 16, p + 64, k1, k2, 4);
      gray16(q + 32, p + 128, k1, k2, 4);
      gray16(q + 48, p + 192, k1, k2, 4);
    }
    for (; i + 16 <= n; i += 16) gray16(dst + <usize>i, src + <usize>(i * 4), k1, k2, 4);
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

// Layout of the vector path: pixels are handled as chroma pairs (2k, 2k+1). A "group" is 4 pairs
// (8 pixels) with i32 lanes = pairs: ye/yo = max(Y-16, 0) of the even/odd pixel, u/v = raw chroma.
// Every chroma term then serves both pixels of its lane without any lane duplication, and the
// -128 and the rounding half fold into per-channel constants: R = (ye*CY + v*CVR + KR) >> 20, …
const KR: i32 = YUV_HALF - 128 * CVR;
const KG: i32 = YUV_HALF - 128 * (CVG + CUG);
const KB: i32 = YUV_HALF - 128 * CUB;

/**
 * One group (8 pixels, 24 bytes at `dst`). Output: three saturating packs give the bytes
 * p = [Re Ro Ge Go] and q = [Be Bo …] (4 pairs each); each 16/8-byte store is then OR of one pshufb
 * of p and one of q. Constant-mask swizzles (not i8x16.shuffle of p, q, which V8 lowers with
 * both masks rebuilt inline) keep this at 11 vector ops per group instead of the 14 of a 64-bit
 * unpack scheme: ~11% faster for all three formats. The second store is exactly 8 bytes, so
 * nothing past the group is written.
 */
@inline function yuvGroup(dst: usize, ye: v128, yo: v128, u: v128, v: v128): void {
  const cy = i32x4.splat(CY);
  const yE = i32x4.mul(ye, cy);
  const yO = i32x4.mul(yo, cy);
  const rc = i32x4.add(i32x4.mul(v, i32x4.splat(CVR)), i32x4.splat(KR));
  const gc = i32x4.add(i32x4.add(i32x4.mul(v, i32x4.splat(CVG)), i32x4.mul(u, i32x4.splat(CUG))), i32x4.splat(KG));
  const bc = i32x4.add(i32x4.mul(u, i32x4.splat(CUB)), i32x4.splat(KB));
  const re = i32x4.shr_s(i32x4.add(yE, rc), 20);
  const ro = i32x4.shr_s(i32x4.add(yO, rc), 20);
  const ge = i32x4.shr_s(i32x4.add(yE, gc), 20);
  const go = i32x4.shr_s(i32x4.add(yO, gc), 20);
  const be = i32x4.shr_s(i32x4.add(yE, bc), 20);
  const bo = i32x4.shr_s(i32x4.add(yO, bc), 20);
  const p = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(re, ro), i16x8.narrow_i32x4_s(ge, go));
  const b = i16x8.narrow_i32x4_s(be, bo);
  const q = i8x16.narrow_i16x8_u(b, b);
  const out0 = v128.or(
    i8x16.swizzle(p, i8x16(0, 8, Z, 4, 12, Z, 1, 9, Z, 5, 13, Z, 2, 10, Z, 6)),
    i8x16.swizzle(q, i8x16(Z, Z, 0, Z, Z, 4, Z, Z, 1, Z, Z, 5, Z, Z, 2, Z)),
  );
  const out1 = v128.or(
    i8x16.swizzle(p, i8x16(14, Z, 3, 11, Z, 7, 15, Z, Z, Z, Z, Z, Z, Z, Z, Z)),
    i8x16.swizzle(q, i8x16(Z, 6, Z, Z, 3, Z, Z, 7, Z, Z, Z, Z, Z, Z, Z, Z)),
  );
  v128.store(dst, out0);
  v128.store64_lane(dst, out1, 0, 16);
}

/** 16 pixels from 16 Y bytes and 8 U and 8 V as the low bytes of i16 lanes (u16, v16). */
@inline function yuv16(dst: usize, y16: v128, u16: v128, v16: v128): void {
  const ys = i8x16.sub_sat_u(y16, i8x16.splat(16));
  const ye = v128.and(ys, i16x8.splat(0xff));
  const yo = i16x8.shr_u(ys, 8);
  yuvGroup(dst, i32x4.extend_low_i16x8_u(ye), i32x4.extend_low_i16x8_u(yo), i32x4.extend_low_i16x8_u(u16), i32x4.extend_low_i16x8_u(v16));
  yuvGroup(dst + 24, i32x4.extend_high_i16x8_u(ye), i32x4.extend_high_i16x8_u(yo), i32x4.extend_high_i16x8_u(u16), i32x4.extend_high_i16x8_u(v16));
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
      // 16 interleaved UV bytes as i16 lanes: U in the low byte, V in the high byte.
      const uv = v128.load(uRow + <usize>x);
      yuv16(dst + <usize>(x * 3), v128.load(yRow + <usize>x), v128.and(uv, i16x8.splat(0xff)), i16x8.shr_u(uv, 8));
    }
  } else {
    for (; x + 16 <= width; x += 16) {
      const c = <usize>(x >> 1);
      yuv16(dst + <usize>(x * 3), v128.load(yRow + <usize>x), v128.load8x8_u(uRow + c), v128.load8x8_u(vRow + c));
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

/** One group (4 pairs, 8 pixels) from 16 YUYV bytes: Y0 U Y1 V = one pair = one i32 lane. */
@inline function yuyvGroup(dst: usize, a: v128): void {
  const ys = i8x16.sub_sat_u(a, i32x4.splat(0x00100010)); // 16 off both Y bytes, saturating
  const lo = i32x4.splat(0xff);
  yuvGroup(dst, v128.and(ys, lo), v128.and(i32x4.shr_u(ys, 16), lo), v128.and(i32x4.shr_u(a, 8), lo), i32x4.shr_u(a, 24));
}

/** Packed YUYV (Y0 U Y1 V per pixel pair) → RGB, as cvtColor(COLOR_YUV2RGB_YUYV). `n` = pixels (even). */
export function yuyvToRgb(src: usize, dst: usize, n: i32): void {
  let i = 0;
  // Two groups per iteration, and the one-group loop after it, are what make V8 (TurboFan) keep
  // yuvGroup's ~12 constant vectors out of the loop: with a single 8-pixel loop it rebuilt them
  // every iteration (movq/vmovq/vpunpcklqdq each) and ran 1.8× slower (1.84 vs 1.03 ms at 1080p).
  for (; i + 16 <= n; i += 16) {
    const p = src + <usize>(i * 2);
    const q = dst + <usize>(i * 3);
    yuyvGroup(q, v128.load(p));
    yuyvGroup(q + 24, v128.load(p, 16));
  }
  for (; i + 8 <= n; i += 8) yuyvGroup(dst + <usize>(i * 3), v128.load(src + <usize>(i * 2)));
  for (; i < n; i++) {
    const pair = src + <usize>((i >> 1) * 4);
    yuvPixel(dst + <usize>(i * 3), <i32>load<u8>(src + <usize>(i * 2)), <i32>load<u8>(pair, 1), <i32>load<u8>(pair, 3));
  }
}
