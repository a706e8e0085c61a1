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
// Next step per (arrival direction, 8-neighbourhood), for the current padded width:
// the first nonzero neighbour counter-clockwise after the one we came from, as OpenCV's probing
// loop finds it. Entry: pointer delta << 4 | 8 if the east neighbour was probed and is background
// (a "right" border pixel) | direction. Index: sEnd << 8 | bit d set when neighbour d is nonzero.
const NEXT = memory.data(8 * 256 * 4);
let nextWidth = -1;

function initNext(ws: i32): void {
  for (let sEnd = 0; sEnd < 8; sEnd++) {
    for (let nb = 0; nb < 256; nb++) {
      let found = sEnd + 8; // unused entries (no neighbour): never looked up
      for (let k = sEnd + 1; k <= sEnd + 8; k++) {
        if ((nb >> (k & 7)) & 1) {
          found = k;
          break;
        }
      }
      const s = found & 7;
      const delta = load<i32>(DX + (<usize>s << 2)) + load<i32>(DY + (<usize>s << 2)) * ws;
      store<i32>(NEXT + (<usize>((sEnd << 8) | nb) << 2), (delta << 4) | (found >= 9 ? 8 : 0) | s);
    }
  }
  nextWidth = ws;
}


const MARK = 3;
const MARK_RIGHT = 0x83; // negative as i8, like OpenCV's nbd | -128

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

// Output state shared by the tracer.
let gPts: usize = 0;
let gPtsCap: i32 = 0;
let gNumPts: i32 = 0;
let gIds: usize = 0; // i32 per work pixel: index of the region's outer contour (mode "all")
let gWork: usize = 0;
let gWs: i32 = 0;

/**
 * icvFetchContour(Ex): follows the border starting at i0 (origin x, y in mask coordinates),
 * appending its points; `simple` keeps only points where the chain direction changes.
 * Writes `id` into the ids map for every pixel it marks when `useIds`.
 */
function traceBorder(i0: usize, isHole: bool, x: i32, y: i32, simple: bool, useIds: bool, id: i32): void {
  let n = gNumPts;
  const cap = gPtsCap;
  const pts = gPts;
  let s = isHole ? 0 : 4;
  let sEnd = s;
  let i1: usize = 0;
  do {
    s = (s - 1) & 7;
    i1 = i0 + <usize>load<i32>(DELTA + (<usize>s << 2));
  } while (load<u8>(i1) == 0 && s != sEnd);

  if (s == sEnd) {
    // Single-pixel region.
    store<u8>(i0, MARK_RIGHT);
    if (useIds) store<i32>(gIds + ((i0 - gWork) << 2), id);
    if (n < cap) {
      store<i32>(pts + (<usize>n << 3), x);
      store<i32>(pts + (<usize>n << 3), y, 4);
    }
    gNumPts = n + 1;
    return;
  }
  const ws = <usize>gWs;
  let i3 = i0;
  let prevS = s ^ 4;
  while (true) {
    // One table look-up replaces OpenCV's probing of up to 8 neighbours. Byte loads (not wider
    // ones) so that the marks just stored nearby forward to them without a stall.
    const up = i3 - ws;
    const dn = i3 + ws;
    const nb =
      (<u32>load<u8>(i3 + 1) & 1) | ((<u32>load<u8>(up + 1) & 1) << 1) | ((<u32>load<u8>(up) & 1) << 2) | ((<u32>load<u8>(up - 1) & 1) << 3) |
      ((<u32>load<u8>(i3 - 1) & 1) << 4) | ((<u32>load<u8>(dn - 1) & 1) << 5) | ((<u32>load<u8>(dn) & 1) << 6) | ((<u32>load<u8>(dn + 1) & 1) << 7);
    const e = load<i32>(NEXT + (<usize>((s << 8) | nb) << 2));
    s = e & 7;
    const i4 = i3 + <usize>(e >> 4);
    if (e & 8) {
      store<u8>(i3, MARK_RIGHT);
      if (useIds) store<i32>(gIds + ((i3 - gWork) << 2), id);
    } else if (load<u8>(i3) == 1) {
      store<u8>(i3, MARK);
      if (useIds) store<i32>(gIds + ((i3 - gWork) << 2), id);
    }
    if (!simple || s != prevS) {
      if (n < cap) {
        store<i32>(pts + (<usize>n << 3), x);
        store<i32>(pts + (<usize>n << 3), y, 4);
      }
      n++;
      prevS = s;
    }
    x += load<i32>(DX + (<usize>s << 2));
    y += load<i32>(DY + (<usize>s << 2));
    if (i4 == i0 && i3 == i1) break;
    i3 = i4;
    s = (s + 4) & 7;
  }
  gNumPts = n;
}

/**
 * Position of the nearest labelled (traced) pixel left of `x` on `row`, or 0 (the zero padding).
 * This is OpenCV's lnbd: it tracks the last labelled run met by the scan; the nearest labelled
 * pixel lies in that run, and a trace never changes pixels left of the scan position on the
 * current row in mode external (in mode all only the region of that pixel is used).
 */
