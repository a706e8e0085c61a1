// Kernel family: watershed (marker-controlled flooding, as OpenCV 4.6's cv::watershed) and
// region growing (flood fill within a tolerance of the seed, as skimage.segmentation.flood).

const WSHED: i32 = -1;
const IN_QUEUE: i32 = -2;
const NQ = 256;

// The 256 FIFO queues are chains of fixed-size blocks of pixel indices taken from one pool, so
// pushes and pops walk memory sequentially (OpenCV links one node per pixel, which scatters).
// Freed blocks are reused first, so the blocks in use stay in cache. Each queue keeps the
// address of its next entry to pop and of its next free slot (0 = empty); a slot address that is
// a multiple of the block size means "block full", so a push or pop tests one bit pattern.
const BLOCK_SHIFT = 8;
const BLOCK_BYTES: usize = 4 << BLOCK_SHIFT; // 256 entries of i32
const Q_HEAD = memory.data(NQ * 4);
const Q_TAIL = memory.data(NQ * 4);
let gPool: usize = 0; // first block, aligned to BLOCK_BYTES
let gBlkNext: usize = 0; // i32 per block: next block address (queue chain or free list)
let gFree: usize = 0;
let gFresh: usize = 0; // blocks never used yet start here

/** Blocks the pool needs for an image of n pixels (each pixel is queued at most once), plus one for alignment. */
export function watershedPoolBlocks(n: i32): i32 {
  return (n >> BLOCK_SHIFT) + 2 * NQ + 3;
}

@inline function blockLink(b: usize): usize {
  return gBlkNext + (((b - gPool) >> BLOCK_SHIFT) & ~(<usize>3));
}

@inline function allocBlock(): usize {
  const b = gFree;
  if (b != 0) {
    gFree = <usize>load<u32>(blockLink(b));
    return b;
  }
  const f = gFresh;
  gFresh = f + BLOCK_BYTES;
  return f;
}

@inline function freeBlock(b: usize): void {
  store<u32>(blockLink(b), <u32>gFree);
  gFree = b;
}

@inline function push(q: i32, p: i32): void {
  const qo = <usize>q << 2;
  let t = <usize>load<u32>(Q_TAIL + qo);
  if ((t & (BLOCK_BYTES - 1)) == 0) {
    // Empty queue, or its last block is full.
    const nb = allocBlock();
    if (t == 0) store<u32>(Q_HEAD + qo, <u32>nb);
    else store<u32>(blockLink(t - BLOCK_BYTES), <u32>nb);
    t = nb;
  }
  store<i32>(t, p);
  store<u32>(Q_TAIL + qo, <u32>(t + 4));
}

/** Pops the oldest pixel of a non-empty queue. */
@inline function pop(q: i32): i32 {
  const qo = <usize>q << 2;
  const hp = <usize>load<u32>(Q_HEAD + qo);
  const p = load<i32>(hp);
  let nh = hp + 4;
  if (nh == <usize>load<u32>(Q_TAIL + qo)) {
    freeBlock(((hp - gPool) & ~(BLOCK_BYTES - 1)) + gPool);
    store<u32>(Q_TAIL + qo, 0);
    nh = 0;
  } else if ((nh & (BLOCK_BYTES - 1)) == 0) {
    const b = nh - BLOCK_BYTES;
    nh = <usize>load<u32>(blockLink(b));
    freeBlock(b);
  }
  store<u32>(Q_HEAD + qo, <u32>nh);
  return p;
}

// Byte indices gathering channel c of 16 RGB pixels from three 16-byte vectors (0xff = none).
const RGB_GATHER = memory.data<u8>([
  // channel 0: from v0, v1, v2
  0, 3, 6, 9, 12, 15, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 5, 8, 11, 14, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 4, 7, 10, 13,
  // channel 1
  1, 4, 7, 10, 13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xff, 0xff, 0xff, 0xff, 0xff, 0, 3, 6, 9, 12, 15, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 5, 8, 11, 14,
  // channel 2
  2, 5, 8, 11, 14, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xff, 0xff, 0xff, 0xff, 0xff, 1, 4, 7, 10, 13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 3, 6, 9, 12, 15,
]);

@inline function absDiff(a: v128, b: v128): v128 {
  return v128.or(i8x16.sub_sat_u(a, b), i8x16.sub_sat_u(b, a));
}

