// Kernel family: connected components (run-based labelling), per-region statistics and features,
// hole filling and region selection masks.
//
// Algorithm (run-based two-scan labelling):
//   1. ccScan: per row, find the runs of foreground bytes with SIMD bitmasks (ctz over 64-pixel
//      words, so a run costs a few instructions whatever its length), then merge them with the
//      runs of the row above (two pointers) in a union-find over run indices. Roots are always the
//      smallest run index of a component, i.e. the run holding its first pixel in raster order.
//   2. ccResolve: one forward pass over the runs turns parents into final labels 1..count, numbered
//      in raster order of each component's first pixel (scikit-image's order).
//   3. ccLabelsStats: the one full-frame pass: writes the label image row by row and accumulates
//      OpenCV's stats (bounding box, area, centroid sums) per run in closed form.
// Feature passes (moments, perimeter/Euler, intensity) walk the stored runs again, never the
// whole frame.
//
// Memory (all owned by the host, see src/kernels/components.ts):
//   runs      u32 per run: start | (end << 16), end exclusive (widths ≤ 16384 fit in 16 bits)
//   parent    i32 per run: union-find parent, replaced in place by the run's final label
//   rowStart  i32 per row + 1: index of the first run of each row

// ---- run extraction ----

/** Finds the runs of one row; returns the new run count. `invert` scans zero bytes instead. */
@inline
function scanRow(row: usize, w: i32, invert: bool, runs: usize, first: i32): i32 {
  // Never assign to a parameter of an @inline function: asc 0.28 miscompiled that (see find).
  let n = first;
  const zero = i8x16.splat(0);
  let open = 0; // 1 inside a run
  let runStart = 0;
  let carry: u64 = 0;
  let base = 0;
  // 64 pixels at a time: a bit per pixel, transitions = m ^ (m << 1 | carry).
  for (; base + 64 <= w; base += 64) {
    const p = row + <usize>base;
    let m0 = i8x16.bitmask(i8x16.eq(v128.load(p), zero));
    let m1 = i8x16.bitmask(i8x16.eq(v128.load(p, 16), zero));
    let m2 = i8x16.bitmask(i8x16.eq(v128.load(p, 32), zero));
    let m3 = i8x16.bitmask(i8x16.eq(v128.load(p, 48), zero));
    let m: u64 = (<u64>m0) | (<u64>m1 << 16) | (<u64>m2 << 32) | (<u64>m3 << 48);
    if (!invert) m = ~m;
    let t = m ^ ((m << 1) | carry);
    carry = m >> 63;
    while (t != 0) {
      // Branchless: transitions alternate start/end. An opening writes a throw-away word at
      // runs[n] that its closing overwrites; only closings advance n.
      const x = base + <i32>ctz(t);
      t &= t - 1;
      store<u32>(runs + (<usize>n << 2), <u32>runStart | (<u32>x << 16));
      n += open;
      runStart = select(runStart, x, open);
      open ^= 1;
    }
  }
  for (; base + 16 <= w; base += 16) {
    let m: u32 = <u32>i8x16.bitmask(i8x16.eq(v128.load(row + <usize>base), zero));
    if (!invert) m = ~m & 0xffff;
    let t = (m ^ ((m << 1) | <u32>carry)) & 0xffff;
    carry = <u64>(m >> 15);
    while (t != 0) {
      // Branchless: transitions alternate start/end. An opening writes a throw-away word at
      // runs[n] that its closing overwrites; only closings advance n.
      const x = base + <i32>ctz(t);
      t &= t - 1;
      store<u32>(runs + (<usize>n << 2), <u32>runStart | (<u32>x << 16));
      n += open;
      runStart = select(runStart, x, open);
      open ^= 1;
    }
  }
  for (; base < w; base++) {
    const fg = <i32>((load<u8>(row + <usize>base) != 0) != invert);
    if (fg != open) {
      if (fg) runStart = base;
      else {
        store<u32>(runs + (<usize>n << 2), <u32>runStart | (<u32>base << 16));
        n++;
      }
      open = fg;
    }
  }
  if (open) {
    store<u32>(runs + (<usize>n << 2), <u32>runStart | (<u32>w << 16));
    n++;
  }
  return n;
}

@inline function runStartOf(runs: usize, r: i32): i32 {
  return <i32>(load<u32>(runs + (<usize>r << 2)) & 0xffff);
}