@inline function lastLabelled(row: usize, x: i32): i32 {
  const zero = i8x16.splat(0);
  const high7 = i8x16.splat(-2);
  while (x >= 16) {
    x -= 16;
    const m = i8x16.bitmask(v128.not(i8x16.eq(v128.and(v128.load(row + <usize>x), high7), zero)));
    if (m != 0) return x + 31 - clz(m);
  }
  while (x > 0) {
    x--;
    if ((load<u8>(row + <usize>x) & 0xfe) != 0) return x;
  }
  return 0;
}

/**
 * Raster scan + border following over a work image made by contoursPrepare.
 * mode 0 = external (RETR_EXTERNAL), 1 = all with a two-level hierarchy (RETR_CCOMP).
 * Writes at most `ptsCap` points and `infoCap` contours but always finishes the scan;
 * returns the number of contours and stores the total point count at `counts` (i32),
 * so the caller can grow its buffers and run again when either was too small.
 * `ids` (i32 per work pixel, mode 1 only) needs no initialisation.
 *
 * OpenCV walks every pixel where the value changes; here 16 pixels at a time give the positions
 * of the only events that matter: outer border starts (0→1) and, in mode all, hole starts (≥1→0).
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
  if (nextWidth != ws) initNext(ws);
  gPts = pts;
  gPtsCap = ptsCap;
  gNumPts = 0;
  gIds = ids;
  gWork = work;
  gWs = ws;
  const external = mode == 0;
  const zero = i8x16.splat(0);
  const one = i8x16.splat(1);
  let n = 0;
  const end = w + 1; // scan x in [1, w] of the padded row, as OpenCV's width - 1
  for (let y = 1; y <= h; y++) {
    const row = work + <usize>(y * ws);
    let x = 1;
    while (x < end) {
      // Skip 32 pixels at a time while nothing starts there.
      let v = v128.load(row + <usize>x);
      let vp = v128.load(row + <usize>x - 1);
      let evv = v128.and(i8x16.eq(vp, zero), i8x16.eq(v, one));
      if (!external) evv = v128.or(evv, v128.and(i8x16.eq(v, zero), i8x16.gt_s(vp, zero)));
      if (!v128.any_true(evv) && x + 16 < end) {
        const v2 = v128.load(row + <usize>x + 16);
        const vp2 = v128.load(row + <usize>x + 15);
        let ev2 = v128.and(i8x16.eq(vp2, zero), i8x16.eq(v2, one));
        if (!external) ev2 = v128.or(ev2, v128.and(i8x16.eq(v2, zero), i8x16.gt_s(vp2, zero)));
        if (!v128.any_true(ev2)) {
          x += 32;
          continue;
        }
        x += 16;
        v = v2;
        vp = vp2;
        evv = ev2;
      }
      let ev = i8x16.bitmask(evv);
      const lim = end - x;
      if (lim < 16) ev &= (1 << lim) - 1;
      if (ev == 0) {
        x += 16;
        continue;
      }
      const pos = x + ctz(ev);
      x = pos + 1;
      const prev = <i32>load<i8>(row + <usize>pos - 1);
      const isHole = prev != 0 ? 1 : 0;
      let parent = -1;
      if (external) {
        // RETR_EXTERNAL: only borders whose last labelled pixel is a right border (or none).
        if (<i32>load<i8>(row + <usize>lastLabelled(row, pos)) > 0) continue;
      } else if (isHole) {
        const lab = lastLabelled(row, pos);
        if (lab > 0) parent = load<i32>(ids + ((row + <usize>lab - work) << 2));
      }
      const start = pos - isHole;
      if (n < infoCap) {
        const ip = info + (<usize>n << 4);
        store<i32>(ip, gNumPts);
        store<i32>(ip, isHole, 8);
        store<i32>(ip, parent, 12);
      }
      const before = gNumPts;
      // In mode "all" the ids map stores, per traced pixel, its region's outer contour.
      traceBorder(row + <usize>start, isHole != 0, start - 1, y - 1, simple, !external, isHole ? parent : n);
      if (n < infoCap) store<i32>(info + (<usize>n << 4), gNumPts - before, 4);
      n++;
    }
  }
  store<i32>(counts, gNumPts);
  return n;
}

/**
 * Copies the contours' points into `dst` in the output order `order` (discovery indices) and
 * writes `offsets` (n + 1 point indices).
 */
export function contoursGather(pts: usize, info: usize, order: usize, n: i32, dst: usize, offsets: usize): void {
  let off = 0;
  for (let i = 0; i < n; i++) {
    const d = load<i32>(order + (<usize>i << 2));
    const ip = info + (<usize>d << 4);
    const start = load<i32>(ip);
    const count = load<i32>(ip, 4);
    memory.copy(dst + (<usize>off << 3), pts + (<usize>start << 3), <usize>count << 3);
    store<i32>(offsets + (<usize>i << 2), off);
    off += count;
  }
  store<i32>(offsets + (<usize>n << 2), off);
}