@inline function gatherChannel(d0: v128, d1: v128, d2: v128, c: i32): v128 {
  const t = RGB_GATHER + <usize>(c * 48);
  return v128.or(
    v128.or(i8x16.swizzle(d0, v128.load(t)), i8x16.swizzle(d1, v128.load(t, 16))),
    i8x16.swizzle(d2, v128.load(t, 32)),
  );
}

/**
 * OpenCV's c_diff between pixel i and pixel i + step (in pixels) for `n` consecutive i:
 * the largest absolute difference over the colour channels (1: gray, 3: RGB, 4: RGBA with
 * alpha ignored). Writes one byte per i to `dst`.
 */
export function watershedDiffs(img: usize, channels: i32, step: i32, n: i32, dst: usize): void {
  let i = 0;
  if (channels == 1) {
    for (; i + 16 <= n; i += 16) {
      const p = img + <usize>i;
      v128.store(dst + <usize>i, absDiff(v128.load(p), v128.load(p + <usize>step)));
    }
    for (; i < n; i++) {
      const a = <i32>load<u8>(img + <usize>i);
      const b = <i32>load<u8>(img + <usize>(i + step));
      store<u8>(dst + <usize>i, <u8>(a > b ? a - b : b - a));
    }
    return;
  }
  if (channels == 3) {
    const off = <usize>(step * 3);
    for (; i + 16 <= n; i += 16) {
      const p = img + <usize>(i * 3);
      const d0 = absDiff(v128.load(p), v128.load(p + off));
      const d1 = absDiff(v128.load(p, 16), v128.load(p + off, 16));
      const d2 = absDiff(v128.load(p, 32), v128.load(p + off, 32));
      const m = v128.max<u8>(v128.max<u8>(gatherChannel(d0, d1, d2, 0), gatherChannel(d0, d1, d2, 1)), gatherChannel(d0, d1, d2, 2));
      v128.store(dst + <usize>i, m);
    }
  }
  // RGB tail, and RGBA (alpha ignored).
  const ch = <usize>channels;
  const off = <usize>step * ch;
  for (; i < n; i++) {
    const p = img + <usize>i * ch;
    let m = 0;
    for (let c = 0; c < 3; c++) {
      const a = <i32>load<u8>(p + <usize>c);
      const b = <i32>load<u8>(p + off + <usize>c);
      const d = a > b ? a - b : b - a;
      if (d > m) m = d;
    }
    store<u8>(dst + <usize>i, <u8>m);
  }
}

/**
 * Marker-controlled watershed exactly as OpenCV 4.6's cv::watershed: copies `markers` (i32) into
 * `mask` (they may be the same), makes the border pixels -1 and negative markers 0, then floods
 * with Meyer's algorithm over 256 FIFO queues, a pixel's priority being its colour difference to
 * the pixel that reached it. `dh[i]` = diff(i, i + 1), `dv[i]` = diff(i, i + w) (watershedDiffs).
 * `pool` holds watershedPoolBlocks(w * h) blocks of 256 i32, `blkNext` one i32 per block.
 * `lab` (w * h bytes) and `grad` (watershedGrads of dh, dv) serve the byte-label flood used while
 * the markers hold at most 253 distinct labels. Returns the number of pixels queued by the i32
 * flood, or -1 when the byte-label flood ran.
 */
