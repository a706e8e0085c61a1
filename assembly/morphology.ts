// Kernel family: morphology (erode/dilate with any structuring element made of row runs).
//
// A structuring element arrives as a union of rectangles (built by src/kernels/morphology.ts from
// OpenCV's getStructuringElement): erosion by a union is the minimum of the erosions by each
// rectangle, and each rectangle is separable. Per output row:
//   1. vertical min over the rectangle's rows, 16 pixels per vector, into a padded row buffer;
//   2. horizontal min over the rectangle's columns from that buffer, written to (or min'ed into)
//      the destination row.
// Pixels outside the image never take part (OpenCV's default border: +inf for erode, -inf for
// dilate), which the row buffer's identity padding and row clipping implement.
//
// For rectangles the vertical cost does not grow with the height: tall ones use van Herk/Gil-Werman
// (two running minima per block of rows, three min ops per pixel, kept in registers over column
// chunks). Wide ones use doubling steps, in registers up to 16 columns (pairs from two overlapping
// loads, then byte shifts across neighbouring vectors) and in the L1 row buffer beyond, so the
// horizontal cost grows with log2 of the width only. These loops run at the machine's instruction
// throughput (about 6 per cycle on the development machine), so they are written for few
// instructions per vector: unrolled, no spills, constant offsets in the loads' immediates.
// Ellipses and crosses are nested rectangles: one running vertical min per row is grown by each
// rectangle's extra rows. 3×3, the common case, has its own register-only path.
// Dilation is the same code with max.

/** Rectangles taller than this use van Herk/Gil-Werman; shorter ones a direct min over their rows. */
const DIRECT_ROWS: i32 = 3;
/** Rectangles wider than this use doubling steps; narrower ones a direct min over their columns. */
const DIRECT_COLS: i32 = 4;
/** Rectangles up to this wide do their doubling steps in registers; wider ones in the row buffer. */
const MAX_REG_COLS: i32 = 16;

/** Where hRegLoop's touching loads end up (a global, so that the optimizer keeps them). */
let touchSink: u32 = 0;

@inline function vop(a: v128, b: v128, dilate: bool): v128 {
  return dilate ? v128.max<u8>(a, b) : v128.min<u8>(a, b);
}

@inline function sop(a: u32, b: u32, dilate: bool): u32 {
  return dilate ? (a > b ? a : b) : a < b ? a : b;
}

/** out[x] = op over rows y0..y1 (inclusive, y0 <= y1) of src[row][x], exactly w bytes. */
@inline function verticalDirect(src: usize, w: i32, y0: i32, y1: i32, out: usize, dilate: bool): void {
  const stride = <usize>w;
  const first = src + <usize>y0 * stride;
  const rows = y1 - y0;
  const end = w & ~15;
  let x = 0;
  // Unrolled loops for the common heights: a loop over rows inside the pixel loop costs 2x.
  if (rows == 0) {
    for (; x < end; x += 16) v128.store(out + <usize>x, v128.load(first + <usize>x));
  } else if (rows == 1) {
    for (; x < end; x += 16) {
      const p = first + <usize>x;
      v128.store(out + <usize>x, vop(v128.load(p), v128.load(p + stride), dilate));
    }
  } else if (rows == 2) {
    for (; x < end; x += 16) {
      const p = first + <usize>x;
      v128.store(out + <usize>x, vop(vop(v128.load(p), v128.load(p + stride), dilate), v128.load(p + stride * 2), dilate));
    }
  }
  for (; x < end; x += 16) {
    let p = first + <usize>x;
    let v = v128.load(p);
    for (let k = 0; k < rows; k++) {
      p += stride;
      v = vop(v, v128.load(p), dilate);
    }
    v128.store(out + <usize>x, v);
  }
  for (; x < w; x++) {
    let p = first + <usize>x;
    let v = <u32>load<u8>(p);
    for (let k = 0; k < rows; k++) {
      p += stride;
      v = sop(v, <u32>load<u8>(p), dilate);
    }
    store<u8>(out + <usize>x, <u8>v);
  }
}

/** The vector part of the direct horizontal stage for a constant width; returns where it stopped. */
@inline function hDirect(a: usize, w: i32, out: usize, cw: i32, combine: bool, dilate: bool): i32 {
  const end = w & ~15;
  let x = 0;
  for (; x < end; x += 16) {
    const p = a + <usize>x;
    let v = v128.load(p);
    if (cw > 1) v = vop(v, v128.load(p, 1), dilate);
    if (cw > 2) v = vop(v, v128.load(p, 2), dilate);
    if (cw > 3) v = vop(v, v128.load(p, 3), dilate);
    if (combine) v = vop(v, v128.load(out + <usize>x), dilate);
    v128.store(out + <usize>x, v);
  }
  return x;
}

