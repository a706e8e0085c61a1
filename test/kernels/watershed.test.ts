import { describe, expect, it } from "vitest";
import { EdgesegError, type Image, regionGrow, regionGrowLabels, WasmBuffer, watershed } from "../../src/index.js";
import { expectSameArray } from "../helpers/compare.js";
import { loadArray, loadImage, loadManifest } from "../helpers/fixtures.js";
import { PROPERTY_SIZES, randomImage, rng } from "../helpers/random.js";

const cases = loadManifest("watershed");

/** Intersection over union of label `l` between two label maps. */
function iou(a: Int32Array, b: Int32Array, l: number): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === l;
    const y = b[i] === l;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

describe("watershed: golden fixtures from OpenCV 4.6", () => {
  const ws = cases.filter((c) => c.params.kind === "watershed");
  it("has fixtures", () => expect(ws.length).toBeGreaterThan(10));
  for (const c of ws) {
    it(c.name, async () => {
      const img = await loadImage("watershed", c.inputs.img);
      const markers = loadArray("watershed", c.inputs.markers) as Int32Array;
      const want = loadArray("watershed", c.expected.labels) as Int32Array;
      const before = markers.slice();
      const got = watershed(img, markers);
      expectSameArray(markers, before, "markers untouched");
      // Same queues, same order: the labels are identical, not only ≥ 0.98 IoU per region.
      expectSameArray(got, want, c.name, img.width);
      let max = 0;
      for (const l of want) max = Math.max(max, l);
      for (let l = 1; l <= Math.min(max, 50); l++) expect(iou(got, want, l)).toBe(1);
    });
  }

  it("labels in place when out is the markers array, and RGBA gives the RGB result", async () => {
    const c = ws.find((x) => x.name === "watershed_water_coins_tutorial")!;
    const img = await loadImage("watershed", c.inputs.img);
    const markers = loadArray("watershed", c.inputs.markers) as Int32Array;
    const want = loadArray("watershed", c.expected.labels) as Int32Array;
    const rgba = new Uint8Array(img.width * img.height * 4);
    for (let i = 0; i < img.width * img.height; i++) {
      rgba.set(img.data.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = (i * 37) & 255; // alpha is ignored
    }
    expectSameArray(watershed({ width: img.width, height: img.height, channels: 4, data: rgba }, markers), want, "rgba");
    const inPlace = markers.slice();
    expect(watershed(img, inPlace, { out: inPlace })).toBe(inPlace);
    expectSameArray(inPlace, want, "in place");
    // Markers and labels in WASM memory: read and written without staging copies.
    const mBuf = new WasmBuffer(markers.length * 4);
    const oBuf = new WasmBuffer(markers.length * 4);
    try {
      mBuf.view(Int32Array).set(markers);
      const labels = watershed(img, mBuf.view(Int32Array), { out: oBuf.view(Int32Array) });
      expect(labels.buffer).toBe(oBuf.view(Int32Array).buffer);
      expectSameArray(labels, want, "wasm out");
      expectSameArray(mBuf.view(Int32Array), markers, "wasm markers untouched");
      expectSameArray(watershed(img, mBuf.view(Int32Array), { out: mBuf.view(Int32Array) }), want, "wasm in place");
    } finally {
      mBuf.dispose();
      oBuf.dispose();
    }
  });
});

// ---- properties ----

/** Random seed markers: `count` labelled pixels (labels 1..count), some negative. */
function randomMarkers(w: number, h: number, count: number, seed: number): Int32Array {
  const r = rng(seed);
  const m = new Int32Array(w * h);
  for (let i = 1; i <= count; i++) m[Math.floor(r() * w * h)] = i;
  for (let i = 0; i < 3; i++) m[Math.floor(r() * w * h)] = -1;
  return m;
}

/** Plain port of OpenCV 4.6's cv::watershed (arrays as FIFO queues), for any channel count ≤ 4. */
function watershedReference(img: Image, markers: Int32Array): Int32Array {
  const { width: w, height: h, channels: ch, data } = img;
  const m = markers.slice();
  const diff = (a: number, b: number) => {
    let d = 0;
    for (let c = 0; c < Math.min(3, ch); c++) d = Math.max(d, Math.abs(data[a * ch + c]! - data[b * ch + c]!));
    return d;
  };
  const queues: number[][] = Array.from({ length: 256 }, () => []);
  const heads = new Int32Array(256);
  for (let x = 0; x < w; x++) m[x] = m[(h - 1) * w + x] = -1;
  for (let y = 1; y < h - 1; y++) {
    m[y * w] = m[y * w + w - 1] = -1;
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (m[i]! < 0) m[i] = 0;
      if (m[i] !== 0) continue;
      let idx = 256;
      for (const j of [i - 1, i + 1, i - w, i + w]) if (m[j]! > 0) idx = Math.min(idx, diff(i, j));
      if (idx < 256) {
        queues[idx]!.push(i);
        m[i] = -2;
      }
    }
  }
  let active = 0;
  while (active < 256 && queues[active]!.length === 0) active++;
  if (active === 256) return m;
  for (;;) {
    if (heads[active] === queues[active]!.length) {
      let q = active + 1;
      while (q < 256 && heads[q] === queues[q]!.length) q++;
      if (q === 256) break;
      active = q;
    }
    const i = queues[active]![heads[active]!++]!;
    let lab = 0;
    for (const j of [i - 1, i + 1, i - w, i + w]) {
      const t = m[j]!;
      if (t > 0) lab = lab === 0 ? t : t !== lab ? -1 : lab;
    }
    m[i] = lab;
    if (lab === -1) continue;
    for (const j of [i - 1, i + 1, i - w, i + w]) {
      if (m[j] !== 0) continue;
      const t = diff(i, j);
      queues[t]!.push(j);
      active = Math.min(active, t);
      m[j] = -2;
    }
  }
  return m;
}