export function watershedFlood(markers: usize, mask: usize, w: i32, h: i32, dh: usize, dv: usize, pool: usize, blkNext: usize, lab: usize, grad: usize): i32 {
  memory.fill(Q_HEAD, 0, NQ * 4);
  memory.fill(Q_TAIL, 0, NQ * 4);
  gPool = (pool + BLOCK_BYTES - 1) & ~(BLOCK_BYTES - 1);
  gBlkNext = blkNext;
  gFree = 0;
  gFresh = gPool;
  if (h >= 2 && w >= 2 && flood8(markers, mask, w, h, dh, dv, lab, grad)) return -1;
  const ms = <usize>w << 2;
  const rowBytes = <usize>w << 2;
  // Row 0 and row h - 1 are the frame; row y + 1 is copied just before row y is scanned.
  if (markers != mask && h > 1) memory.copy(mask + ms, markers + ms, rowBytes);
  for (let x = 0; x < w; x++) {
    store<i32>(mask + (<usize>x << 2), WSHED);
    store<i32>(mask + (<usize>((h - 1) * w + x) << 2), WSHED);
  }
  let queued = 0;
  const zero = i32x4.splat(0);
  // Initial phase: queue every unlabelled pixel next to a marker, with the smallest difference.
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    if (markers != mask && y + 1 < h - 1) memory.copy(mask + ms * <usize>(y + 1), markers + ms * <usize>(y + 1), rowBytes);
    store<i32>(mask + (<usize>row << 2), WSHED);
    store<i32>(mask + (<usize>(row + w - 1) << 2), WSHED);
    let x = 1;
    // Four pixels at a time while none of them needs queueing (the common case).
    for (; x + 4 <= w - 1; x += 4) {
      const m = mask + (<usize>(row + x) << 2);
      const v = i32x4.max_s(v128.load(m), zero);
      v128.store(m, v);
      const near = v128.or(
        v128.or(i32x4.gt_s(v128.load(m - 4), zero), i32x4.gt_s(v128.load(m + 4), zero)),
        v128.or(i32x4.gt_s(v128.load(m - ms), zero), i32x4.gt_s(v128.load(m + ms), zero)),
      );
      const c = i32x4.bitmask(v128.and(i32x4.eq(v, zero), near));
      if (c == 0) continue;
      for (let k = 0; k < 4; k++) if ((c >> k) & 1) queued += queueInitial(mask, row + x + k, w, dh, dv);
    }
    for (; x < w - 1; x++) {
      const m = mask + (<usize>(row + x) << 2);
      if (load<i32>(m) < 0) store<i32>(m, 0);
      if (load<i32>(m) == 0) queued += queueInitial(mask, row + x, w, dh, dv);
    }
  }
  let active = 0;
  while (active < NQ && load<u32>(Q_HEAD + (<usize>active << 2)) == 0) active++;
  if (active == NQ) return queued;

  while (true) {
    if (load<u32>(Q_HEAD + (<usize>active << 2)) == 0) {
      let q = active + 1;
      while (q < NQ && load<u32>(Q_HEAD + (<usize>q << 2)) == 0) q++;
      if (q == NQ) break;
      active = q;
    }
    const i = pop(active);
    const m = mask + (<usize>i << 2);
    // Label from the labelled 4-neighbours: theirs if they agree, else a watershed pixel.
    let lab = 0;
    const tl = load<i32>(m - 4);
    const tr = load<i32>(m + 4);
    const tu = load<i32>(m - ms);
    const td = load<i32>(m + ms);
    if (tl > 0) lab = tl;
    if (tr > 0) lab = lab == 0 ? tr : tr != lab ? WSHED : lab;
    if (tu > 0) lab = lab == 0 ? tu : tu != lab ? WSHED : lab;
    if (td > 0) lab = lab == 0 ? td : td != lab ? WSHED : lab;
    store<i32>(m, lab);
    if (lab == WSHED) continue;

    if (tl == 0) {
      const t = <i32>load<u8>(dh + <usize>(i - 1));
      push(t, i - 1);
      if (t < active) active = t;
      store<i32>(m - 4, IN_QUEUE);
      queued++;
    }
    if (tr == 0) {
      const t = <i32>load<u8>(dh + <usize>i);
      push(t, i + 1);
      if (t < active) active = t;
      store<i32>(m + 4, IN_QUEUE);
      queued++;
    }
    if (tu == 0) {
      const t = <i32>load<u8>(dv + <usize>(i - w));
      push(t, i - w);
      if (t < active) active = t;
      store<i32>(m - ms, IN_QUEUE);
      queued++;
    }
    if (td == 0) {
      const t = <i32>load<u8>(dv + <usize>i);
      push(t, i + w);
      if (t < active) active = t;
      store<i32>(m + ms, IN_QUEUE);
      queued++;
    }
  }
  return queued;
}

// Compact flood: while the markers hold at most MAX8 distinct positive labels, the flood runs on
// one byte per pixel (label index 1..MAX8, 0 unlabelled, IN_QUEUE8, WSHED8) instead of OpenCV's
// i32 mask, which cuts the memory the flood touches at random by four.
const MAX8 = 253;
const IN_QUEUE8: i32 = 254;
const WSHED8: i32 = 255;
const LAB_VALS = memory.data(256 * 4); // label index -> marker value

@inline function isLab8(v: i32): bool {
  return <u32>(v - 1) < <u32>MAX8;
}

