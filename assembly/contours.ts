// Kernel family: contours. Suzuki–Abe border following, replicating OpenCV 4.6's
// cvFindContours (contours.cpp) step for step, so point lists, their start pixel, direction
// and the order of contours match cv::findContours exactly.
//
// Work image: the mask padded by one zero pixel on every side ((w+2)×(h+2) bytes), values
// 0/1, then marked while tracing like OpenCV's schar image: 2 = traced border pixel,
// MARK_RIGHT (negative as i8) = traced pixel whose east neighbour is background.
// Output (discovery order): points as (x, y) i32 pairs, and per contour 4 i32:
// [first point index, point count, isHole, parent contour index or -1].

// Chain directions as in OpenCV: 0 = east, then counter-clockwise on screen (y down).
const DX = memory.data<i32>([1, 1, 0, -1, -1, -1, 0, 1]);
const DY = memory.data<i32>([0, -1, -1, -1, 0, 1, 1, 1]);
// Pointer offsets per direction for the current padded width, twice (OpenCV's deltas[16]).
const DELTA = memory.data(16 * 4);

const MARK = 2;
const MARK_RIGHT = 0x82; // nbd | -128 as a byte

/** Tail padding in bytes the work buffer needs after (w+2)×(h+2) for the SIMD row scan. */
export const CONTOUR_WORK_SLACK: i32 = 32;

/**
 * Copies the mask into the zero-padded work image as 0/1 (nonzero = foreground).
 * `work` must hold (w+2)*(h+2) + CONTOUR_WORK_SLACK bytes.
 */
export function contoursPrepare(src: usize, w: i32, h: i32, work: usize): void {
  const ws = w + 2;
  memory.fill(work, 0, <usize>ws);
  memory.fill(work + <usize>(ws * (h + 1)), 0, <usize>(ws + CONTOUR_WORK_SLACK));
  const one = i8x16.splat(1);
  const zero = i8x16.splat(0);
  for (let y = 0; y < h; y++) {
    const s = src + <usize>(y * w);
    const d = work + <usize>((y + 1) * ws);
    store<u8>(d, 0);
    const dd = d + 1;
    let x = 0;
    for (; x + 16 <= w; x += 16) {
      const v = v128.load(s + <usize>x);
      v128.store(dd + <usize>x, v128.andnot(one, i8x16.eq(v, zero)));
    }
    for (; x < w; x++) store<u8>(dd + <usize>x, load<u8>(s + <usize>x) != 0 ? 1 : 0);
    store<u8>(dd + <usize>w, 0);
  }
}

// Output state shared by the tracer (module globals keep the hot loop's signature small).
let gPts: usize = 0;
let gPtsCap: i32 = 0;
let gNumPts: i32 = 0;
let gIds: usize = 0; // i32 per work pixel: index of the component's outer contour (mode "all")
let gUseIds: bool = false;
let gWork: usize = 0;

@inline function pushPoint(x: i32, y: i32): void {
  const n = gNumPts;
  if (n < gPtsCap) {
    const p = gPts + (<usize>n << 3);
    store<i32>(p, x);
    store<i32>(p, y, 4);
  }
  gNumPts = n + 1;
}

@inline function markRight(p: usize, id: i32): void {
  store<u8>(p, MARK_RIGHT);
  if (gUseIds) store<i32>(gIds + ((p - gWork) << 2), id);
}

/**
 * icvFetchContour(Ex): follows the border starting at i0 (origin x, y in mask coordinates),
 * appending its points; `simple` keeps only points where the chain direction changes.
 */
function traceBorder(i0: usize, isHole: bool, x: i32, y: i32, simple: bool, id: i32): void {
  let s = isHole ? 0 : 4;
  let sEnd = s;
  let i1: usize = 0;
  do {
    s = (s - 1) & 7;
    i1 = i0 + <usize>load<i32>(DELTA + (<usize>s << 2));
  } while (load<u8>(i1) == 0 && s != sEnd);

  if (s == sEnd) {
    // Single-pixel component.
    markRight(i0, id);
    pushPoint(x, y);
    return;
  }
  let i3 = i0;
  let i4: usize = 0;
  let prevS = s ^ 4;
  const useIds = gUseIds;
  while (true) {
    sEnd = s;
    // Counter-clockwise search for the next border pixel, starting after the one we came from.
    while (s < 15) {
      s++;
      i4 = i3 + <usize>load<i32>(DELTA + (<usize>s << 2));
      if (load<u8>(i4) != 0) break;
    }
    s &= 7;
    // The east neighbour was examined and is background: a right border pixel.
    if (<u32>(s - 1) < <u32>sEnd) {
      store<u8>(i3, MARK_RIGHT);
      if (useIds) store<i32>(gIds + ((i3 - gWork) << 2), id);
    } else if (load<u8>(i3) == 1) {
      store<u8>(i3, MARK);
      if (useIds) store<i32>(gIds + ((i3 - gWork) << 2), id);
    }
    if (!simple || s != prevS) {
      pushPoint(x, y);
      prevS = s;
    }
    x += load<i32>(DX + (<usize>s << 2));
    y += load<i32>(DY + (<usize>s << 2));
    if (i4 == i0 && i3 == i1) break;
    i3 = i4;
    s = (s + 4) & 7;
  }
}