@inline function runEndOf(runs: usize, r: i32): i32 {
  return <i32>(load<u32>(runs + (<usize>r << 2)) >> 16);
}

/**
 * Root of `start` with path halving. Assigning to the parameter itself instead of a local was
 * miscompiled by asc 0.28's inliner inside `select(...)` (wrong unions), hence the copy.
 */
@inline function find(parent: usize, start: i32): i32 {
  let x = start;
  let p = load<i32>(parent + (<usize>x << 2));
  while (p != x) {
    const gp = load<i32>(parent + (<usize>p << 2));
    store<i32>(parent + (<usize>x << 2), gp);
    x = gp;
    p = load<i32>(parent + (<usize>x << 2));
  }
  return x;
}

/**
 * Pass 1: extracts the runs of every row of `mask` (nonzero = foreground, or zero bytes when
 * `invert`) and unites touching runs of consecutive rows (8- or 4-connectivity). Returns the
 * number of runs. Capacity needed: runs/parent h * ceil(w / 2) entries, rowStart h + 1.
 */
export function ccScan(mask: usize, w: i32, h: i32, conn8: bool, invert: bool, runs: usize, parent: usize, rowStart: usize): i32 {
  const off = conn8 ? 1 : 0;
  let n = 0;
  let prevBegin = 0;
  for (let y = 0; y < h; y++) {
    const begin = n;
    store<i32>(rowStart + (<usize>y << 2), begin);
    n = scanRow(mask + <usize>y * <usize>w, w, invert, runs, n);
    for (let r = begin; r < n; r++) store<i32>(parent + (<usize>r << 2), r);
    if (y > 0) {
      // Two-pointer sweep over this row's runs and the row above (both sorted by x). Touching
      // pairs are united branch-free: the larger root goes under the smaller, so a root stays
      // its component's first run.
      let i = begin;
      let j = prevBegin;
      let rootI = i;
      while (i < n && j < begin) {
        const cw = load<u32>(runs + (<usize>i << 2));
        const pw = load<u32>(runs + (<usize>j << 2));
        const s = <i32>(cw & 0xffff);
        const e = <i32>(cw >> 16);
        const ps = <i32>(pw & 0xffff);
        const pe = <i32>(pw >> 16);
        // Always "unite": a pair that does not touch stores parent[rootI] = rootI, a no-op.
        const touch = ps < e + off && s < pe + off;
        const rj = select(find(parent, j), rootI, touch);
        const lo = min(rootI, rj);
        store<i32>(parent + (<usize>max(rootI, rj) << 2), lo);
        rootI = lo;
        // Advance the run that ends first (both on a tie: neither can touch the other's successor).
        const nextI = i + <i32>(e <= pe);
        j += <i32>(pe <= e);
        rootI = select(rootI, nextI, nextI == i);
        i = nextI;
      }
    }
    prevBegin = begin;
  }
  store<i32>(rowStart + (<usize>h << 2), n);
  return n;
}

/**
 * Pass 2 (runs only): replaces each run's parent by its final label 1..count in raster order of
 * the components' first pixels. Relies on parent[r] <= r, which the linking in ccScan keeps.
 */
export function ccResolve(parent: usize, n: i32): i32 {
  let count = 0;
  for (let r = 0; r < n; r++) {
    const p = load<i32>(parent + (<usize>r << 2));
    // parent[p] already holds p's label (p < r), which is the root's label.
    const label = p == r ? ++count : load<i32>(parent + (<usize>p << 2));
    store<i32>(parent + (<usize>r << 2), label);
  }
  return count;
}

/** Fills n i32 slots with v. */
@inline function fill32(p: usize, n: i32, v: i32): void {
  if (n >= 8) {
    const vv = i32x4.splat(v);
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), vv);
    // Overlapping last store covers the tail.
    if (i < n) v128.store(p + (<usize>(n - 4) << 2), vv);
  } else {
    for (let i = 0; i < n; i++) store<i32>(p + (<usize>i << 2), v);
  }
}

/**
 * Pass 3: writes the label image (when `out` != 0) and OpenCV's statistics per label:
 * stats i32 [x, y, width, height, area] at L * 5 and centroids f64 [cx, cy] at L * 2, L = 1..count.
 */