/** Byte label indices of `markers` into `lab` (frame = WSHED8). Returns false past MAX8 labels. */
function mapLabels8(markers: usize, lab: usize, w: i32, h: i32): bool {
  let count = 0;
  let lastV = 0;
  let lastK = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let x = 0;
    while (x < w) {
      // 16 pixels at once when each is unlabelled or has the last label seen (the common case).
      if (x + 16 <= w) {
        const p = markers + (<usize>(row + x) << 2);
        const lv = i32x4.splat(lastV);
        const z = i32x4.splat(0);
        const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
        const e0 = i32x4.eq(v0, lv), e1 = i32x4.eq(v1, lv), e2 = i32x4.eq(v2, lv), e3 = i32x4.eq(v3, lv);
        const ok = v128.and(
          v128.and(v128.or(e0, i32x4.le_s(v0, z)), v128.or(e1, i32x4.le_s(v1, z))),
          v128.and(v128.or(e2, i32x4.le_s(v2, z)), v128.or(e3, i32x4.le_s(v3, z))),
        );
        if (i32x4.all_true(ok)) {
          const lk = i32x4.splat(lastK);
          const k01 = i16x8.narrow_i32x4_u(v128.and(e0, lk), v128.and(e1, lk));
          const k23 = i16x8.narrow_i32x4_u(v128.and(e2, lk), v128.and(e3, lk));
          v128.store(lab + <usize>(row + x), i8x16.narrow_i16x8_u(k01, k23));
          x += 16;
          continue;
        }
      }
      // Otherwise the 16 (or the row's tail) one by one.
      const end = min(x + 16, w);
      for (; x < end; x++) {
        const v = load<i32>(markers + (<usize>(row + x) << 2));
        let k = 0;
        if (v > 0) {
          if (v == lastV) k = lastK;
          else {
            let j = 1;
            while (j <= count && load<i32>(LAB_VALS + (<usize>j << 2)) != v) j++;
            if (j > count) {
              if (count == MAX8) return false;
              count = j;
              store<i32>(LAB_VALS + (<usize>j << 2), v);
            }
            k = j;
            lastV = v;
            lastK = j;
          }
        }
        store<u8>(lab + <usize>(row + x), <u8>k);
      }
    }
    store<u8>(lab + <usize>row, <u8>WSHED8);
    store<u8>(lab + <usize>(row + w - 1), <u8>WSHED8);
  }
  memory.fill(lab, <u8>WSHED8, <usize>w);
  memory.fill(lab + <usize>((h - 1) * w), <u8>WSHED8, <usize>w);
  return true;
}

@inline function queueInitial8(lab: usize, i: i32, w: i32, dh: usize, dv: usize): i32 {
  const m = lab + <usize>i;
  const l = isLab8(<i32>load<u8>(m - 1));
  const r = isLab8(<i32>load<u8>(m + 1));
  const u = isLab8(<i32>load<u8>(m - <usize>w));
  const d = isLab8(<i32>load<u8>(m + <usize>w));
  if (!(l || r || u || d)) return 0;
  let idx = 256;
  if (l) idx = <i32>load<u8>(dh + <usize>(i - 1));
  if (r) idx = min(idx, <i32>load<u8>(dh + <usize>i));
  if (u) idx = min(idx, <i32>load<u8>(dv + <usize>(i - w)));
  if (d) idx = min(idx, <i32>load<u8>(dv + <usize>i));
  push(idx, i);
  store<u8>(m, <u8>IN_QUEUE8);
  return 1;
}

/**
 * Interleaves the four edge differences of pixels w .. n - w - 1 into one u32 each (bytes: left,
 * right, up, down), so the flood reads one word per popped pixel instead of three lines.
 */