function checkWatershed(img: Image, markers: Int32Array, label: string): void {
  const { width: w, height: h } = img;
  const got = watershed(img, markers);
  expectSameArray(got, watershedReference(img, markers), `${label} vs reference`, w);
  const inner = (x: number, y: number) => x > 0 && y > 0 && x < w - 1 && y < h - 1;
  let anyMarker = false;
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) if (markers[y * w + x]! > 0) anyMarker = true;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const l = got[i]!;
      if (!inner(x, y)) {
        if (l !== -1) throw new Error(`${label}: frame pixel (${x},${y}) is ${l}, not -1`);
        continue;
      }
      const m = markers[i]!;
      if (m > 0 && l !== m) throw new Error(`${label}: marker at (${x},${y}) changed from ${m} to ${l}`);
      if (!anyMarker) {
        if (l !== Math.max(0, m)) throw new Error(`${label}: no markers but (${x},${y}) is ${l}`);
        continue;
      }
      if (l < -1) throw new Error(`${label}: (${x},${y}) is ${l}`);
      if (l === 0) {
        // Never reached: walled in by boundaries (OpenCV does not flood from boundary pixels).
        if ([i - 1, i + 1, i - w, i + w].some((j) => got[j]! > 0)) throw new Error(`${label}: (${x},${y}) left unlabelled next to a region`);
      } else if (l > 0) {
        // Regions touch only their own label or boundaries (or where two markers were adjacent).
        for (const j of [i - 1, i + 1, i - w, i + w]) {
          const n = got[j]!;
          if (n > 0 && n !== l && !(markers[i]! > 0 && markers[j]! > 0)) throw new Error(`${label}: labels ${l} and ${n} touch at (${x},${y}) without a boundary`);
        }
      } else {
        // A boundary pixel separates two labels, or sits next to the frame or another boundary.
        const around = new Set([got[i - 1]!, got[i + 1]!, got[i - w]!, got[i + w]!].filter((n) => n > 0));
        if (around.size === 1 && ![i - 1, i + 1, i - w, i + w].some((j) => got[j] === -1)) {
          throw new Error(`${label}: boundary at (${x},${y}) inside region ${[...around][0]}`);
        }
      }
    }
  }
}

