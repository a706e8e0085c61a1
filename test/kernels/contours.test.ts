import { describe, expect, it } from "vitest";
import { contourArea, EdgesegError, findContours, type ContoursResult, type Image } from "../../src/index.js";
import { expectSameArray } from "../helpers/compare.js";
import { loadArray, loadImage, loadManifest } from "../helpers/fixtures.js";
import { PROPERTY_SIZES, randomMask, rng } from "../helpers/random.js";

const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, -1, -1, -1, 0, 1, 1, 1];

/** Unpacks a fixture: [n, lengths(n), hierarchy(4n), points]. */
function unpack(packed: Int32Array): { lengths: Int32Array; hierarchy: Int32Array; points: Int32Array } {
  const n = packed[0]!;
  return {
    lengths: packed.subarray(1, 1 + n),
    hierarchy: packed.subarray(1 + n, 1 + 5 * n),
    points: packed.subarray(1 + 5 * n),
  };
}

describe("findContours: golden fixtures from OpenCV 4.6 (identical points, order and hierarchy)", () => {
  const cases = loadManifest("contours");
  it("has fixtures", () => expect(cases.length).toBeGreaterThan(60));
  for (const c of cases) {
    it(c.name, async () => {
      const mask = await loadImage("contours", c.inputs.mask);
      const want = unpack(loadArray("contours", c.expected.packed) as Int32Array);
      const got = findContours(mask, { mode: c.params.mode, approximation: c.params.approximation });
      expect(got.contours.length).toBe(c.expected.count);
      expectSameArray(got.contours.map((x) => x.points.length / 2), want.lengths, "point counts");
      expectSameArray(got.hierarchy, want.hierarchy, "hierarchy");
      let off = 0;
      got.contours.forEach((contour, i) => {
        expectSameArray(contour.points, want.points.subarray(off, off + contour.points.length), `contour ${i} points`);
        off += contour.points.length;
        expect(contour.parent).toBe(want.hierarchy[i * 4 + 3]);
        // RETR_CCOMP: holes are exactly the contours with a parent.
        expect(contour.isHole).toBe(want.hierarchy[i * 4 + 3]! >= 0);
      });
      const areas = c.expected.orientedAreas as number[];
      areas.forEach((a, i) => expect(contourArea(got.contours[i]!.points, { oriented: true })).toBeCloseTo(a, 6));
    });
  }
});

// ---- plain TypeScript references for the properties ----

/** 8-connected labels of the foreground (0 = background), by flood fill. */
function labelForeground(mask: Image): { labels: Int32Array; count: number } {
  const { width: w, height: h, data } = mask;
  const labels = new Int32Array(w * h);
  const stack: number[] = [];
  let count = 0;
  for (let i = 0; i < w * h; i++) {
    if (data[i] === 0 || labels[i] !== 0) continue;
    labels[i] = ++count;
    stack.push(i);
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      for (let d = 0; d < 8; d++) {
        const xx = x + DX[d]!;
        const yy = y + DY[d]!;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const q = yy * w + xx;
        if (data[q] !== 0 && labels[q] === 0) {
          labels[q] = count;
          stack.push(q);
        }
      }
    }
  }
  return { labels, count };
}

/**
 * 4-connected labels of the background of the mask padded by one background pixel on each side
 * ((w+2)×(h+2)); label 1 is the exterior (it contains the padding).
 */
function labelBackground(mask: Image): { labels: Int32Array; count: number } {
  const w = mask.width + 2;
  const h = mask.height + 2;
  const bg = (x: number, y: number) => x === 0 || y === 0 || x === w - 1 || y === h - 1 || mask.data[(y - 1) * mask.width + x - 1] === 0;
  const labels = new Int32Array(w * h);
  let count = 0;
  const stack: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (labels[i] !== 0 || !bg(i % w, Math.floor(i / w))) continue;
    labels[i] = ++count;
    stack.push(i);
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      for (const [xx, yy] of [[x + 1, y], [x - 1, y], [x, y + 1], [x, y - 1]] as const) {
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const q = yy * w + xx;
        if (labels[q] === 0 && bg(xx, yy)) {
          labels[q] = count;
          stack.push(q);
        }
      }
    }
  }
  return { labels, count };
}

