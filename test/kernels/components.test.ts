import { describe, expect, it } from "vitest";
import {
  allocImage,
  connectedComponents,
  EdgesegError,
  fillHoles,
  largestRegion,
  memoryStats,
  removeSmallRegions,
  WasmBuffer,
} from "../../src/index.js";
import type { Image } from "../../src/core/image.js";
import { expectSameArray, expectSameImage } from "../helpers/compare.js";
import { type ArrayRef, loadArray, loadImage, loadManifest } from "../helpers/fixtures.js";
import { PROPERTY_SIZES, randomMask, rng } from "../helpers/random.js";
import { referenceFillHoles, referenceKeep, referenceLabels, referenceStats } from "./components.reference.js";

const cases = loadManifest("components");
const ofKind = (prefix: string) => cases.filter((c) => c.name.startsWith(prefix));

/** Checks labels against the flood-fill reference and stats against the reference statistics. */
function expectMatchesReference(mask: Image, connectivity: 4 | 8, what: string): void {
  const { width: w, height: h } = mask;
  const got = connectedComponents(mask, { connectivity });
  const ref = referenceLabels(mask.data, w, h, connectivity);
  expect(got.count, `${what}: count`).toBe(ref.count);
  expectSameArray(got.labels, ref.labels, `${what}: labels`, w);
  const stats = referenceStats(ref.labels, w, ref.count);
  expect(got.regions.length).toBe(ref.count);
  for (let i = 0; i < ref.count; i++) {
    const g = got.regions[i]!;
    const s = stats[i]!;
    if (g.label !== i + 1 || g.area !== s.area || g.x !== s.x || g.y !== s.y || g.width !== s.width || g.height !== s.height || g.cx !== s.cx || g.cy !== s.cy) {
      throw new Error(`${what}: region ${i + 1} is ${JSON.stringify(g)} but expected ${JSON.stringify(s)}`);
    }
  }
}

describe("connectedComponents: golden fixtures from OpenCV and scikit-image", () => {
  const golden = ofKind("components_");
  it("has fixtures (real Otsu/adaptive masks, synthetic edge cases, a 1080p mask; both connectivities)", () => {
    expect(golden.length).toBeGreaterThanOrEqual(36);
    expect(golden.some((c) => c.name.includes("1920x1080"))).toBe(true);
  });
  for (const c of golden) {
    it(c.name, async () => {
      const mask = await loadImage("components", c.inputs.mask);
      const connectivity = c.params.connectivity as 4 | 8;
      const { count, labels, regions } = connectedComponents(mask, { connectivity });
      expect(count).toBe(c.expected.count);
      // scikit-image numbers components in raster order of first pixels, like us.
      const skFirst = loadArray("components", c.expected.skimageFirst as ArrayRef);
      for (let L = 1; L <= count; L++) {
        if (labels[skFirst[L - 1]!] !== L) throw new Error(`label ${L}: skimage's first pixel ${skFirst[L - 1]} has our label ${labels[skFirst[L - 1]!]}`);
      }
      // The partition itself against the flood-fill reference (fixture files keep no label images).
      expectSameArray(labels, referenceLabels(mask.data, mask.width, mask.height, connectivity).labels, "labels", mask.width);
      // OpenCV's stats, matched by pixels (its 8-connected numbering differs): bit-exact.
      const cvFirst = loadArray("components", c.expected.opencvFirst as ArrayRef);
      const cvStats = loadArray("components", c.expected.opencvStats as ArrayRef);
      const cvCentroids = loadArray("components", c.expected.opencvCentroids as ArrayRef);
      const seen = new Set<number>();
      for (let i = 0; i < count; i++) {
        const L = labels[cvFirst[i]!]!;
        expect(L).toBeGreaterThan(0);
        seen.add(L);
        const r = regions[L - 1]!;
        const ours = [r.x, r.y, r.width, r.height, r.area, r.cx, r.cy];
        const theirs = [...cvStats.subarray(i * 5, i * 5 + 5), cvCentroids[i * 2]!, cvCentroids[i * 2 + 1]!];
        expectSameArray(ours, theirs, `OpenCV component ${i + 1} (our label ${L}) [x, y, w, h, area, cx, cy]`);
      }
      expect(seen.size).toBe(count);
    });
  }
});