describe("watershed: properties on random images", () => {
  for (const [w, h] of [...PROPERTY_SIZES, [1, 40], [40, 1], [3, 3], [200, 3]] as Array<readonly [number, number]>) {
    for (const channels of [1, 3] as const) {
      it(`${w}×${h}×${channels}`, () => {
        const img = randomImage(w, h, channels, w * 31 + h * 7 + channels);
        checkWatershed(img, randomMarkers(w, h, Math.max(1, Math.floor((w * h) / 400)), w + h), `${w}×${h}×${channels}`);
        checkWatershed(img, new Int32Array(w * h), `${w}×${h}×${channels} without markers`);
      });
    }
  }

  // The flood runs on byte labels up to 253 distinct marker values and on i32 labels past that:
  // both sides of the limit, with large, scattered and negative label values and marker blobs.
  for (const count of [1, 2, 253, 254, 600]) {
    it(`${count} distinct labels (arbitrary values, blobs) equal the reference`, () => {
      const w = 211;
      const h = 97;
      const img = randomImage(w, h, 3, count);
      const r = rng(count * 13 + 1);
      const values = Array.from({ length: count }, (_, i) => (i % 3 === 0 ? 2147483647 - i * 7919 : 1 + i * 104729));
      const markers = new Int32Array(w * h);
      // Each label a 3×2 blob in its own 4×4 cell (cells picked at random), so all stay distinct.
      const cells = Array.from({ length: Math.floor(w / 4) * Math.floor(h / 4) }, (_, i) => i);
      for (let i = cells.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [cells[i], cells[j]] = [cells[j]!, cells[i]!];
      }
      for (let i = 0; i < count; i++) {
        const x0 = (cells[i]! % Math.floor(w / 4)) * 4;
        const y0 = Math.floor(cells[i]! / Math.floor(w / 4)) * 4;
        for (let y = y0; y < y0 + 2; y++) for (let x = x0; x < x0 + 3; x++) markers[y * w + x] = values[i]!;
      }
      expect(new Set(markers.filter((v) => v > 0)).size).toBe(count);
      for (let i = 0; i < 20; i++) if (markers[(i * 977) % (w * h)] === 0) markers[(i * 977) % (w * h)] = -1 - i;
      checkWatershed(img, markers, `${count} labels`);
    });
  }

  it("1080p: gray equals the gray replicated to RGB, and a second call is identical", () => {
    const gray = randomImage(1920, 1080, 1, 3);
    const rgb = new Uint8Array(1920 * 1080 * 3);
    for (let i = 0; i < gray.data.length; i++) rgb.fill(gray.data[i]!, i * 3, i * 3 + 3);
    const markers = randomMarkers(1920, 1080, 300, 9);
    const a = watershed(gray, markers);
    const b = watershed({ width: 1920, height: 1080, channels: 3, data: rgb }, markers);
    expectSameArray(a, b, "gray vs rgb", 1920);
    expectSameArray(watershed(gray, markers), a, "repeat", 1920);
  });
});

describe("watershed: bad input", () => {
  const img = { width: 4, height: 3, channels: 3 as const, data: new Uint8Array(36) };
  const bad: Array<[string, () => unknown, RegExp]> = [
    ["markers of the wrong length", () => watershed(img, new Int32Array(11)), /Int32Array of length 12 \(width × height\) for markers but received Int32Array of length 11/],
    ["markers of the wrong type", () => watershed(img, new Uint8Array(12) as never), /for markers but received Uint8Array of length 12/],
    ["out of the wrong length", () => watershed(img, new Int32Array(12), { out: new Int32Array(3) }), /Int32Array of length 12 for options\.out/],
    ["2-channel image", () => watershed({ ...img, channels: 2 as never }, new Int32Array(12)), /one of 1, 3, 4 for img\.channels/],
    ["unknown option", () => watershed(img, new Int32Array(12), { inPlace: true } as never), /Unknown option "inPlace"/],
  ];
  for (const [name, call, message] of bad) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});

// ---- regionGrow ----

/** Plain reference: BFS from each seed within the tolerance of its value (bounds truncated like scikit-image's). */
function floodReference(img: Image, seeds: Array<[number, number]>, tolerance: number, conn8: boolean): Int32Array {
  const { width: w, height: h, data } = img;
  const labels = new Int32Array(w * h);
  seeds.forEach(([sx, sy], k) => {
    const seen = new Uint8Array(w * h);
    const v0 = data[sy * w + sx]!;
    const queue = [sy * w + sx];
    seen[queue[0]!] = 1;
    while (queue.length) {
      const p = queue.pop()!;
      if (labels[p] === 0) labels[p] = k + 1;
      const x = p % w;
      const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!conn8 && dx !== 0 && dy !== 0)) continue;
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const q = yy * w + xx;
          if (!seen[q] && data[q]! >= Math.floor(v0 - tolerance) && data[q]! <= Math.floor(v0 + tolerance)) {
            seen[q] = 1;
            queue.push(q);
          }
        }
      }
    }
  });
  return labels;
}

describe("regionGrow: golden fixtures from scikit-image's flood", () => {
  const floods = cases.filter((c) => c.params.kind === "regionGrow");
  it("has fixtures", () => expect(floods.length).toBeGreaterThan(5));
  for (const c of floods) {
    it(c.name, async () => {
      const img = await loadImage("watershed", c.inputs.img);
      const opts = { tolerance: c.params.tolerance, connectivity: c.params.connectivity };
      const mask = regionGrow(img, c.params.seeds, opts);
      const wantMask = await loadImage("watershed", c.expected.mask);
      expectSameArray(mask.data, wantMask.data, "mask", img.width);
      const labels = regionGrowLabels(img, new Int32Array(c.params.seeds.flat()), opts);
      expectSameArray(labels, loadArray("watershed", c.expected.labels), "labels", img.width);
    });
  }
});