/** Lanes s … s+15 of the 32-byte concatenation a:b, for a constant 1 <= s <= 8 (folded after inlining). */
@inline function cat(a: v128, b: v128, s: i32): v128 {
  switch (s) {
    case 1: return i8x16.shuffle(a, b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    case 2: return i8x16.shuffle(a, b, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
    case 3: return i8x16.shuffle(a, b, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
    case 4: return i8x16.shuffle(a, b, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    case 5: return i8x16.shuffle(a, b, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
    case 6: return i8x16.shuffle(a, b, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21);
    case 7: return i8x16.shuffle(a, b, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22);
    case 8: return i8x16.shuffle(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
  }
  return a;
}

/**
 * Pairs op(a[i], a[i + 1]) for the 16 bytes at p: two overlapping loads, which leave the shuffle
 * units to the later levels. (Loops write the two loads out with constant offsets instead, so that
 * the offsets land in the loads' immediates; a helper taking the offset does not compile to that.)
 */
@inline function pair(p: usize, dilate: bool): v128 {
  return vop(v128.load(p), v128.load(p, 1), dilate);
}

/** One output vector: the final level, combined with `out` when asked, stored at out. */
@inline function emit(a: v128, b: v128, s: i32, out: usize, combine: bool, dilate: bool): void {
  let f = vop(a, cat(a, b, s), dilate);
  if (combine) f = vop(f, v128.load(out), dilate);
  v128.store(out, f);
}

/**
 * Horizontal op over a window of `cw` = 4 + s (levels 2) or 8 + s (levels 3) columns, in registers:
 * pairs of the padded row come from two overlapping loads, quads and octets from byte shifts
 * across neighbouring vectors (doubling), so each 16 outputs cost two loads, 2 or 3 shuffles and
 * 3 or 4 ops instead of a pass over the row per doubling step. The main loop does 4 vectors per
 * iteration: this runs at the machine's instruction throughput, and the unrolling halves the loop
 * overhead and register copies. It also reads one byte per 64 of `touch` (a row a later pass will
 * read), so that row arrives from L3 while this loop computes. Reads up to hA + w + 64. Needs w >= 16.
 */
@inline function hRegLoop(hA: usize, w: i32, out: usize, touch: usize, levels: i32, s: i32, combine: bool, dilate: bool): void {
  const end = w & ~15;
  let x = 0;
  let touched: u32 = 0;
  if (levels == 2) {
    // q: op over 4 columns (pairs of pairs); output x = op(q[x], q[x + s]).
    const p0 = pair(hA, dilate);
    const p1 = vop(v128.load(hA, 16), v128.load(hA, 17), dilate);
    let p2 = vop(v128.load(hA, 32), v128.load(hA, 33), dilate);
    let q0 = vop(p0, cat(p0, p1, 2), dilate);
    let q1 = vop(p1, cat(p1, p2, 2), dilate);
    for (; x + 48 < end; x += 64) {
      const o = out + <usize>x;
      const a = hA + <usize>x;
      touched += <u32>load<u8>(touch + <usize>x);
      emit(q0, q1, s, o, combine, dilate);
      const p3 = vop(v128.load(a, 48), v128.load(a, 49), dilate);
      const q2 = vop(p2, cat(p2, p3, 2), dilate);
      emit(q1, q2, s, o + 16, combine, dilate);
      const p4 = vop(v128.load(a, 64), v128.load(a, 65), dilate);
      const q3 = vop(p3, cat(p3, p4, 2), dilate);
      emit(q2, q3, s, o + 32, combine, dilate);
      const p5 = vop(v128.load(a, 80), v128.load(a, 81), dilate);
      const q4 = vop(p4, cat(p4, p5, 2), dilate);
      emit(q3, q4, s, o + 48, combine, dilate);
      p2 = vop(v128.load(a, 96), v128.load(a, 97), dilate);
      q0 = q4;
      q1 = vop(p5, cat(p5, p2, 2), dilate);
    }
    for (; x < end; x += 16) {
      emit(q0, q1, s, out + <usize>x, combine, dilate);
      const p3 = vop(v128.load(hA + <usize>x, 48), v128.load(hA + <usize>x, 49), dilate);
      q0 = q1;
      q1 = vop(p2, cat(p2, p3, 2), dilate);
      p2 = p3;
    }
    if ((w & 15) != 0) {
      // The last 16 outputs, overlapping the previous block (min/max is idempotent, so combining twice is harmless).
      const t = hA + <usize>(w - 16);
      const r0 = pair(t, dilate);
      const r1 = vop(v128.load(t, 16), v128.load(t, 17), dilate);
      const r2 = vop(v128.load(t, 32), v128.load(t, 33), dilate);
      const u0 = vop(r0, cat(r0, r1, 2), dilate);
      const u1 = vop(r1, cat(r1, r2, 2), dilate);
      emit(u0, u1, s, out + <usize>(w - 16), combine, dilate);
    }
  } else {
    // o: op over 8 columns; output x = op(o[x], o[x + s]).
    const p0 = pair(hA, dilate);
    const p1 = vop(v128.load(hA, 16), v128.load(hA, 17), dilate);
    const p2 = vop(v128.load(hA, 32), v128.load(hA, 33), dilate);
    let p3 = vop(v128.load(hA, 48), v128.load(hA, 49), dilate);
    const q0 = vop(p0, cat(p0, p1, 2), dilate);
    const q1 = vop(p1, cat(p1, p2, 2), dilate);
    let q2 = vop(p2, cat(p2, p3, 2), dilate);
    let o0 = vop(q0, cat(q0, q1, 4), dilate);
    let o1 = vop(q1, cat(q1, q2, 4), dilate);
    for (; x + 48 < end; x += 64) {
      const o = out + <usize>x;
      const a = hA + <usize>x;
      touched += <u32>load<u8>(touch + <usize>x);
      emit(o0, o1, s, o, combine, dilate);
      const p4 = vop(v128.load(a, 64), v128.load(a, 65), dilate);
      const q3 = vop(p3, cat(p3, p4, 2), dilate);
      const o2 = vop(q2, cat(q2, q3, 4), dilate);
      emit(o1, o2, s, o + 16, combine, dilate);
      const p5 = vop(v128.load(a, 80), v128.load(a, 81), dilate);
      const q4 = vop(p4, cat(p4, p5, 2), dilate);
      const o3 = vop(q3, cat(q3, q4, 4), dilate);
      emit(o2, o3, s, o + 32, combine, dilate);
      const p6 = vop(v128.load(a, 96), v128.load(a, 97), dilate);
      const q5 = vop(p5, cat(p5, p6, 2), dilate);
      const o4 = vop(q4, cat(q4, q5, 4), dilate);
      emit(o3, o4, s, o + 48, combine, dilate);
      p3 = vop(v128.load(a, 112), v128.load(a, 113), dilate);
      q2 = vop(p6, cat(p6, p3, 2), dilate);
      o0 = o4;
      o1 = vop(q5, cat(q5, q2, 4), dilate);
    }
    for (; x < end; x += 16) {
      emit(o0, o1, s, out + <usize>x, combine, dilate);
      const p4 = vop(v128.load(hA + <usize>x, 64), v128.load(hA + <usize>x, 65), dilate);
      const q3 = vop(p3, cat(p3, p4, 2), dilate);
      o0 = o1;
      o1 = vop(q2, cat(q2, q3, 4), dilate);
      q2 = q3;
      p3 = p4;
    }
    if ((w & 15) != 0) {
      const t = hA + <usize>(w - 16);
      const r0 = pair(t, dilate);
      const r1 = vop(v128.load(t, 16), v128.load(t, 17), dilate);
      const r2 = vop(v128.load(t, 32), v128.load(t, 33), dilate);
      const r3 = vop(v128.load(t, 48), v128.load(t, 49), dilate);
      const u0 = vop(r0, cat(r0, r1, 2), dilate);
      const u1 = vop(r1, cat(r1, r2, 2), dilate);
      const u2 = vop(r2, cat(r2, r3, 2), dilate);
      const e0 = vop(u0, cat(u0, u1, 4), dilate);
      const e1 = vop(u1, cat(u1, u2, 4), dilate);
      emit(e0, e1, s, out + <usize>(w - 16), combine, dilate);
    }
  }
  // Keeps the touching loads alive; the sum itself is never used.
  touchSink += touched;
}

/** hRegLoop with the window's constants spelled out, one loop per width (5 … 16) and combine flag. */
@inline function hRegImpl(hA: usize, w: i32, out: usize, touch: usize, cw: i32, combine: bool, dilate: bool): void {
  if (cw == 5) {
    if (combine) hRegLoop(hA, w, out, touch, 2, 1, true, dilate);
    else hRegLoop(hA, w, out, touch, 2, 1, false, dilate);
  }
  else if (cw == 6) {
    if (combine) hRegLoop(hA, w, out, touch, 2, 2, true, dilate);
    else hRegLoop(hA, w, out, touch, 2, 2, false, dilate);
  }
  else if (cw == 7) {
    if (combine) hRegLoop(hA, w, out, touch, 2, 3, true, dilate);
    else hRegLoop(hA, w, out, touch, 2, 3, false, dilate);
  }
  else if (cw == 8) {
    if (combine) hRegLoop(hA, w, out, touch, 2, 4, true, dilate);
    else hRegLoop(hA, w, out, touch, 2, 4, false, dilate);
  }
  else if (cw == 9) {
    if (combine) hRegLoop(hA, w, out, touch, 3, 1, true, dilate);
    else hRegLoop(hA, w, out, touch, 3, 1, false, dilate);
  }
  else if (cw == 10) {
    if (combine) hRegLoop(hA, w, out, touch, 3, 2, true, dilate);
    else hRegLoop(hA, w, out, touch, 3, 2, false, dilate);
  }
  else if (cw == 11) {
    if (combine) hRegLoop(hA, w, out, touch, 3, 3, true, dilate);
    else hRegLoop(hA, w, out, touch, 3, 3, false, dilate);
  }
  else if (cw == 12) {
    if (combine) hRegLoop(hA, w, out, touch, 3, 4, true, dilate);
    else hRegLoop(hA, w, out, touch, 3, 4, false, dilate);
  }
  else if (cw == 13) {
    if (combine) hRegLoop(hA, w, out, touch, 3, 5, true, dilate);
    else hRegLoop(hA, w, out, touch, 3, 5, false, dilate);
  }
  else if (cw == 14) {
    if (combine) hRegLoop(hA, w, out, touch, 3, 6, true, dilate);
    else hRegLoop(hA, w, out, touch, 3, 6, false, dilate);
  }
  else if (cw == 15) {
    if (combine) hRegLoop(hA, w, out, touch, 3, 7, true, dilate);
    else hRegLoop(hA, w, out, touch, 3, 7, false, dilate);
  }
  else if (cw == 16) {
    if (combine) hRegLoop(hA, w, out, touch, 3, 8, true, dilate);
    else hRegLoop(hA, w, out, touch, 3, 8, false, dilate);
  }
}

function hRegMin(hA: usize, w: i32, out: usize, touch: usize, cw: i32, combine: bool): void {
  hRegImpl(hA, w, out, touch, cw, combine, false);
}

function hRegMax(hA: usize, w: i32, out: usize, touch: usize, cw: i32, combine: bool): void {
  hRegImpl(hA, w, out, touch, cw, combine, true);
}

/**
 * Horizontal stage: out[x] = op over k < cw of a[x + k] for x < w (a is a padded row, valid for
 * w + cw - 1 bytes), combined with what `out` holds when `combine`. `b` is a work row of the same size.
 * `touch` (w bytes) is a row to bring into the cache meanwhile (see hRegLoop), or `a` when there is none.
 */
@inline function horizontal(a: usize, b: usize, w: i32, cw: i32, out: usize, combine: bool, dilate: bool, touch: usize = a): void {
  // Separate functions per op keep each one small enough for V8 to keep its vectors in registers.
  if (dilate) horizontalMax(a, b, w, cw, out, combine, touch);
  else horizontalMin(a, b, w, cw, out, combine, touch);
}

function horizontalMin(a: usize, b: usize, w: i32, cw: i32, out: usize, combine: bool, touch: usize): void {
  horizontalImpl(a, b, w, cw, out, combine, touch, false);
}

function horizontalMax(a: usize, b: usize, w: i32, cw: i32, out: usize, combine: bool, touch: usize): void {
  horizontalImpl(a, b, w, cw, out, combine, touch, true);
}

@inline function horizontalImpl(a: usize, b: usize, w: i32, cw: i32, out: usize, combine: bool, touch: usize, dilate: bool): void {
  const end = w & ~15;
  if (cw <= DIRECT_COLS) {
    let x = 0;
    // One loop per width and combine flag, without branches inside.
    if (combine) {
      if (cw == 1) x = hDirect(a, w, out, 1, true, dilate);
      else if (cw == 2) x = hDirect(a, w, out, 2, true, dilate);
      else if (cw == 3) x = hDirect(a, w, out, 3, true, dilate);
      else x = hDirect(a, w, out, 4, true, dilate);
    } else {
      if (cw == 1) x = hDirect(a, w, out, 1, false, dilate);
      else if (cw == 2) x = hDirect(a, w, out, 2, false, dilate);
      else if (cw == 3) x = hDirect(a, w, out, 3, false, dilate);
      else x = hDirect(a, w, out, 4, false, dilate);
    }
    for (; x < end; x += 16) {
      const p = a + <usize>x;
      let v = v128.load(p);
      if (cw > 1) v = vop(v, v128.load(p, 1), dilate);
      if (cw > 2) v = vop(v, v128.load(p, 2), dilate);
      if (cw > 3) v = vop(v, v128.load(p, 3), dilate);
      if (combine) v = vop(v, v128.load(out + <usize>x), dilate);
      v128.store(out + <usize>x, v);
    }
    for (; x < w; x++) {
      const p = a + <usize>x;
      let v = <u32>load<u8>(p);
      for (let k = 1; k < cw; k++) v = sop(v, <u32>load<u8>(p + <usize>k), dilate);
      if (combine) v = sop(v, <u32>load<u8>(out + <usize>x), dilate);
      store<u8>(out + <usize>x, <u8>v);
    }
    return;
  }
  if (cw <= MAX_REG_COLS && w >= 16) {
    if (dilate) hRegMax(a, w, out, touch, cw, combine);
    else hRegMin(a, w, out, touch, cw, combine);
    return;
  }
  // Doubling: b[i] = op of a[i .. i+2k-1] for k = 1, 2, 4, … < cw, then two overlapping windows.
  const valid = w + cw - 1;
  for (let i = 0; i < valid - 1; i += 16) {
    const p = a + <usize>i;
    v128.store(b + <usize>i, vop(v128.load(p), v128.load(p, 1), dilate));
  }
  let span = 2;
  while (span * 2 <= cw) {
    const last = valid - span * 2;
    for (let i = 0; i <= last; i += 16) {
      const p = b + <usize>i;
      v128.store(p, vop(v128.load(p), v128.load(p + <usize>span), dilate));
    }
    span <<= 1;
  }
  const shift = <usize>(cw - span);
  let x = 0;
  for (; x < end; x += 16) {
    const p = b + <usize>x;
    let v = vop(v128.load(p), v128.load(p + shift), dilate);
    if (combine) v = vop(v, v128.load(out + <usize>x), dilate);
    v128.store(out + <usize>x, v);
  }
  for (; x < w; x++) {
    const p = b + <usize>x;
    let v = sop(<u32>load<u8>(p), <u32>load<u8>(p + shift), dilate);
    if (combine) v = sop(v, <u32>load<u8>(out + <usize>x), dilate);
    store<u8>(out + <usize>x, <u8>v);
  }
}

/**
 * Bytes of work memory `morph` needs for a w-wide image and rectangles reaching `padLeft` columns
 * left and `padRight` right of the output pixel, the tallest `maxRows` high.
 */
export function morphWorkBytes(w: i32, padLeft: i32, padRight: i32, maxRows: i32): i32 {
  const row = (w + ((padLeft + 15) & ~15) + padRight + 127) & ~15; // aligned left pad; the register doubling reads 80 bytes past the row
  // Two rows, an identity row, then maxRows rows (van Herk/Gil-Werman's V rows) and 2 * maxRows row pointers.
  return row * (maxRows + 2) + ((w + 31) & ~15) + maxRows * 8;
}

/**
 * Erosion (or dilation) of a w×h u8 image by a union of `count` rectangles. `rects` holds i32
 * quadruples (dx, width, dy, height): the rectangle covers columns x+dx .. x+dx+width-1 and rows
 * y+dy .. y+dy+height-1 of the output pixel (x, y). `src` and `dst` must not overlap.
 * `work` has morphWorkBytes(...) bytes.
 */
export function morph(src: usize, dst: usize, w: i32, h: i32, rects: usize, count: i32, dilate: bool, work: usize): void {
  if (dilate) morphImpl(src, dst, w, h, rects, count, true, work);
  else morphImpl(src, dst, w, h, rects, count, false, work);
}

// ---- 3×3 rectangle: the common case, kept in registers ----
// Two output rows per pass share the middle two input rows (4 row loads per 2 outputs); the
// horizontal neighbours come from byte shifts of the vertical minima of adjacent blocks.

@inline function left1(prev: v128, cur: v128): v128 {
  return i8x16.shuffle(prev, cur, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
}

@inline function right1(cur: v128, next: v128): v128 {
  return i8x16.shuffle(cur, next, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
}

@inline function hop3(prev: v128, cur: v128, next: v128, dilate: bool): v128 {
  return vop(vop(left1(prev, cur), cur, dilate), right1(cur, next), dilate);
}

@inline function col3(a: usize, b: usize, c: usize, x: i32, dilate: bool): u32 {
  const o = <usize>x;
  return sop(sop(<u32>load<u8>(a + o), <u32>load<u8>(b + o), dilate), <u32>load<u8>(c + o), dilate);
}

/** Output rows for inputs a (above), b, c, d (below): out0 from a,b,c and out1 from b,c,d. Needs w >= 16. */
@inline function band3x3(a: usize, b: usize, c: usize, d: usize, out0: usize, out1: usize, w: i32, ident: v128, dilate: bool): void {
  const full = w >> 4;
  const tail = (w & 15) != 0;
  let m = vop(v128.load(b), v128.load(c), dilate);
  let cur0 = vop(v128.load(a), m, dilate);
  let cur1 = vop(m, v128.load(d), dilate);
  let prev0 = ident;
  let prev1 = ident;
  const lastX = (full - 1) << 4;
  for (let x = 0; x < lastX; x += 16) {
    const o = <usize>(x + 16);
    m = vop(v128.load(b + o), v128.load(c + o), dilate);
    const next0 = vop(v128.load(a + o), m, dilate);
    const next1 = vop(m, v128.load(d + o), dilate);
    v128.store(out0 + <usize>x, hop3(prev0, cur0, next0, dilate));
    v128.store(out1 + <usize>x, hop3(prev1, cur1, next1, dilate));
    prev0 = cur0;
    prev1 = cur1;
    cur0 = next0;
    cur1 = next1;
  }
  {
    let next0 = ident;
    let next1 = ident;
    if (tail) {
      next0 = i8x16.replace_lane(ident, 0, <i8>col3(a, b, c, lastX + 16, dilate));
      next1 = i8x16.replace_lane(ident, 0, <i8>col3(b, c, d, lastX + 16, dilate));
    }
    v128.store(out0 + <usize>lastX, hop3(prev0, cur0, next0, dilate));
    v128.store(out1 + <usize>lastX, hop3(prev1, cur1, next1, dilate));
  }
  if (tail) {
    // The last 16 pixels, overlapping the previous block.
    const q = <usize>(w - 16);
    m = vop(v128.load(b + q), v128.load(c + q), dilate);
    const c0 = vop(v128.load(a + q), m, dilate);
    const c1 = vop(m, v128.load(d + q), dilate);
    let p0 = i8x16.replace_lane(ident, 15, <i8>col3(a, b, c, w - 17, dilate));
    let p1 = i8x16.replace_lane(ident, 15, <i8>col3(b, c, d, w - 17, dilate));
    v128.store(out0 + q, hop3(p0, c0, ident, dilate));
    v128.store(out1 + q, hop3(p1, c1, ident, dilate));
  }
}

@inline function morph3x3Impl(src: usize, dst: usize, w: i32, h: i32, dilate: bool, work: usize): void {
  const identByte: u8 = dilate ? 0 : 255;
  const ident = i8x16.splat(<i8>identByte);
  const identRow = work;
  const spare = work + <usize>((w + 31) & ~15);
  memory.fill(identRow, identByte, <usize>((w + 31) & ~15));
  const stride = <usize>w;
  for (let y = 0; y < h; y += 2) {
    const a = y > 0 ? src + <usize>(y - 1) * stride : identRow;
    const b = src + <usize>y * stride;
    const c = y + 1 < h ? b + stride : identRow;
    const d = y + 2 < h ? b + stride * 2 : identRow;
    const out0 = dst + <usize>y * stride;
    const out1 = y + 1 < h ? out0 + stride : spare;
    band3x3(a, b, c, d, out0, out1, w, ident, dilate);
  }
}

function morph3x3Min(src: usize, dst: usize, w: i32, h: i32, work: usize): void {
  morph3x3Impl(src, dst, w, h, false, work);
}

function morph3x3Max(src: usize, dst: usize, w: i32, h: i32, work: usize): void {
  morph3x3Impl(src, dst, w, h, true, work);
}

@inline function morphImpl(src: usize, dst: usize, w: i32, h: i32, rects: usize, count: i32, dilate: bool, work: usize): void {
  if (count == 1 && w >= 16 && load<i32>(rects) == -1 && load<i32>(rects, 4) == 3 && load<i32>(rects, 8) == -1 && load<i32>(rects, 12) == 3) {
    if (dilate) morph3x3Max(src, dst, w, h, work);
    else morph3x3Min(src, dst, w, h, work);
    return;
  }
  let padLeft = 0;
  let padRight = 0;
  for (let k = 0; k < count; k++) {
    const dx = load<i32>(rects + (<usize>k << 4));
    const cw = load<i32>(rects + (<usize>k << 4), 4);
    if (-dx > padLeft) padLeft = -dx;
    if (dx + cw - 1 > padRight) padRight = dx + cw - 1;
  }
  // a: padded row (identity, then the w pixels of a vertical stage at a + padLeft); b: work row.
  const rowBytes = <usize>((w + ((padLeft + 15) & ~15) + padRight + 127) & ~15);
  memory.fill(work, dilate ? 0 : 255, rowBytes);
  // Each path is its own function per op: small functions keep V8's vectors in registers.
  if (count == 1 && load<i32>(rects, 12) > DIRECT_ROWS) {
    if (dilate) vhgwMax(src, dst, w, h, rects, work, rowBytes, padLeft);
    else vhgwMin(src, dst, w, h, rects, work, rowBytes, padLeft);
  } else if (count > 1 && nested(rects, count)) {
    if (dilate) nestedMax(src, dst, w, h, rects, count, work, rowBytes, padLeft);
    else nestedMin(src, dst, w, h, rects, count, work, rowBytes, padLeft);
  } else {
    if (dilate) unionMax(src, dst, w, h, rects, count, work, rowBytes, padLeft);
    else unionMin(src, dst, w, h, rects, count, work, rowBytes, padLeft);
  }
}

function vhgwMin(src: usize, dst: usize, w: i32, h: i32, rects: usize, work: usize, rowBytes: usize, padLeft: i32): void {
  vhgwImpl(src, dst, w, h, rects, work, rowBytes, padLeft, false);
}

function vhgwMax(src: usize, dst: usize, w: i32, h: i32, rects: usize, work: usize, rowBytes: usize, padLeft: i32): void {
  vhgwImpl(src, dst, w, h, rects, work, rowBytes, padLeft, true);
}

function unionMin(src: usize, dst: usize, w: i32, h: i32, rects: usize, count: i32, work: usize, rowBytes: usize, padLeft: i32): void {
  unionImpl(src, dst, w, h, rects, count, work, rowBytes, padLeft, false);
}

function unionMax(src: usize, dst: usize, w: i32, h: i32, rects: usize, count: i32, work: usize, rowBytes: usize, padLeft: i32): void {
  unionImpl(src, dst, w, h, rects, count, work, rowBytes, padLeft, true);
}

/**
 * One tall rectangle: van Herk/Gil-Werman down the columns, then the horizontal stage per row.
 * Output row y needs input rows y+dy … y+dy+ch-1; blocks of ch rows start at dy. For block rows
 * j = 0 … ch-1, V[j] = op(S[j], P[j]) with S[j] the suffix op of the block's rows j … ch-1 and
 * P[j] the prefix op of the next block's rows 0 … j-1. Both run over a chunk of 8 vectors held in
 * registers (one load, one op and one store per row for S; two loads, two ops and one store for
 * P and V), written straight into ch padded rows that the horizontal stage then reads.
 */
@inline function vhgwImpl(src: usize, dst: usize, w: i32, h: i32, rects: usize, work: usize, rowBytes: usize, padLeft: i32, dilate: bool): void {
  const dx = load<i32>(rects);
  const cw = load<i32>(rects, 4);
  const dy = load<i32>(rects, 8);
  const ch = load<i32>(rects, 12);
  const b = work; // work row of the horizontal doubling
  const identRow = work + rowBytes;
  const vRows = identRow + <usize>((w + 31) & ~15); // ch padded rows: V[j] pixel x at vRows + j * rowBytes + padLeft + x
  const identByte: u8 = dilate ? 0 : 255;
  memory.fill(identRow, identByte, <usize>((w + 31) & ~15) + <usize>ch * rowBytes);
  const v0 = vRows + <usize>((padLeft + 15) & ~15); // V rows start 16-byte aligned
  const chunkEnd = w & ~127;
  const vecEnd = w & ~15;
  const rows = vRows + <usize>ch * rowBytes; // pointers to the block's rows and the next block's
  for (let block = dy; block < h + dy; block += ch) {
    for (let j = 0; j < 2 * ch; j++) store<u32>(rows + (<usize>j << 2), <u32>rowPtr(src, w, h, block + j, identRow));
    let x = 0;
    for (; x < chunkEnd; x += 128) vhgwChunk8(rows, h, block, ch, dy, v0, rowBytes, x, dilate);
    for (; x < vecEnd; x += 16) vhgwChunk1(rows, h, block, ch, dy, v0, rowBytes, x, dilate);
    for (; x < w; x++) vhgwColumn(src, w, h, block, ch, dy, v0, rowBytes, x, dilate);
    for (let j = 0; j < ch; j++) {
      const y = block + j - dy;
      if (y >= h) break;
      // The next block's P pass reads rows block + 2ch …: their first touch from L3 is the slow part
      // of that pass, so the horizontal stage (busy with shuffles) fetches them ahead, one per row.
      const ahead = block + 2 * ch + j;
      const touch = ahead >= 0 && ahead < h ? src + <usize>ahead * <usize>w : identRow;
      horizontal(v0 + <usize>j * rowBytes + <usize>dx, b, w, cw, dst + <usize>y * <usize>w, false, dilate, touch);
    }
  }
}

/**
 * vHGW over 8 vectors (128 columns) from column x. Each vector's load, op and store sit together:
 * with all loads first, V8 keeps 16 vectors live and spills one per row.
 */
@inline function vhgwChunk8(rows: usize, h: i32, block: i32, ch: i32, dy: i32, v0: usize, rowBytes: usize, x: i32, dilate: bool): void {
  const o = <usize>x;
  // S, bottom up.
  let r = <usize>load<u32>(rows + (<usize>(ch - 1) << 2)) + o;
  let v = v0 + <usize>(ch - 1) * rowBytes + o;
  let s0 = v128.load(r);
  v128.store(v, s0);
  let s1 = v128.load(r, 16);
  v128.store(v, s1, 16);
  let s2 = v128.load(r, 32);
  v128.store(v, s2, 32);
  let s3 = v128.load(r, 48);
  v128.store(v, s3, 48);
  let s4 = v128.load(r, 64);
  v128.store(v, s4, 64);
  let s5 = v128.load(r, 80);
  v128.store(v, s5, 80);
  let s6 = v128.load(r, 96);
  v128.store(v, s6, 96);
  let s7 = v128.load(r, 112);
  v128.store(v, s7, 112);
  for (let j = ch - 2; j >= 0; j--) {
    r = <usize>load<u32>(rows + (<usize>j << 2)) + o;
    v -= rowBytes;
    s0 = vop(s0, v128.load(r), dilate);
    v128.store(v, s0);
    s1 = vop(s1, v128.load(r, 16), dilate);
    v128.store(v, s1, 16);
    s2 = vop(s2, v128.load(r, 32), dilate);
    v128.store(v, s2, 32);
    s3 = vop(s3, v128.load(r, 48), dilate);
    v128.store(v, s3, 48);
    s4 = vop(s4, v128.load(r, 64), dilate);
    v128.store(v, s4, 64);
    s5 = vop(s5, v128.load(r, 80), dilate);
    v128.store(v, s5, 80);
    s6 = vop(s6, v128.load(r, 96), dilate);
    v128.store(v, s6, 96);
    s7 = vop(s7, v128.load(r, 112), dilate);
    v128.store(v, s7, 112);
  }
  // P, top down, folded into V in place (V[0] = S[0]).
  const last = min(ch - 1, h - 1 + dy - block); // last block row with an output
  if (last < 1) return;
  r = <usize>load<u32>(rows + (<usize>ch << 2)) + o;
  v = v0 + rowBytes + o;
  let p0 = v128.load(r);
  v128.store(v, vop(v128.load(v), p0, dilate));
  let p1 = v128.load(r, 16);
  v128.store(v, vop(v128.load(v, 16), p1, dilate), 16);
  let p2 = v128.load(r, 32);
  v128.store(v, vop(v128.load(v, 32), p2, dilate), 32);
  let p3 = v128.load(r, 48);
  v128.store(v, vop(v128.load(v, 48), p3, dilate), 48);
  let p4 = v128.load(r, 64);
  v128.store(v, vop(v128.load(v, 64), p4, dilate), 64);
  let p5 = v128.load(r, 80);
  v128.store(v, vop(v128.load(v, 80), p5, dilate), 80);
  let p6 = v128.load(r, 96);
  v128.store(v, vop(v128.load(v, 96), p6, dilate), 96);
  let p7 = v128.load(r, 112);
  v128.store(v, vop(v128.load(v, 112), p7, dilate), 112);
  for (let j = 2; j <= last; j++) {
    r = <usize>load<u32>(rows + (<usize>(ch + j - 1) << 2)) + o;
    v += rowBytes;
    p0 = vop(p0, v128.load(r), dilate);
    v128.store(v, vop(v128.load(v), p0, dilate));
    p1 = vop(p1, v128.load(r, 16), dilate);
    v128.store(v, vop(v128.load(v, 16), p1, dilate), 16);
    p2 = vop(p2, v128.load(r, 32), dilate);
    v128.store(v, vop(v128.load(v, 32), p2, dilate), 32);
    p3 = vop(p3, v128.load(r, 48), dilate);
    v128.store(v, vop(v128.load(v, 48), p3, dilate), 48);
    p4 = vop(p4, v128.load(r, 64), dilate);
    v128.store(v, vop(v128.load(v, 64), p4, dilate), 64);
    p5 = vop(p5, v128.load(r, 80), dilate);
    v128.store(v, vop(v128.load(v, 80), p5, dilate), 80);
    p6 = vop(p6, v128.load(r, 96), dilate);
    v128.store(v, vop(v128.load(v, 96), p6, dilate), 96);
    p7 = vop(p7, v128.load(r, 112), dilate);
    v128.store(v, vop(v128.load(v, 112), p7, dilate), 112);
  }
}

/** vHGW over one vector (16 columns) from column x. */
@inline function vhgwChunk1(rows: usize, h: i32, block: i32, ch: i32, dy: i32, v0: usize, rowBytes: usize, x: i32, dilate: bool): void {
  const o = <usize>x;
  let s0 = v128.load(<usize>load<u32>(rows + (<usize>(ch - 1) << 2)) + o);
  let v = v0 + <usize>(ch - 1) * rowBytes + o;
  v128.store(v, s0);
  for (let j = ch - 2; j >= 0; j--) {
    v -= rowBytes;
    s0 = vop(s0, v128.load(<usize>load<u32>(rows + (<usize>j << 2)) + o), dilate);
    v128.store(v, s0);
  }
  const last = min(ch - 1, h - 1 + dy - block);
  if (last < 1) return;
  let p0 = v128.load(<usize>load<u32>(rows + (<usize>ch << 2)) + o);
  v = v0 + rowBytes + o;
  for (let j = 1; ; j++) {
    v128.store(v, vop(v128.load(v), p0, dilate));
    if (j >= last) break;
    v += rowBytes;
    p0 = vop(p0, v128.load(<usize>load<u32>(rows + (<usize>(ch + j) << 2)) + o), dilate);
  }
}

/** vHGW of the single column x (the last w % 16 columns). Rows outside the image are skipped. */
@inline function vhgwColumn(src: usize, w: i32, h: i32, block: i32, ch: i32, dy: i32, v0: usize, rowBytes: usize, x: i32, dilate: bool): void {
  const ident: u32 = dilate ? 0 : 255;
  let s = ident;
  let v = v0 + <usize>ch * rowBytes + <usize>x;
  for (let j = ch - 1; j >= 0; j--) {
    v -= rowBytes;
    const y = block + j;
    if (y >= 0 && y < h) s = sop(s, <u32>load<u8>(src + <usize>y * <usize>w + <usize>x), dilate);
    store<u8>(v, <u8>s);
  }
  const last = min(ch - 1, h - 1 + dy - block);
  let p = ident;
  v = v0 + <usize>x;
  for (let j = 1; j <= last; j++) {
    v += rowBytes;
    const y = block + ch + j - 1;
    if (y >= 0 && y < h) p = sop(p, <u32>load<u8>(src + <usize>y * <usize>w + <usize>x), dilate);
    store<u8>(v, <u8>sop(<u32>load<u8>(v), p, dilate));
  }
}

/** Whether each rectangle's rows contain the previous one's (ellipses and crosses, sorted by height). */
function nested(rects: usize, count: i32): bool {
  for (let k = 1; k < count; k++) {
    const r = rects + (<usize>k << 4);
    const top = load<i32>(r, 8);
    const prevTop = load<i32>(r - 16, 8);
    if (top > prevTop || top + load<i32>(r, 12) < prevTop + load<i32>(r - 16, 12)) return false;
  }
  return true;
}

function nestedMin(src: usize, dst: usize, w: i32, h: i32, rects: usize, count: i32, work: usize, rowBytes: usize, padLeft: i32): void {
  nestedImpl(src, dst, w, h, rects, count, work, rowBytes, padLeft, false);
}

function nestedMax(src: usize, dst: usize, w: i32, h: i32, rects: usize, count: i32, work: usize, rowBytes: usize, padLeft: i32): void {
  nestedImpl(src, dst, w, h, rects, count, work, rowBytes, padLeft, true);
}

/** v[x] = op(v[x], a[x], b[x]) for x < w (a and b may be the same row). */
@inline function extendRows(v: usize, a: usize, b: usize, w: i32, dilate: bool): void {
  const end = w & ~15;
  let x = 0;
  for (; x < end; x += 16) {
    const o = <usize>x;
    v128.store(v + o, vop(v128.load(v + o), vop(v128.load(a + o), v128.load(b + o), dilate), dilate));
  }
  for (; x < w; x++) {
    const o = <usize>x;
    store<u8>(v + o, <u8>sop(<u32>load<u8>(v + o), sop(<u32>load<u8>(a + o), <u32>load<u8>(b + o), dilate), dilate));
  }
}

/** out[x] = op(out[x], v[x], a[x], b[x]) for x < w. */
@inline function extendInto(out: usize, v: usize, a: usize, b: usize, w: i32, dilate: bool): void {
  const end = w & ~15;
  let x = 0;
  for (; x < end; x += 16) {
    const o = <usize>x;
    const m = vop(v128.load(v + o), vop(v128.load(a + o), v128.load(b + o), dilate), dilate);
    v128.store(out + o, vop(v128.load(out + o), m, dilate));
  }
  for (; x < w; x++) {
    const o = <usize>x;
    const m = sop(<u32>load<u8>(v + o), sop(<u32>load<u8>(a + o), <u32>load<u8>(b + o), dilate), dilate);
    store<u8>(out + o, <u8>sop(<u32>load<u8>(out + o), m, dilate));
  }
}

/**
 * Nested rectangles (each one's rows contain the previous one's): one running vertical op per
 * output row, grown by the rows each rectangle adds above and below, with each rectangle's
 * horizontal stage applied as soon as its rows are in. An ellipse 5×5 (a 5×3 and a 1×5) costs a
 * 3-row op, 2 more rows and two horizontal stages instead of 3 + 5 rows.
 */
@inline function nestedImpl(src: usize, dst: usize, w: i32, h: i32, rects: usize, count: i32, work: usize, rowBytes: usize, padLeft: i32, dilate: bool): void {
  const a = work;
  const b = work + rowBytes;
  const mid = a + <usize>((padLeft + 15) & ~15);
  const stride = <usize>w;
  for (let y = 0; y < h; y++) {
    const out = dst + <usize>y * stride;
    let top = y + load<i32>(rects, 8);
    let bot = top + load<i32>(rects, 12) - 1;
    {
      const y0 = max(top, 0);
      const y1 = min(bot, h - 1);
      if (y0 > y1) memory.fill(mid, dilate ? 0 : 255, <usize>w);
      else verticalDirect(src, w, y0, y1, mid, dilate);
      horizontal(mid + <usize>load<i32>(rects), b, w, load<i32>(rects, 4), out, false, dilate);
    }
    for (let k = 1; k < count; k++) {
      const r = rects + (<usize>k << 4);
      const newTop = y + load<i32>(r, 8);
      const newBot = newTop + load<i32>(r, 12) - 1;
      const dx = load<i32>(r);
      const cw = load<i32>(r, 4);
      // Rows newTop … top-1 and bot+1 … newBot, inside the image, two at a time.
      let up = top - 1;
      let down = bot + 1;
      let fused = false;
      while (true) {
        while (up >= newTop && (up < 0 || up >= h)) up--;
        while (down <= newBot && (down < 0 || down >= h)) down++;
        const hasUp = up >= newTop;
        const hasDown = down <= newBot;
        if (!hasUp && !hasDown) break;
        const pu = src + <usize>(hasUp ? up : down) * stride;
        const pd = src + <usize>(hasDown ? down : up) * stride;
        if (hasUp) up--;
        if (hasDown) down++;
        // The centre column of an ellipse or cross (last, 1 wide): its last rows go straight into out.
        const lastRows = (up < newTop || up < 0) && (down > newBot || down >= h);
        if (k == count - 1 && cw == 1 && dx == 0 && lastRows) {
          extendInto(out, mid, pu, pd, w, dilate);
          fused = true;
          break;
        }
        extendRows(mid, pu, pd, w, dilate);
      }
      top = newTop;
      bot = newBot;
      if (!fused) horizontal(mid + <usize>dx, b, w, cw, out, true, dilate);
    }
  }
}

/** A union of short rectangles: direct vertical op over each one's rows, then its horizontal stage. */
@inline function unionImpl(src: usize, dst: usize, w: i32, h: i32, rects: usize, count: i32, work: usize, rowBytes: usize, padLeft: i32, dilate: bool): void {
  const a = work;
  const b = work + rowBytes;
  const mid = a + <usize>padLeft;
  for (let y = 0; y < h; y++) {
    const out = dst + <usize>y * <usize>w;
    for (let k = 0; k < count; k++) {
      const r = rects + (<usize>k << 4);
      const dx = load<i32>(r);
      const cw = load<i32>(r, 4);
      const dy = load<i32>(r, 8);
      const ch = load<i32>(r, 12);
      let y0 = y + dy;
      let y1 = y0 + ch - 1;
      if (y0 < 0) y0 = 0;
      if (y1 >= h) y1 = h - 1;
      if (y0 > y1) memory.fill(mid, dilate ? 0 : 255, <usize>w);
      else verticalDirect(src, w, y0, y1, mid, dilate);
      horizontal(a + <usize>(padLeft + dx), b, w, cw, out, k > 0, dilate);
    }
  }
}

@inline function rowPtr(src: usize, w: i32, h: i32, y: i32, identRow: usize): usize {
  return y < 0 || y >= h ? identRow : src + <usize>y * <usize>w;
}

/** dst = saturate(a - b) over n bytes (morphological gradient, top-hat, black-hat). */
export function subtractSaturate(a: usize, b: usize, dst: usize, n: i32): void {
  const end = n & ~15;
  let i = 0;
  for (; i < end; i += 16) v128.store(dst + <usize>i, i8x16.sub_sat_u(v128.load(a + <usize>i), v128.load(b + <usize>i)));
  for (; i < n; i++) {
    const d = <i32>load<u8>(a + <usize>i) - <i32>load<u8>(b + <usize>i);
    store<u8>(dst + <usize>i, <u8>(d < 0 ? 0 : d));
  }
}
