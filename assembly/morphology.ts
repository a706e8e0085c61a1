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
// Cost does not grow with a rectangle's size: tall rectangles use van Herk/Gil-Werman (two running
// minima per block of rows, three min ops per pixel), wide ones doubling steps in L1 (log2 of the
// width, all in the row buffer). Dilation is the same code with max.

/** Rectangles taller than this use van Herk/Gil-Werman; shorter ones a direct min over their rows. */
const DIRECT_ROWS: i32 = 3;
/** Rectangles wider than this use doubling steps; narrower ones a direct min over their columns. */
const DIRECT_COLS: i32 = 4;

@inline function vop(a: v128, b: v128, dilate: bool): v128 {
  return dilate ? v128.max<u8>(a, b) : v128.min<u8>(a, b);
}

@inline function sop(a: u32, b: u32, dilate: bool): u32 {
  return dilate ? (a > b ? a : b) : a < b ? a : b;
}

/** out[x] = op(a[x], b[x]) for x < n (exactly n bytes written). */
@inline function rowOp(a: usize, b: usize, out: usize, n: i32, dilate: bool): void {
  const end = n & ~15;
  let x = 0;
  for (; x < end; x += 16) v128.store(out + <usize>x, vop(v128.load(a + <usize>x), v128.load(b + <usize>x), dilate));
  for (; x < n; x++) store<u8>(out + <usize>x, <u8>sop(load<u8>(a + <usize>x), load<u8>(b + <usize>x), dilate));
}

/** out[x] = op over rows y0..y1 (inclusive, y0 <= y1) of src[row][x], exactly w bytes. */
@inline function verticalDirect(src: usize, w: i32, y0: i32, y1: i32, out: usize, dilate: bool): void {
  const stride = <usize>w;
  const first = src + <usize>y0 * stride;
  const rows = y1 - y0;
  const end = w & ~15;
  let x = 0;
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

/**
 * Horizontal stage: out[x] = op over k < cw of a[x + k] for x < w (a is a padded row, valid for
 * w + cw - 1 bytes), combined with what `out` holds when `combine`. `b` is a work row of the same size.
 */
@inline function horizontal(a: usize, b: usize, w: i32, cw: i32, out: usize, combine: bool, dilate: bool): void {
  const end = w & ~15;
  if (cw <= DIRECT_COLS) {
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
    for (; x < w; x++) {
      const p = a + <usize>x;
      let v = <u32>load<u8>(p);
      for (let k = 1; k < cw; k++) v = sop(v, <u32>load<u8>(p + <usize>k), dilate);
      if (combine) v = sop(v, <u32>load<u8>(out + <usize>x), dilate);
      store<u8>(out + <usize>x, <u8>v);
    }
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
  const row = (w + padLeft + padRight + 63) & ~15;
  return row * 2 + ((w + 31) & ~15) * (maxRows + 2);
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

@inline function morphImpl(src: usize, dst: usize, w: i32, h: i32, rects: usize, count: i32, dilate: bool, work: usize): void {
  let padLeft = 0;
  let padRight = 0;
  for (let k = 0; k < count; k++) {
    const dx = load<i32>(rects + (<usize>k << 4));
    const cw = load<i32>(rects + (<usize>k << 4), 4);
    if (-dx > padLeft) padLeft = -dx;
    if (dx + cw - 1 > padRight) padRight = dx + cw - 1;
  }
  const rowBytes = <usize>((w + padLeft + padRight + 63) & ~15);
  const a = work; // padded row: identity, then the w pixels of a vertical stage at a + padLeft
  const b = work + rowBytes;
  const ident: u8 = dilate ? 0 : 255;
  memory.fill(a, ident, rowBytes);
  const mid = a + <usize>padLeft;
  const line = <usize>((w + 31) & ~15);
  const extra = b + rowBytes; // vHGW rows: ident row, P row, then S rows

  if (count == 1 && load<i32>(rects, 12) > DIRECT_ROWS) {
    const dx = load<i32>(rects);
    const cw = load<i32>(rects, 4);
    const dy = load<i32>(rects, 8);
    const ch = load<i32>(rects, 12);
    const hA = a + <usize>(padLeft + dx);
    const identRow = extra;
    const pRow = extra + line;
    const sRows = extra + line * 2;
    memory.fill(identRow, ident, line);
    // Output y needs rows s .. s+ch-1 with s = y + dy. Blocks of ch rows start at s = dy.
    for (let block = dy; block < h + dy; block += ch) {
      // S[j] = op of rows block+j .. block+ch-1 (suffix minima inside the block).
      let below = rowPtr(src, w, h, block + ch - 1, identRow);
      for (let j = ch - 2; j >= 0; j--) {
        const s = sRows + <usize>j * line;
        rowOp(rowPtr(src, w, h, block + j, identRow), below, s, w, dilate);
        below = s;
      }
      const sLast = rowPtr(src, w, h, block + ch - 1, identRow);
      // P = op of rows block+ch .. s+ch-1 (prefix minima of the next block).
      let p: usize = identRow;
      for (let j = 0; j < ch; j++) {
        const y = block + j - dy;
        if (y >= h) break;
        if (j == 1) p = rowPtr(src, w, h, block + ch, identRow);
        else if (j > 1) {
          rowOp(p, rowPtr(src, w, h, block + ch + j - 1, identRow), pRow, w, dilate);
          p = pRow;
        }
        if (y < 0) continue;
        const s = j == ch - 1 ? sLast : sRows + <usize>j * line;
        rowOp(s, p, mid, w, dilate);
        horizontal(hA, b, w, cw, dst + <usize>y * <usize>w, false, dilate);
      }
    }
    return;
  }

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
      if (y0 > y1) memory.fill(mid, ident, <usize>w);
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