export function ccLabelsStats(w: i32, h: i32, runs: usize, labels: usize, rowStart: usize, out: usize, stats: usize, centroids: usize): void {
  let seen = 0;
  const total = <usize>w * <usize>h;
  const zero = i32x4.splat(0);
  for (let y = 0; y < h; y++) {
    const rb = load<i32>(rowStart + (<usize>y << 2));
    const re = load<i32>(rowStart + (<usize>(y + 1) << 2));
    const rowOut = out + <usize>y * <usize>w * 4;
    // Rows whose 4-slot overshoot stays inside the image: the row is zeroed in bulk, each run is
    // written with whole 4-label stores and one zero store at its end wipes the overshoot (it may
    // spill into the next run, written later, or the next row, zeroed later).
    const fast = out != 0 && (<usize>y + 1) * <usize>w + 4 <= total;
    if (fast) memory.fill(rowOut, 0, <usize>w << 2);
    let x = 0;
    for (let r = rb; r < re; r++) {
      const word = load<u32>(runs + (<usize>r << 2));
      const s = <i32>(word & 0xffff);
      const e = <i32>(word >> 16);
      const L = load<i32>(labels + (<usize>r << 2));
      const len = e - s;
      if (fast) {
        const vl = i32x4.splat(L);
        let p = s;
        do {
          v128.store(rowOut + (<usize>p << 2), vl);
          p += 4;
        } while (p < e);
        v128.store(rowOut + (<usize>e << 2), zero);
      } else if (out != 0) {
        fill32(rowOut + (<usize>x << 2), s - x, 0);
        fill32(rowOut + (<usize>s << 2), len, L);
      }
      x = e;
      const st = stats + <usize>L * 20;
      const ce = centroids + (<usize>L << 4);
      const sx = <f64>((s + e - 1) * len) * 0.5; // sum of x over the run
      const sy = <f64>y * <f64>len;
      if (L > seen) {
        // Labels first appear in increasing order in a raster scan.
        seen = L;
        store<i32>(st, s);
        store<i32>(st, y, 4);
        store<i32>(st, e - 1, 8);
        store<i32>(st, y, 12);
        store<i32>(st, len, 16);
        store<f64>(ce, sx);
        store<f64>(ce, sy, 8);
      } else {
        store<i32>(st, min(s, load<i32>(st)));
        store<i32>(st, max(e - 1, load<i32>(st, 8)), 8);
        store<i32>(st, y, 12);
        store<i32>(st, load<i32>(st, 16) + len, 16);
        store<f64>(ce, load<f64>(ce) + sx);
        store<f64>(ce, load<f64>(ce, 8) + sy, 8);
      }
    }
    if (!fast && out != 0 && x < w) {
      fill32(rowOut + (<usize>x << 2), w - x, 0);
    }
  }
  // Finish: max corners → sizes, sums → means (exact integer sums / area, as OpenCV does).
  for (let L = 1; L <= seen; L++) {
    const st = stats + <usize>L * 20;
    const ce = centroids + (<usize>L << 4);
    store<i32>(st, load<i32>(st, 8) - load<i32>(st) + 1, 8);
    store<i32>(st, load<i32>(st, 12) - load<i32>(st, 4) + 1, 12);
    const area = <f64>load<i32>(st, 16);
    store<f64>(ce, load<f64>(ce) / area);
    store<f64>(ce, load<f64>(ce, 8) / area, 8);
  }
}

/** Area per label (i32 at L, L = 1..count) from the runs, without touching any image. */
export function ccAreas(runs: usize, labels: usize, n: i32, count: i32, areas: usize): void {
  memory.fill(areas, 0, (<usize>count + 1) << 2);
  for (let r = 0; r < n; r++) {
    const word = load<u32>(runs + (<usize>r << 2));
    const p = areas + (<usize>load<i32>(labels + (<usize>r << 2)) << 2);
    store<i32>(p, load<i32>(p) + <i32>(word >> 16) - <i32>(word & 0xffff));
  }
}

/**
 * Writes a 0/255 mask holding the runs whose label L has keep[L] != 0 (u8 per label).
 * With `invertRuns` the runs are background runs and everything else is foreground.
 */
export function ccKeepMask(w: i32, h: i32, runs: usize, labels: usize, rowStart: usize, keep: usize, out: usize, invertRuns: bool): void {
  memory.fill(out, invertRuns ? 255 : 0, <usize>w * <usize>h);
  const value: u8 = invertRuns ? 0 : 255;
  for (let y = 0; y < h; y++) {
    const rb = load<i32>(rowStart + (<usize>y << 2));
    const re = load<i32>(rowStart + (<usize>(y + 1) << 2));
    const row = out + <usize>y * <usize>w;
    for (let r = rb; r < re; r++) {
      if (load<u8>(keep + <usize>load<i32>(labels + (<usize>r << 2))) == 0) continue;
      const word = load<u32>(runs + (<usize>r << 2));
      const s = <i32>(word & 0xffff);
      memory.fill(row + <usize>s, value, <usize>(<i32>(word >> 16) - s));
    }
  }
}