describe("fillHoles, removeSmallRegions, largestRegion: golden fixtures from scipy and scikit-image", () => {
  for (const c of ofKind("fillHoles_")) {
    it(c.name, async () => {
      const mask = await loadImage("components", c.inputs.mask);
      expectSameImage(fillHoles(mask), await loadImage("components", c.expected.mask), c.name);
    });
  }
  for (const c of ofKind("removeSmall_")) {
    it(c.name, async () => {
      const mask = await loadImage("components", c.inputs.mask);
      const got = removeSmallRegions(mask, { minArea: c.params.minArea, connectivity: c.params.connectivity });
      expectSameImage(got, await loadImage("components", c.expected.mask), c.name);
    });
  }
  for (const c of ofKind("largest_")) {
    it(c.name, async () => {
      const mask = await loadImage("components", c.inputs.mask);
      expectSameImage(largestRegion(mask, { connectivity: c.params.connectivity }), await loadImage("components", c.expected.mask), c.name);
    });
  }
  it("covers every kind", () => {
    expect(ofKind("fillHoles_").length).toBeGreaterThanOrEqual(18);
    expect(ofKind("removeSmall_").length).toBeGreaterThanOrEqual(20);
    expect(ofKind("largest_").length).toBeGreaterThanOrEqual(10);
  });
});

describe("connectedComponents: property tests against a flood-fill reference", () => {
  const sizes: Array<readonly [number, number]> = [...PROPERTY_SIZES, [1, 64], [64, 1], [3, 200], [200, 3], [65, 65], [129, 7]];
  for (const [w, h] of sizes) {
    it(`${w}×${h}, both connectivities, several densities`, () => {
      for (const density of [0.1, 0.5, 0.85]) {
        const mask = randomMask(w, h, w * 131 + h * 7 + Math.round(density * 100), density);
        for (const connectivity of [4, 8] as const) expectMatchesReference(mask, connectivity, `${w}×${h} d=${density} c=${connectivity}`);
      }
    });
  }

  it("random sizes from 1×1 up, with salt-and-pepper masks (worst case for run merging)", () => {
    const r = rng(2024);
    for (let t = 0; t < 60; t++) {
      const w = 1 + Math.floor(r() * (t < 30 ? 9 : 150));
      const h = 1 + Math.floor(r() * (t < 30 ? 9 : 90));
      const p = r();
      const data = Uint8Array.from({ length: w * h }, () => (r() < p ? 255 : 0));
      for (const connectivity of [4, 8] as const) expectMatchesReference({ width: w, height: h, channels: 1, data }, connectivity, `#${t} ${w}×${h}`);
    }
  });

  it("a 1920×1080 frame", () => {
    expectMatchesReference(randomMask(1920, 1080, 77, 0.5), 8, "1080p");
  });

  it("checkerboards: 4-connectivity isolates every pixel, 8-connectivity joins them all", () => {
    const w = 37;
    const h = 21;
    const data = new Uint8Array(w * h).map((_, i) => (((i % w) + Math.floor(i / w)) % 2 === 0 ? 255 : 0));
    const mask = { width: w, height: h, channels: 1 as const, data };
    expect(connectedComponents(mask, { connectivity: 4 }).count).toBe(Math.ceil((w * h) / 2));
    expect(connectedComponents(mask, { connectivity: 8 }).count).toBe(1);
    expectMatchesReference(mask, 4, "checkerboard c4");
  });

  it("full and empty masks", () => {
    const full = { width: 19, height: 3, channels: 1 as const, data: new Uint8Array(57).fill(255) };
    const r = connectedComponents(full);
    expect(r.count).toBe(1);
    expect(r.regions[0]).toMatchObject({ label: 1, area: 57, x: 0, y: 0, width: 19, height: 3, cx: 9, cy: 1 });
    const empty = connectedComponents({ width: 19, height: 3, channels: 1, data: new Uint8Array(57) });
    expect(empty.count).toBe(0);
    expect(empty.regions).toEqual([]);
    expect(empty.labels.every((v) => v === 0)).toBe(true);
  });

  it("non-binary masks: any nonzero byte is foreground", () => {
    const mask = randomMask(53, 29, 5, 0.5);
    const r = rng(9);
    const gray = Uint8Array.from(mask.data, (v) => (v ? 1 + Math.floor(r() * 255) : 0));
    const a = connectedComponents(mask, { connectivity: 8 });
    const b = connectedComponents({ ...mask, data: gray }, { connectivity: 8 });
    expect(b.count).toBe(a.count);
    expectSameArray(b.labels, a.labels, "labels of the gray mask");
    expectSameArray(fillHoles({ ...mask, data: gray }).data, fillHoles(mask).data, "fillHoles of the gray mask");
  });

  it("defaults to 8-connectivity", () => {
    const diag = { width: 2, height: 2, channels: 1 as const, data: new Uint8Array([255, 0, 0, 255]) };
    expect(connectedComponents(diag).count).toBe(1);
    expect(connectedComponents(diag, { connectivity: 4 }).count).toBe(2);
  });

  it("honours a row stride and leaves its input and options untouched", () => {
    const packed = randomMask(13, 9, 3, 0.5);
    const padded = new Uint8Array(20 * 9).fill(255);
    for (let y = 0; y < 9; y++) padded.set(packed.data.subarray(y * 13, y * 13 + 13), y * 20);
    const before = padded.slice();
    const options = Object.freeze({ connectivity: 4 as const, features: Object.freeze(["perimeter"] as const) });
    const got = connectedComponents({ width: 13, height: 9, channels: 1, data: padded, stride: 20 }, options);
    expectSameArray(got.labels, referenceLabels(packed.data, 13, 9, 4).labels, "strided labels", 13);
    expectSameArray(padded, before, "input");
  });
});