describe("regionGrow: properties against the reference", () => {
  for (const [w, h] of [...PROPERTY_SIZES, [1, 40], [40, 1]] as Array<readonly [number, number]>) {
    it(`${w}×${h}`, () => {
      // A smooth-ish image so regions are larger than one pixel.
      const img = randomImage(w, h, 1, w * 13 + h);
      for (let i = 0; i < img.data.length; i++) img.data[i] = (img.data[i]! >> 4) * 16;
      const r = rng(w + h * 3);
      const seeds: Array<[number, number]> = [];
      for (let s = 0; s < 3; s++) seeds.push([Math.floor(r() * w), Math.floor(r() * h)]);
      for (const tolerance of [0, 16, 40.5]) {
        for (const connectivity of [4, 8] as const) {
          const want = floodReference(img, seeds, tolerance, connectivity === 8);
          expectSameArray(regionGrowLabels(img, seeds, { tolerance, connectivity }), want, `labels t=${tolerance} c=${connectivity}`, w);
          const mask = regionGrow(img, seeds, { tolerance, connectivity });
          expectSameArray(mask.data, want.map((l) => (l > 0 ? 255 : 0)), `mask t=${tolerance} c=${connectivity}`, w);
        }
      }
    });
  }

  it("keeps seeds independent across many floods (stamp wrap-around) and frame sizes", () => {
    const big = randomImage(300, 200, 1, 8);
    regionGrow(big, [[5, 5]], { tolerance: 255 }); // leaves stamps all over a larger buffer
    const img = randomImage(40, 30, 1, 6);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (img.data[i]! >> 5) * 32;
    const r = rng(5);
    const seeds: Array<[number, number]> = [];
    for (let s = 0; s < 600; s++) seeds.push([Math.floor(r() * 40), Math.floor(r() * 30)]);
    for (let round = 0; round < 2; round++) {
      expectSameArray(regionGrowLabels(img, seeds, { tolerance: 20 }), floodReference(img, seeds, 20, true), `600 seeds, round ${round}`, 40);
      expectSameArray(regionGrowLabels(big, [[7, 9], [290, 190]], { tolerance: 40 }), floodReference(big, [[7, 9], [290, 190]], 40, true), "big", 300);
    }
  });

  it("writes into caller-owned outputs and leaves the input unchanged", () => {
    const img = randomImage(37, 11, 1, 4);
    const before = img.data.slice();
    const out = { width: 37, height: 11, channels: 1 as const, data: new Uint8Array(37 * 11).fill(7) };
    const labels = new Int32Array(37 * 11).fill(9);
    expect(regionGrow(img, [[3, 3]], { tolerance: 60, out }).data).toBe(out.data);
    expect(regionGrowLabels(img, [[3, 3]], { tolerance: 60, out: labels })).toBe(labels);
    const want = floodReference(img, [[3, 3]], 60, true);
    expectSameArray(labels, want, "labels");
    expectSameArray(out.data, want.map((l) => (l ? 255 : 0)), "mask");
    expectSameArray(img.data, before, "input");
  });
});

describe("regionGrow: bad input", () => {
  const img = { width: 4, height: 2, channels: 1 as const, data: new Uint8Array(8) };
  const bad: Array<[string, () => unknown, RegExp]> = [
    ["seed outside the image", () => regionGrow(img, [[0, 0], [4, 1]], { tolerance: 1 }), /inside the 4×2 image for seeds\[1\] but received \[4, 1\]/],
    ["negative seed", () => regionGrow(img, new Int32Array([-1, 0]), { tolerance: 1 }), /for seeds\[0\] but received \[-1, 0\]/],
    ["fractional seed", () => regionGrow(img, [[0.5, 0]], { tolerance: 1 }), /for seeds\[0\] but received \[0\.5, 0\]/],
    ["odd flat seeds", () => regionGrow(img, [1, 2, 3], { tolerance: 1 }), /even length\) for seeds/],
    ["no seeds", () => regionGrow(img, [], { tolerance: 1 }), /at least one seed for seeds/],
    ["negative tolerance", () => regionGrow(img, [[0, 0]], { tolerance: -1 }), /number between 0 and Infinity for options\.tolerance but received -1/],
    ["missing tolerance", () => regionGrow(img, [[0, 0]], {} as never), /options\.tolerance but received undefined/],
    ["bad connectivity", () => regionGrow(img, [[0, 0]], { tolerance: 1, connectivity: 6 as never }), /one of 4, 8 for options\.connectivity but received 6/],
    ["colour image", () => regionGrow({ width: 1, height: 1, channels: 3, data: new Uint8Array(3) }, [[0, 0]], { tolerance: 1 }), /img\.channels but received 3/],
    ["labels out of the wrong length", () => regionGrowLabels(img, [[0, 0]], { tolerance: 1, out: new Int32Array(2) }), /Int32Array of length 8 for options\.out/],
  ];
  for (const [name, call, message] of bad) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});