/**
 * Flags (u8 at L) the components of background runs that touch the image border; used by
 * fillHoles, which then erases those runs (everything else, holes included, is foreground).
 */
export function ccBorderFlags(w: i32, h: i32, runs: usize, labels: usize, rowStart: usize, count: i32, flags: usize): void {
  memory.fill(flags, 0, <usize>count + 1);
  for (let y = 0; y < h; y++) {
    const rb = load<i32>(rowStart + (<usize>y << 2));
    const re = load<i32>(rowStart + (<usize>(y + 1) << 2));
    const edgeRow = y == 0 || y == h - 1;
    for (let r = rb; r < re; r++) {
      const word = load<u32>(runs + (<usize>r << 2));
      if (edgeRow || (word & 0xffff) == 0 || <i32>(word >> 16) == w) {
        store<u8>(flags + <usize>load<i32>(labels + (<usize>r << 2)), 1);
      }
    }
  }
}

// ---- features ----

/**
 * Raw second-order sums per label relative to its bounding-box corner (for precision):
 * f64 [Σx, Σy, Σx², Σxy, Σy²] at L * 5, from closed forms per run (no pixel loop).
 */
export function ccMoments(h: i32, runs: usize, labels: usize, rowStart: usize, count: i32, stats: usize, sums: usize): void {
  memory.fill(sums, 0, (<usize>count + 1) * 40);
  for (let y = 0; y < h; y++) {
    const rb = load<i32>(rowStart + (<usize>y << 2));
    const re = load<i32>(rowStart + (<usize>(y + 1) << 2));
    for (let r = rb; r < re; r++) {
      const word = load<u32>(runs + (<usize>r << 2));
      const L = load<i32>(labels + (<usize>r << 2));
      const st = stats + <usize>L * 20;
      const x0 = load<i32>(st);
      const a = <f64>(<i32>(word & 0xffff) - x0); // first relative x
      const b = <f64>(<i32>(word >> 16) - 1 - x0); // last relative x
      const n = b - a + 1;
      const Y = <f64>(y - load<i32>(st, 4));
      const sx = (a + b) * n * 0.5;
      // Σ_{k=a}^{b} k² = S(b) − S(a−1), S(k) = k(k+1)(2k+1)/6
      const sxx = (b * (b + 1) * (2 * b + 1) - (a - 1) * a * (2 * a - 1)) / 6;
      const p = sums + <usize>L * 40;
      store<f64>(p, load<f64>(p) + sx);
      store<f64>(p, load<f64>(p, 8) + Y * n, 8);
      store<f64>(p, load<f64>(p, 16) + sxx, 16);
      store<f64>(p, load<f64>(p, 24) + Y * sx, 24);
      store<f64>(p, load<f64>(p, 32) + Y * Y * n, 32);
    }
  }
}