export function watershedGrads(dh: usize, dv: usize, w: i32, n: i32, dst: usize): void {
  let i = w;
  const end = n - w;
  for (; i + 16 <= end; i += 16) {
    const a = v128.load(dh + <usize>(i - 1));
    const b = v128.load(dh + <usize>i);
    const c = v128.load(dv + <usize>(i - w));
    const d = v128.load(dv + <usize>i);
    const abLo = i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const abHi = i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const cdLo = i8x16.shuffle(c, d, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const cdHi = i8x16.shuffle(c, d, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const o = dst + (<usize>i << 2);
    v128.store(o, i16x8.shuffle(abLo, cdLo, 0, 8, 1, 9, 2, 10, 3, 11));
    v128.store(o, i16x8.shuffle(abLo, cdLo, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    v128.store(o, i16x8.shuffle(abHi, cdHi, 0, 8, 1, 9, 2, 10, 3, 11), 32);
    v128.store(o, i16x8.shuffle(abHi, cdHi, 4, 12, 5, 13, 6, 14, 7, 15), 48);
  }
  for (; i < end; i++) {
    store<u32>(dst + (<usize>i << 2),
      <u32>load<u8>(dh + <usize>(i - 1)) | (<u32>load<u8>(dh + <usize>i) << 8) |
      (<u32>load<u8>(dv + <usize>(i - w)) << 16) | (<u32>load<u8>(dv + <usize>i) << 24));
  }
}

/** watershedFlood on byte labels in `lab` (w * h bytes); false (nothing written) past MAX8 labels. */
function flood8(markers: usize, mask: usize, w: i32, h: i32, dh: usize, dv: usize, lab: usize, grad: usize): bool {
  if (!mapLabels8(markers, lab, w, h)) return false;
  const ws = <usize>w;
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    let x = 1;
    const one = i8x16.splat(1);
    const nLab = i8x16.splat(<i8>MAX8);
    for (; x + 16 <= w - 1; x += 16) {
      const m = lab + <usize>(row + x);
      const near = v128.or(
        v128.or(i8x16.lt_u(i8x16.sub(v128.load(m - 1), one), nLab), i8x16.lt_u(i8x16.sub(v128.load(m + 1), one), nLab)),
        v128.or(i8x16.lt_u(i8x16.sub(v128.load(m - ws), one), nLab), i8x16.lt_u(i8x16.sub(v128.load(m + ws), one), nLab)),
      );
      let c = i8x16.bitmask(v128.and(i8x16.eq(v128.load(m), i8x16.splat(0)), near));
      while (c != 0) {
        queueInitial8(lab, row + x + ctz(c), w, dh, dv);
        c &= c - 1;
      }
    }
    for (; x < w - 1; x++) {
      if (load<u8>(lab + <usize>(row + x)) == 0) queueInitial8(lab, row + x, w, dh, dv);
    }
  }
  let active = 0;
  while (active < NQ && load<u32>(Q_HEAD + (<usize>active << 2)) == 0) active++;
  while (active < NQ) {
    if (load<u32>(Q_HEAD + (<usize>active << 2)) == 0) {
      let q = active + 1;
      while (q < NQ && load<u32>(Q_HEAD + (<usize>q << 2)) == 0) q++;
      if (q == NQ) break;
      active = q;
    }
    const i = pop(active);
    const m = lab + <usize>i;
    let lb = 0;
    const tl = <i32>load<u8>(m - 1);
    const tr = <i32>load<u8>(m + 1);
    const tu = <i32>load<u8>(m - ws);
    const td = <i32>load<u8>(m + ws);
    if (isLab8(tl)) lb = tl;
    if (isLab8(tr)) lb = lb == 0 ? tr : tr != lb ? WSHED8 : lb;
    if (isLab8(tu)) lb = lb == 0 ? tu : tu != lb ? WSHED8 : lb;
    if (isLab8(td)) lb = lb == 0 ? td : td != lb ? WSHED8 : lb;
    store<u8>(m, <u8>lb);
    if (lb == WSHED8) continue;
    const g = load<u32>(grad + (<usize>i << 2));
    if (tl == 0) {
      const t = <i32>(g & 255);
      push(t, i - 1);
      if (t < active) active = t;
      store<u8>(m - 1, <u8>IN_QUEUE8);
    }
    if (tr == 0) {
      const t = <i32>((g >> 8) & 255);
      push(t, i + 1);
      if (t < active) active = t;
      store<u8>(m + 1, <u8>IN_QUEUE8);
    }
    if (tu == 0) {
      const t = <i32>((g >> 16) & 255);
      push(t, i - w);
      if (t < active) active = t;
      store<u8>(m - ws, <u8>IN_QUEUE8);
    }
    if (td == 0) {
      const t = <i32>(g >> 24);
      push(t, i + w);
      if (t < active) active = t;
      store<u8>(m + ws, <u8>IN_QUEUE8);
    }
  }
  // Back to marker values (index 0 stays 0; a pixel never reached keeps 0 as in OpenCV).
  store<i32>(LAB_VALS, 0);
  store<i32>(LAB_VALS + (<usize>WSHED8 << 2), WSHED);
  store<i32>(LAB_VALS + (<usize>IN_QUEUE8 << 2), IN_QUEUE);
  const n = w * h;
  for (let i = 0; i < n; i++) {
    store<i32>(mask + (<usize>i << 2), load<i32>(LAB_VALS + (<usize>load<u8>(lab + <usize>i) << 2)));
  }
  return true;
}

/** Initial phase for one unlabelled pixel: queue it if a 4-neighbour is a marker. Returns 1 if queued. */
function queueInitial(mask: usize, i: i32, w: i32, dh: usize, dv: usize): i32 {
  const m = mask + (<usize>i << 2);
  const ms = <usize>w << 2;
  const l = load<i32>(m - 4) > 0;
  const r = load<i32>(m + 4) > 0;
  const u = load<i32>(m - ms) > 0;
  const d = load<i32>(m + ms) > 0;
  if (!(l || r || u || d)) return 0;
  let idx = 256;
  if (l) idx = <i32>load<u8>(dh + <usize>(i - 1));
  if (r) idx = min(idx, <i32>load<u8>(dh + <usize>i));
  if (u) idx = min(idx, <i32>load<u8>(dv + <usize>(i - w)));
  if (d) idx = min(idx, <i32>load<u8>(dv + <usize>i));
  push(idx, i);
  store<i32>(m, IN_QUEUE);
  return 1;
}

@inline function inRange(img: usize, i: i32, lo: i32, hi: i32): bool {
  return <u32>(<i32>load<u8>(img + <usize>i) - lo) <= <u32>(hi - lo);
}

/**
 * Scanline flood fill from pixel `seed` of a gray image over pixels with lo <= value <= hi,
 * 4- or 8-connected. `visited` (u8 per pixel) holds the stamp (1..255) of the flood that last
 * reached or queued each pixel, so floods from several seeds stay independent without clearing
 * it for each: pass a new `stamp` for each flood. Reached pixels get 255 in `out` (labels == false) or, if still 0,
 * `label` in the i32 `out`. `stack` holds one i32 per pixel (a pixel is queued at most once).
 * Returns the number of pixels reached.
 */
export function regionGrowFlood(
  img: usize, w: i32, h: i32, seed: i32, lo: i32, hi: i32, conn8: bool,
  visited: usize, stamp: i32, stack: usize, out: usize, labels: bool, label: i32,
): i32 {
  const ext = conn8 ? 1 : 0;
  store<u8>(visited + <usize>seed, <u8>stamp);
  store<i32>(stack, seed);
  let sp = 1;
  let count = 0;
  while (sp > 0) {
    const p = load<i32>(stack + (<usize>(--sp) << 2));
    const y = p / w;
    const row = y * w;
    // Extend the span left and right over unreached pixels in range.
    let x1 = p - row;
    let x2 = x1;
    while (x1 > 0 && inRange(img, row + x1 - 1, lo, hi) && <i32>load<u8>(visited + <usize>(row + x1 - 1)) != stamp) x1--;
    while (x2 < w - 1 && inRange(img, row + x2 + 1, lo, hi) && <i32>load<u8>(visited + <usize>(row + x2 + 1)) != stamp) x2++;
    const len = <usize>(x2 - x1 + 1);
    memory.fill(visited + <usize>(row + x1), <u8>stamp, len);
    if (labels) {
      for (let x = x1; x <= x2; x++) {
        const o = out + (<usize>(row + x) << 2);
        if (load<i32>(o) == 0) store<i32>(o, label);
      }
    } else memory.fill(out + <usize>(row + x1), 255, len);
    count += x2 - x1 + 1;
    // Queue the first pixel of each run in range on the rows above and below.
    const a = max(0, x1 - ext);
    const b = min(w - 1, x2 + ext);
    for (let dy = -1; dy <= 1; dy += 2) {
      const ny = y + dy;
      if (ny < 0 || ny >= h) continue;
      const nrow = ny * w;
      let inRun = false;
      for (let x = a; x <= b; x++) {
        const q = nrow + x;
        const vq = visited + <usize>q;
        if (inRange(img, q, lo, hi) && <i32>load<u8>(vq) != stamp) {
          if (!inRun) {
            store<u8>(vq, <u8>stamp);
            store<i32>(stack + (<usize>(sp++) << 2), q);
            inRun = true;
          }
        } else inRun = false;
      }
    }
  }
  return count;
}
