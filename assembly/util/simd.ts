// Shared @inline helpers for SIMD kernels.

/** Number of bytes processed by the vector body of a loop over `n` bytes. */
@inline export function vecEnd(n: i32): i32 {
  return n & ~15;
}

@inline export function clampU8(v: i32): u8 {
  return <u8>(v < 0 ? 0 : v > 255 ? 255 : v);
}