// scikit-image's perimeter weights by neighbourhood code (1 + 2·edge + 10·diagonal border neighbours).
const PERIMETER_WEIGHTS = memory.data<f64>([
  0, 0, 0, 0, 0, 1, 0, 1, 0, 0,
  0, 0, 0, 1.2071067811865475, 0, 1, 0, 1, 0, 0,
  0, 1.4142135623730951, 0, 1.2071067811865475, 0, 1, 0, 1, 0, 0,
  0, 0, 0, 1.4142135623730951, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

@inline function labelAt(img: usize, w: i32, x: i32, y: i32): i32 {
  return load<i32>(img + ((<usize>y * <usize>w + <usize>x) << 2));
}

/**
 * scikit-image's perimeter (4-neighbourhood border, weighted by its neighbourhood code) and Euler
 * number (8-connectivity, its bit-quad coefficients) per label, reading the label image around the
 * runs only. `border` is a u8 frame scratch (no clearing needed: only pixels of a run are read).
 * Outputs: perimeter f64 at L, euler i32 at L.
 */
export function ccPerimeterEuler(w: i32, h: i32, img: usize, runs: usize, labels: usize, rowStart: usize, count: i32, border: usize, perimeter: usize, euler: usize): void {
  memory.fill(perimeter, 0, (<usize>count + 1) << 3);
  memory.fill(euler, 0, (<usize>count + 1) << 2);
  for (let y = 0; y < h; y++) {
    const rb = load<i32>(rowStart + (<usize>y << 2));
    const re = load<i32>(rowStart + (<usize>(y + 1) << 2));
    const hasUp = y > 0;
    const hasDown = y + 1 < h;
    for (let r = rb; r < re; r++) {
      const word = load<u32>(runs + (<usize>r << 2));
      const s = <i32>(word & 0xffff);
      const e = <i32>(word >> 16);
      const L = load<i32>(labels + (<usize>r << 2));
      let eul = 0;
      for (let x = s; x < e; x++) {
        const up = hasUp ? labelAt(img, w, x, y - 1) : 0;
        const down = hasDown ? labelAt(img, w, x, y + 1) : 0;
        const isBorder = x == s || x == e - 1 || up != L || down != L;
        store<u8>(border + <usize>y * <usize>w + <usize>x, isBorder ? 1 : 0);
        // Euler (skimage's EULER_COEFS2D_8 on the window whose up-left / up pixel is this one).
        if (down != L) {
          const dr = hasDown && x + 1 < w ? labelAt(img, w, x + 1, y + 1) : 0;
          const dl = hasDown && x > 0 ? labelAt(img, w, x - 1, y + 1) : 0;
          if (x == e - 1 && dr != L) eul++;
          if (dl == L) eul--;
        }
      }
      const ep = euler + (<usize>L << 2);
      store<i32>(ep, load<i32>(ep) + eul);
    }
  }
  for (let y = 0; y < h; y++) {
    const rb = load<i32>(rowStart + (<usize>y << 2));
    const re = load<i32>(rowStart + (<usize>(y + 1) << 2));
    for (let r = rb; r < re; r++) {
      const word = load<u32>(runs + (<usize>r << 2));
      const s = <i32>(word & 0xffff);
      const e = <i32>(word >> 16);
      const L = load<i32>(labels + (<usize>r << 2));
      let sum = 0.0;
      for (let x = s; x < e; x++) {
        if (load<u8>(border + <usize>y * <usize>w + <usize>x) == 0) continue;
        let code = 1;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if ((dx | dy) == 0 || xx < 0 || xx >= w) continue;
            if (labelAt(img, w, xx, yy) != L) continue;
            if (load<u8>(border + <usize>yy * <usize>w + <usize>xx) == 0) continue;
            code += dx == 0 || dy == 0 ? 2 : 10;
          }
        }
        sum += load<f64>(PERIMETER_WEIGHTS + (<usize>code << 3));
      }
      const pp = perimeter + (<usize>L << 3);
      store<f64>(pp, load<f64>(pp) + sum);
    }
  }
}

/**
 * Gray-level statistics per label over a packed 1-channel image:
 * sum f64 at L, min and max i32 at L * 2.
 */
export function ccIntensity(w: i32, h: i32, gray: usize, runs: usize, labels: usize, rowStart: usize, count: i32, sums: usize, minmax: usize): void {
  memory.fill(sums, 0, (<usize>count + 1) << 3);
  for (let L = 0; L <= count; L++) {
    store<i32>(minmax + (<usize>L << 3), 255);
    store<i32>(minmax + (<usize>L << 3), 0, 4);
  }
  for (let y = 0; y < h; y++) {
    const rb = load<i32>(rowStart + (<usize>y << 2));
    const re = load<i32>(rowStart + (<usize>(y + 1) << 2));
    const row = gray + <usize>y * <usize>w;
    for (let r = rb; r < re; r++) {
      const word = load<u32>(runs + (<usize>r << 2));
      const s = <i32>(word & 0xffff);
      const e = <i32>(word >> 16);
      const L = load<i32>(labels + (<usize>r << 2));
      let sum = 0;
      let lo = 255;
      let hi = 0;
      for (let x = s; x < e; x++) {
        const v = <i32>load<u8>(row + <usize>x);
        sum += v;
        lo = min(lo, v);
        hi = max(hi, v);
      }
      const sp = sums + (<usize>L << 3);
      store<f64>(sp, load<f64>(sp) + <f64>sum);
      const mp = minmax + (<usize>L << 3);
      if (lo < load<i32>(mp)) store<i32>(mp, lo);
      if (hi > load<i32>(mp, 4)) store<i32>(mp, hi, 4);
    }
  }
}
