// Kernel family: thresholding. Binary masks are 0/255 like OpenCV's.
import { vecEnd } from "./util/simd";

/**
 * dst[i] = src[i] > value ? 255 : 0 (or the inverse), OpenCV THRESH_BINARY(_INV) with maxval 255.
 * `value` is an integer 0..255 (the wrapper floors fractional thresholds the way OpenCV does for u8).
 */
export function thresholdBinary(src: usize, dst: usize, n: i32, value: i32, inverse: bool): void {
  if (value >= 255) {
    memory.fill(dst, inverse ? 255 : 0, <usize>n);
    return;
  }
  if (value < 0) {
    memory.fill(dst, inverse ? 0 : 255, <usize>n);
    return;
  }
  // Unsigned compare via min: x > t  <=>  min(x, t) != x.
  const t = i8x16.splat(<i8>value);
  const flip = inverse ? i8x16.splat(-1) : i8x16.splat(0);
  const end = vecEnd(n);
  let i = 0;
  for (; i < end; i += 16) {
    const x = v128.load(src + <usize>i);
    const le = i8x16.eq(v128.min<u8>(x, t), x); // x <= t
    v128.store(dst + <usize>i, v128.xor(v128.not(le), flip));
  }
  for (; i < n; i++) {
    const above = <i32>load<u8>(src + <usize>i) > value;
    store<u8>(dst + <usize>i, above != inverse ? 255 : 0);
  }
}