/** Foreground pixels (as y*w+x) that have a 4-neighbour in background component `which` (padded labels). */
function borderPixels(mask: Image, bgLabels: Int32Array, which: (label: number) => boolean): Set<number> {
  const { width: w, height: h, data } = mask;
  const pw = w + 2;
  const out = new Set<number>();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x] === 0) continue;
      const c = (y + 1) * pw + x + 1;
      if (which(bgLabels[c - 1]!) || which(bgLabels[c + 1]!) || which(bgLabels[c - pw]!) || which(bgLabels[c + pw]!)) out.add(y * w + x);
    }
  }
  return out;
}

/** Re-expands a CHAIN_APPROX_SIMPLE polygon into unit steps (closing back to its first point). */
function expandSimple(points: Int32Array): number[] {
  const n = points.length / 2;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x0 = points[i * 2]!;
    const y0 = points[i * 2 + 1]!;
    const x1 = points[((i + 1) % n) * 2]!;
    const y1 = points[((i + 1) % n) * 2 + 1]!;
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0));
    const sx = Math.sign(x1 - x0);
    const sy = Math.sign(y1 - y0);
    for (let s = 0; s < Math.max(1, steps); s++) out.push(x0 + sx * s, y0 + sy * s);
  }
  return out;
}

/** True if `b` is `a` rotated (same closed sequence of points, other start). */
function sameCycle(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const n = a.length / 2;
  for (let r = 0; r < n; r++) {
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = a[i * 2] === b[((i + r) % n) * 2] && a[i * 2 + 1] === b[((i + r) % n) * 2 + 1];
    if (ok) return true;
  }
  return false;
}

function checkContourProperties(mask: Image, label: string): void {
  const { width: w, height: h } = mask;
  const fg = labelForeground(mask);
  const bg = labelBackground(mask);
  const holesExpected = bg.count - 1;

  for (const approximation of ["none", "simple"] as const) {
    const ext = findContours(mask, { mode: "external", approximation });
    const all = findContours(mask, { mode: "all", approximation });
    const none = approximation === "none";

    // Counts: one outer border per 8-connected region, one hole border per enclosed background region,
    // external = the regions that touch the exterior background.
    const outer = all.contours.filter((c) => !c.isHole);
    expect(outer.length, `${label}: outer borders`).toBe(fg.count);
    expect(all.contours.length - outer.length, `${label}: holes`).toBe(holesExpected);
    const touching = new Set<number>();
    for (const p of borderPixels(mask, bg.labels, (l) => l === 1)) touching.add(fg.labels[p]!);
    expect(ext.contours.length, `${label}: external`).toBe(touching.size);

    for (const [result, mode] of [[ext, "external"], [all, "all"]] as Array<[ContoursResult, string]>) {
      const seen = new Set<number>();
      result.contours.forEach((c, i) => {
        const n = c.points.length / 2;
        expect(n).toBeGreaterThan(0);
        let region = -1;
        for (let j = 0; j < n; j++) {
          const x = c.points[j * 2]!;
          const y = c.points[j * 2 + 1]!;
          if (x < 0 || y < 0 || x >= w || y >= h || mask.data[y * w + x] === 0) throw new Error(`${label} ${mode}: contour ${i} point (${x},${y}) is not foreground`);
          const r = fg.labels[y * w + x]!;
          if (region >= 0 && r !== region) throw new Error(`${label} ${mode}: contour ${i} spans two regions`);
          region = r;
          seen.add(y * w + x);
          if (none && n > 1) {
            // Consecutive points (cyclically) are 8-neighbours.
            const nx = c.points[((j + 1) % n) * 2]!;
            const ny = c.points[((j + 1) % n) * 2 + 1]!;
            if (Math.max(Math.abs(nx - x), Math.abs(ny - y)) !== 1) throw new Error(`${label} ${mode}: contour ${i} jumps from (${x},${y}) to (${nx},${ny})`);
          }
        }
        if (c.isHole) {
          const parent = result.contours[c.parent]!;
          expect(parent.isHole).toBe(false);
          expect(fg.labels[parent.points[1]! * w + parent.points[0]!]).toBe(region);
        } else expect(c.parent).toBe(-1);
      });
      if (none) {
        // Every border pixel lies on some contour, and nothing else does.
        const want = mode === "external" ? borderPixels(mask, bg.labels, (l) => l === 1) : borderPixels(mask, bg.labels, (l) => l > 0);
        expect(seen.size, `${label} ${mode}: border pixels`).toBe(want.size);
        for (const p of want) if (!seen.has(p)) throw new Error(`${label} ${mode}: border pixel (${p % w},${Math.floor(p / w)}) on no contour`);
      }
    }
    if (!none) {
      // SIMPLE keeps the corners of the NONE chain: expanded back, it is the same closed chain.
      const full = findContours(mask, { mode: "all", approximation: "none" });
      all.contours.forEach((c, i) => {
        const n = full.contours[i]!.points.length / 2;
        if (n <= 2) return; // 1-pixel regions and 2-pixel chains: nothing to expand
        if (!sameCycle(expandSimple(c.points), full.contours[i]!.points)) throw new Error(`${label}: simple contour ${i} does not expand to the full chain`);
      });
    }
  }
}