describe("connectedComponents: label output and memory", () => {
  it("writes into a caller's Int32Array (plain or WASM view, zero-copy) and returns it", () => {
    const mask = randomMask(41, 23, 8, 0.5);
    const expected = referenceLabels(mask.data, 41, 23, 8).labels;
    const plain = new Int32Array(41 * 23).fill(-7);
    expect(connectedComponents(mask, { labels: plain }).labels).toBe(plain);
    expectSameArray(plain, expected, "plain labels out");
    const buf = new WasmBuffer(41 * 23 * 4);
    try {
      const got = connectedComponents(mask, { labels: buf.view(Int32Array) }).labels;
      expect(got.byteOffset).toBe(buf.ptr);
      expectSameArray(buf.view(Int32Array), expected, "WASM labels out");
    } finally {
      buf.dispose();
    }
  });

  it("returns a live label view even when WASM memory grows during the call", () => {
    const mask = randomMask(700, 500, 12, 0.5);
    const buf = new WasmBuffer(700 * 500 * 4);
    try {
      // A new, larger frame makes the scratch buffers (and maybe memory) grow after `labels` was taken.
      const labels = connectedComponents(mask, { labels: buf.view(Int32Array) }).labels;
      expect(labels.length).toBe(700 * 500);
      expectSameArray(labels, referenceLabels(mask.data, 700, 500, 8).labels, "labels", 700);
    } finally {
      buf.dispose();
    }
  });

  it("allocates no WASM memory in steady state", () => {
    const mask = allocImage(640, 480, 1);
    mask.data.set(randomMask(640, 480, 4, 0.5).data);
    const out = allocImage(640, 480, 1);
    const labels = new WasmBuffer(640 * 480 * 4);
    try {
      const run = () => {
        connectedComponents(mask, { connectivity: 8, labels: labels.view(Int32Array), features: "all" });
        connectedComponents(mask, { connectivity: 4, labels: labels.view(Int32Array) });
        fillHoles(mask, { out });
        removeSmallRegions(mask, { minArea: 10, out });
        largestRegion(mask, { out });
      };
      run();
      const before = memoryStats();
      for (let i = 0; i < 3; i++) run();
      expect(memoryStats()).toEqual(before);
    } finally {
      mask.dispose();
      out.dispose();
      labels.dispose();
    }
  });
});

