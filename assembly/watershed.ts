// Kernel family: watershed (marker-controlled flooding, as OpenCV 4.6's cv::watershed) and
// region growing (flood fill within a tolerance of the seed, as skimage.segmentation.flood).

const WSHED: i32 = -1;
const IN_QUEUE: i32 = -2;
const NQ = 256;
// Head and tail pixel of each of the 256 FIFO queues (-1 = empty).
const QHEAD = memory.data(NQ * 4);
const QTAIL = memory.data(NQ * 4);

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

@inline function push(next: usize, q: i32, p: i32): void {
  const tp = QTAIL + (<usize>q << 2);
  const tail = load<i32>(tp);
  if (tail >= 0) store<i32>(next + (<usize>tail << 2), p);
  else store<i32>(QHEAD + (<usize>q << 2), p);
  store<i32>(tp, p);
  store<i32>(next + (<usize>p << 2), -1);
}

/**
 * Marker-controlled watershed on `mask` (i32 labels, modified in place) exactly as OpenCV 4.6:
 * border pixels become -1, negative markers 0, then Meyer's flooding with 256 FIFO queues where
 * a pixel's priority is its colour difference to the pixel that reached it.
 * `dh[i]` = diff(i, i + 1), `dv[i]` = diff(i, i + w) (watershedDiffs); `next` holds one i32
 * per pixel (the queues' links). Returns the number of pixels queued.
 */
export function watershedFlood(mask: usize, w: i32, h: i32, dh: usize, dv: usize, next: usize): i32 {
  for (let q = 0; q < NQ; q++) {
    store<i32>(QHEAD + (<usize>q << 2), -1);
    store<i32>(QTAIL + (<usize>q << 2), -1);
  }
  const ms = <usize>w << 2;
  // A one-pixel frame of "watershed" pixels.
  for (let x = 0; x < w; x++) {
    store<i32>(mask + (<usize>x << 2), WSHED);
    store<i32>(mask + (<usize>((h - 1) * w + x) << 2), WSHED);
  }
  let queued = 0;
  // Initial phase: queue every unlabelled pixel next to a marker, with the smallest difference.
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    store<i32>(mask + (<usize>row << 2), WSHED);
    store<i32>(mask + (<usize>(row + w - 1) << 2), WSHED);
    for (let x = 1; x < w - 1; x++) {
      const i = row + x;
      const m = mask + (<usize>i << 2);
      let v = load<i32>(m);
      if (v < 0) {
        v = 0;
        store<i32>(m, 0);
      }
      if (v != 0) continue;
      const l = load<i32>(m - 4) > 0;
      const r = load<i32>(m + 4) > 0;
      const u = load<i32>(m - ms) > 0;
      const d = load<i32>(m + ms) > 0;
      if (!(l || r || u || d)) continue;
      let idx = 256;
      if (l) idx = <i32>load<u8>(dh + <usize>(i - 1));
      if (r) idx = min(idx, <i32>load<u8>(dh + <usize>i));
      if (u) idx = min(idx, <i32>load<u8>(dv + <usize>(i - w)));
      if (d) idx = min(idx, <i32>load<u8>(dv + <usize>i));
      push(next, idx, i);
      store<i32>(m, IN_QUEUE);
      queued++;
    }
  }
  let active = 0;
  while (active < NQ && load<i32>(QHEAD + (<usize>active << 2)) < 0) active++;
  if (active == NQ) return queued;

  while (true) {
    let head = load<i32>(QHEAD + (<usize>active << 2));
    if (head < 0) {
      let q = active + 1;
      while (q < NQ && load<i32>(QHEAD + (<usize>q << 2)) < 0) q++;
      if (q == NQ) break;
      active = q;
      head = load<i32>(QHEAD + (<usize>q << 2));
    }
    // Pop.
    const nx = load<i32>(next + (<usize>head << 2));
    store<i32>(QHEAD + (<usize>active << 2), nx);
    if (nx < 0) store<i32>(QTAIL + (<usize>active << 2), -1);

    const i = head;
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
      push(next, t, i - 1);
      if (t < active) active = t;
      store<i32>(m - 4, IN_QUEUE);
      queued++;
    }
    if (tr == 0) {
      const t = <i32>load<u8>(dh + <usize>i);
      push(next, t, i + 1);
      if (t < active) active = t;
      store<i32>(m + 4, IN_QUEUE);
      queued++;
    }
    if (tu == 0) {
      const t = <i32>load<u8>(dv + <usize>(i - w));
      push(next, t, i - w);
      if (t < active) active = t;
      store<i32>(m - ms, IN_QUEUE);
      queued++;
    }
    if (td == 0) {
      const t = <i32>load<u8>(dv + <usize>i);
      push(next, t, i + w);
      if (t < active) active = t;
      store<i32>(m + ms, IN_QUEUE);
      queued++;
    }
  }
  return queued;
}

/**
 * Flood fill from pixel `seed` of a gray image over pixels with lo <= value <= hi, 4- or
 * 8-connected. `visited` (i32 per pixel) holds the stamp of the flood that last reached each
 * pixel, so floods from several seeds stay independent without clearing it: pass a new `stamp`
 * for each flood. Reached pixels get 255 in `outMask` (labels == false) or, if still 0, `label`
 * in the i32 `outLabels`. `stack` holds one i32 per pixel. Returns the number of pixels reached.
 */
export function regionGrowFlood(
  img: usize, w: i32, h: i32, seed: i32, lo: i32, hi: i32, conn8: bool,
  visited: usize, stamp: i32, stack: usize, out: usize, labels: bool, label: i32,
): i32 {
  let sp = 0;
  store<i32>(visited + (<usize>seed << 2), stamp);
  store<i32>(stack, seed);
  sp = 1;
  let count = 0;
  while (sp > 0) {
    const p = load<i32>(stack + (<usize>(--sp) << 2));
    count++;
    if (labels) {
      const o = out + (<usize>p << 2);
      if (load<i32>(o) == 0) store<i32>(o, label);
    } else store<u8>(out + <usize>p, 255);
    const y = p / w;
    const x = p - y * w;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        if (dx == 0 && dy == 0) continue;
        if (!conn8 && dx != 0 && dy != 0) continue;
        const xx = x + dx;
        if (xx < 0 || xx >= w) continue;
        const q = yy * w + xx;
        const vq = visited + (<usize>q << 2);
        if (load<i32>(vq) == stamp) continue;
        const v = <i32>load<u8>(img + <usize>q);
        if (v < lo || v > hi) continue;
        store<i32>(vq, stamp);
        store<i32>(stack + (<usize>(sp++) << 2), q);
      }
    }
  }
  return count;
}
