// Plain TypeScript references for the components family (flood fill, straight from the
// definitions), used by components.test.ts and regions.test.ts. Slow and obvious on purpose.

export interface RefStats {
  area: number;
  x: number;
  y: number;
  width: number;
  height: number;
  cx: number;
  cy: number;
}

/** Labels by flood fill in raster order of first pixels; nonzero = foreground. */
export function referenceLabels(data: ArrayLike<number>, w: number, h: number, connectivity: 4 | 8, foreground = true): { count: number; labels: Int32Array } {
  const labels = new Int32Array(w * h);
  const stack: number[] = [];
  let count = 0;
  const isFg = (i: number) => (data[i] !== 0) === foreground;
  for (let i = 0; i < w * h; i++) {
    if (!isFg(i) || labels[i] !== 0) continue;
    labels[i] = ++count;
    stack.push(i);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (connectivity === 4 && dx !== 0 && dy !== 0)) continue;
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const q = yy * w + xx;
          if (isFg(q) && labels[q] === 0) {
            labels[q] = count;
            stack.push(q);
          }
        }
      }
    }
  }
  return { count, labels };
}

/** OpenCV's statistics per label 1..count from a label image. */
export function referenceStats(labels: Int32Array, w: number, count: number): RefStats[] {
  const acc = Array.from({ length: count }, () => ({ area: 0, x0: Infinity, y0: Infinity, x1: -1, y1: -1, sx: 0, sy: 0 }));
  for (let i = 0; i < labels.length; i++) {
    const L = labels[i]!;
    if (L === 0) continue;
    const a = acc[L - 1]!;
    const x = i % w;
    const y = (i - x) / w;
    a.area++;
    a.x0 = Math.min(a.x0, x);
    a.y0 = Math.min(a.y0, y);
    a.x1 = Math.max(a.x1, x);
    a.y1 = Math.max(a.y1, y);
    a.sx += x;
    a.sy += y;
  }
  return acc.map((a) => ({ area: a.area, x: a.x0, y: a.y0, width: a.x1 - a.x0 + 1, height: a.y1 - a.y0 + 1, cx: a.sx / a.area, cy: a.sy / a.area }));
}

/** scipy's binary_fill_holes: background not 4-connected to the border becomes foreground (0/255). */
export function referenceFillHoles(data: ArrayLike<number>, w: number, h: number): Uint8Array {
  const bg = referenceLabels(data, w, h, 4, false);
  const touches = new Uint8Array(bg.count + 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) touches[bg.labels[y * w + x]!] = 1;
    }
  }
  return Uint8Array.from(bg.labels, (L) => (L !== 0 && touches[L] ? 0 : 255));
}

/** Keeps the labels for which `keep(label, area)` holds, as a 0/255 mask. */
export function referenceKeep(data: ArrayLike<number>, w: number, h: number, connectivity: 4 | 8, keep: (label: number, area: number, areas: number[]) => boolean): Uint8Array {
  const { count, labels } = referenceLabels(data, w, h, connectivity);
  const areas = new Array<number>(count + 1).fill(0);
  for (const L of labels) areas[L]!++;
  return Uint8Array.from(labels, (L) => (L !== 0 && keep(L, areas[L]!, areas) ? 255 : 0));
}