/** Index of the first byte in [x, end) of `row` that differs from `prev`, or `end`. */
@inline function skipEqual(row: usize, x: i32, end: i32, prev: i32): i32 {
  const pv = i8x16.splat(<i8>prev);
  while (x < end) {
    const m = i8x16.bitmask(i8x16.ne(v128.load(row + <usize>x), pv));
    if (m != 0) {
      const f = x + ctz(m);
      return f < end ? f : end;
    }
    x += 16;
  }
  return end;
}

/**
 * Raster scan + border following over a work image made by contoursPrepare.
 * mode 0 = external (RETR_EXTERNAL), 1 = all with a two-level hierarchy (RETR_CCOMP).
 * Writes at most `ptsCap` points and `infoCap` contours but always finishes the scan;
 * returns the number of contours and stores the total point count at `counts` (i32),
 * so the caller can grow its buffers and run again when either was too small.
 * `ids` (i32 per work pixel, mode 1 only) needs no initialisation.
 */
export function findContoursScan(
  work: usize, w: i32, h: i32, mode: i32, simple: bool,
  pts: usize, ptsCap: i32, info: usize, infoCap: i32, ids: usize, counts: usize,
): i32 {
  const ws = w + 2;
  for (let k = 0; k < 16; k++) {
    const d = k & 7;
    store<i32>(DELTA + (<usize>k << 2), load<i32>(DX + (<usize>d << 2)) + load<i32>(DY + (<usize>d << 2)) * ws);
  }
  gPts = pts;
  gPtsCap = ptsCap;
  gNumPts = 0;
  gIds = ids;
  gUseIds = mode == 1;
  gWork = work;
  const external = mode == 0;
  let n = 0;
  const end = w + 1; // scan x in [1, w] of the padded row, as OpenCV's width - 1
  for (let y = 1; y <= h; y++) {
    const row = work + <usize>(y * ws);
    let x = 1;
    let prev = 0; // i8 value of the previous pixel
    let lnbd = 0; // x of the last labelled run met on this row
    while (true) {
      x = skipEqual(row, x, end, prev);
      if (x >= end) break;
      const p = <i32>load<i8>(row + <usize>x);
      let isHole = 0;
      let skip = false;
      if (!(prev == 0 && p == 1)) {
        if (p != 0 || prev < 1) skip = true;
        else {
          if ((prev & -2) != 0) lnbd = x - 1;
          isHole = 1;
        }
      }
      if (!skip && external && (isHole != 0 || <i32>load<i8>(row + <usize>lnbd) > 0)) skip = true;
      if (skip) {
        prev = p;
        if ((prev & -2) != 0) lnbd = x;
        x++;
        continue;
      }
      let parent = -1;
      if (!external && isHole != 0 && lnbd > 0) parent = load<i32>(ids + ((row + <usize>lnbd - work) << 2));
      lnbd = x - isHole;
      if (n < infoCap) {
        const ip = info + (<usize>n << 4);
        store<i32>(ip, gNumPts);
        store<i32>(ip, isHole, 8);
        store<i32>(ip, parent, 12);
      }
      const before = gNumPts;
      // In mode "all" the ids map stores, per traced pixel, its component's outer contour.
      traceBorder(row + <usize>lnbd, isHole != 0, lnbd - 1, y - 1, simple, isHole != 0 ? parent : n);
      if (n < infoCap) store<i32>(info + (<usize>n << 4), gNumPts - before, 4);
      n++;
      prev = <i32>load<i8>(row + <usize>x);
      x++;
    }
  }
  store<i32>(counts, gNumPts);
  return n;
}