describe("findContours: properties on random masks", () => {
  const sizes: Array<readonly [number, number]> = [...PROPERTY_SIZES.filter(([w]) => w < 600), [1, 40], [40, 1], [3, 200]];
  sizes.forEach(([w, h], i) => {
    for (const density of [0.3, 0.5, 0.7]) {
      it(`${w}×${h} density ${density}`, () => checkContourProperties(randomMask(w, h, 1000 + i * 7 + density * 100, density), `${w}×${h}`));
    }
  });

  it("salt noise with diagonal chains and single pixels", () => {
    const r = rng(77);
    for (const [w, h] of [[33, 21], [8, 64], [101, 3]] as const) {
      const data = new Uint8Array(w * h).map(() => (r() < 0.35 ? 255 : 0));
      checkContourProperties({ width: w, height: h, channels: 1, data }, `salt ${w}×${h}`);
    }
  });

  it("a 1080p frame's contours and a grow of the output buffers", () => {
    const mask = randomMask(1920, 1080, 5, 0.5);
    const first = findContours(mask, { mode: "all" });
    const again = findContours(mask, { mode: "all" });
    expect(again.contours.length).toBe(first.contours.length);
    expect(first.contours.length).toBeGreaterThan(1000);
    expectSameArray(again.hierarchy, first.hierarchy, "hierarchy");
  });

  it("honours a row stride and leaves its input and options unchanged", () => {
    const packed = randomMask(13, 7, 9);
    const padded = new Uint8Array(20 * 7).fill(255);
    for (let y = 0; y < 7; y++) padded.set(packed.data.subarray(y * 13, y * 13 + 13), y * 20);
    const before = padded.slice();
    const options = Object.freeze({ mode: "all" as const, approximation: "none" as const });
    const a = findContours({ width: 13, height: 7, channels: 1, data: padded, stride: 20 }, options);
    const b = findContours(packed, options);
    expectSameArray(padded, before, "input");
    expect(a.contours.length).toBe(b.contours.length);
    a.contours.forEach((c, i) => expectSameArray(c.points, b.contours[i]!.points, `contour ${i}`));
  });

  it("contourArea is the shoelace area, unsigned by default", () => {
    const square = new Int32Array([0, 0, 0, 4, 4, 4, 4, 0]);
    expect(contourArea(square)).toBe(16);
    // Down, right, up: counter-clockwise on screen (y down), negative like OpenCV's outer borders.
    expect(contourArea(square, { oriented: true })).toBe(-16);
    expect(contourArea([0, 0, 4, 0, 4, 4, 0, 4], { oriented: true })).toBe(16);
    expect(contourArea([1, 2])).toBe(0);
    expect(contourArea([])).toBe(0);
  });
});

describe("findContours: bad input", () => {
  const mask = { width: 4, height: 2, channels: 1 as const, data: new Uint8Array(8) };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["colour image", () => findContours({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }), /gray image.*mask\.channels but received 3/],
    ["short buffer", () => findContours({ ...mask, data: new Uint8Array(7) }), /mask\.data to hold exactly 8 bytes/],
    ["unknown mode", () => findContours(mask, { mode: "tree" as never }), /one of "external", "all" for options\.mode but received "tree"/],
    ["unknown approximation", () => findContours(mask, { approximation: "tc89" as never }), /options\.approximation but received "tc89"/],
    ["unknown option", () => findContours(mask, { method: "none" } as never), /Unknown option "method"/],
    ["odd point list", () => contourArea([1, 2, 3]), /even length for points but received array of length 3/],
    ["bad oriented", () => contourArea([], { oriented: 1 as never }), /boolean for options\.oriented/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});