describe("fillHoles, removeSmallRegions, largestRegion: property tests", () => {
  const sizes: Array<readonly [number, number]> = [...PROPERTY_SIZES, [1, 40], [40, 1], [90, 70]];
  for (const [w, h] of sizes) {
    it(`${w}×${h}`, () => {
      for (const density of [0.3, 0.6]) {
        const mask = randomMask(w, h, w * 17 + h + Math.round(density * 10), density);
        expectSameArray(fillHoles(mask).data, referenceFillHoles(mask.data, w, h), `fillHoles d=${density}`, w);
        for (const connectivity of [4, 8] as const) {
          for (const minArea of [0, 3, 12]) {
            const got = removeSmallRegions(mask, { minArea, connectivity }).data;
            expectSameArray(got, referenceKeep(mask.data, w, h, connectivity, (_, a) => a >= minArea), `removeSmall ${minArea} c${connectivity}`, w);
          }
          let best = -1;
          const largest = referenceKeep(mask.data, w, h, connectivity, (L, _, areas) => {
            if (best < 0) best = areas.indexOf(Math.max(0, ...areas.slice(1)), 1); // first label with the largest area
            return L === best;
          });
          expectSameArray(largestRegion(mask, { connectivity }).data, largest, `largest c${connectivity}`, w);
        }
      }
    });
  }

  it("fills nested holes: a ring inside a ring's hole is foreground already, its own hole gets filled", () => {
    const rows = ["#######", "#.....#", "#.###.#", "#.#.#.#", "#.###.#", "#.....#", "#######"];
    const data = Uint8Array.from(rows.join(""), (c) => (c === "#" ? 255 : 0));
    expect(fillHoles({ width: 7, height: 7, channels: 1, data }).data.every((v) => v === 255)).toBe(true);
  });

  it("writes into `out`, in place on the input too", () => {
    const mask = allocImage(31, 17, 1);
    mask.data.set(randomMask(31, 17, 21, 0.6).data);
    try {
      const expected = referenceFillHoles(mask.data.slice(), 31, 17);
      expect(fillHoles(mask, { out: mask }).data.buffer).toBe(mask.data.buffer);
      expectSameArray(mask.data, expected, "in-place fillHoles");
      const plain = { width: 31, height: 17, channels: 1 as const, data: new Uint8Array(31 * 17) };
      removeSmallRegions(mask, { minArea: 4, out: plain });
      expectSameArray(plain.data, referenceKeep(mask.data, 31, 17, 8, (_, a) => a >= 4), "removeSmall into plain out");
    } finally {
      mask.dispose();
    }
  });

  it("largestRegion breaks ties by raster order and keeps an empty mask empty", () => {
    const data = Uint8Array.from("##..##..#", (c) => (c === "#" ? 255 : 0));
    expectSameArray(largestRegion({ width: 9, height: 1, channels: 1, data }).data, Uint8Array.from("##.......", (c) => (c === "#" ? 255 : 0)), "tie");
    expect(largestRegion({ width: 3, height: 2, channels: 1, data: new Uint8Array(6) }).data.every((v) => v === 0)).toBe(true);
  });
});

describe("components: bad input", () => {
  const mask = { width: 4, height: 2, channels: 1 as const, data: new Uint8Array(8) };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["colour mask", () => connectedComponents({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }), /gray image or mask.*mask\.channels but received 3/],
    ["short mask buffer", () => connectedComponents({ ...mask, data: new Uint8Array(7) }), /hold exactly 8 bytes .* received 7/],
    ["connectivity 6", () => connectedComponents(mask, { connectivity: 6 as never }), /one of 4, 8 for options\.connectivity but received 6/],
    ["connectivity as string", () => connectedComponents(mask, { connectivity: "8" as never }), /options\.connectivity but received "8"/],
    ["labels of the wrong length", () => connectedComponents(mask, { labels: new Int32Array(9) }), /Int32Array of length 8 for options\.labels but received Int32Array of length 9/],
    ["labels of the wrong type", () => connectedComponents(mask, { labels: new Uint32Array(8) as never }), /Int32Array for options\.labels but received Uint32Array/],
    ["unknown feature", () => connectedComponents(mask, { features: ["perimeter", "roundness" as never] }), /options\.features\[1\] but received "roundness"/],
    ["features not a list", () => connectedComponents(mask, { features: "perimeter" as never }), /array of feature names or "all" for options\.features/],
    ["intensity without image", () => connectedComponents(mask, { features: ["meanIntensity"] }), /options\.image .* for feature "meanIntensity"/],
    ["image of another size", () => connectedComponents(mask, { features: ["maxIntensity"], image: { width: 2, height: 2, channels: 1, data: new Uint8Array(4) } }), /options\.image to be 4×2/],
    ["unknown option", () => connectedComponents(mask, { conectivity: 4 } as never), /Unknown option "conectivity"/],
    ["fillHoles out of another size", () => fillHoles(mask, { out: { width: 2, height: 2, channels: 1, data: new Uint8Array(4) } }), /options\.out to be 4×2/],
    ["removeSmallRegions without minArea", () => removeSmallRegions(mask, {} as never), /options\.minArea but received undefined/],
    ["removeSmallRegions negative minArea", () => removeSmallRegions(mask, { minArea: -1 }), /options\.minArea but received -1/],
    ["largestRegion connectivity 0", () => largestRegion(mask, { connectivity: 0 as never }), /options\.connectivity but received 0/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});
