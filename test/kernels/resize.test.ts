import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { allocImage, EdgesegError, type Image, nearestColumns, resize, type ResizeMethod } from "../../src/index.js";
import { expectSameArray, expectSameImage } from "../helpers/compare.js";
import { loadImage, loadManifest } from "../helpers/fixtures.js";
import { PROPERTY_SIZES, randomImage } from "../helpers/random.js";

// ---- plain reference: OpenCV 4.6's cv::resize for u8, written pixel by pixel ----

const f32 = Math.fround;
const rint = (x: number) => {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/** Source index and 11-bit weights along one axis (INTER_LINEAR, or INTER_AREA when enlarging). */
function axis(i: number, s: number, d: number, area: boolean): [number, number, number] {
  const inv = d / s;
  const scale = 1 / inv;
  let sx: number;
  let fx: number;
  if (!area) {
    fx = f32((i + 0.5) * scale - 0.5);
    sx = Math.floor(fx);
    fx = f32(fx - sx);
  } else {
    sx = Math.floor(i * scale);
    fx = f32(i + 1 - (sx + 1) * inv);
    fx = fx <= 0 ? 0 : f32(fx - Math.floor(fx));
  }
  return [sx, rint(f32(1 - fx) * 2048), rint(fx * 2048)];
}

function linearRef(img: Image, dw: number, dh: number, area: boolean): Uint8Array {
  const { width: sw, height: sh, channels: cn, data } = img;
  const out = new Uint8Array(dw * dh * cn);
  const px = (x: number, y: number, c: number) => data[(y * sw + x) * cn + c]!;
  for (let dy = 0; dy < dh; dy++) {
    const [sy, b0, b1] = axis(dy, sh, dh, area);
    const y0 = Math.min(Math.max(sy, 0), sh - 1);
    const y1 = Math.min(Math.max(sy + 1, 0), sh - 1);
    for (let dx = 0; dx < dw; dx++) {
      let [sx, a0, a1] = axis(dx, sw, dw, area);
      if (sx < 0) [sx, a0, a1] = [0, 2048, 0];
      if (sx >= sw - 1) [sx, a0, a1] = [sw - 1, 2048, 0];
      const x1 = Math.min(sx + 1, sw - 1);
      for (let c = 0; c < cn; c++) {
        const h0 = (px(sx, y0, c) * a0 + px(x1, y0, c) * a1) >> 4;
        const h1 = (px(sx, y1, c) * a0 + px(x1, y1, c) * a1) >> 4;
        out[(dy * dw + dx) * cn + c] = Math.min(255, (Math.floor((h0 * b0) / 65536) + Math.floor((h1 * b1) / 65536) + 2) >> 2);
      }
    }
  }
  return out;
}

/** INTER_NEAREST's source index along one axis. */
const nearestIndex = (i: number, s: number, d: number) => Math.min(Math.floor(i * (1 / (d / s))), s - 1);

function nearestRef(img: Image, dw: number, dh: number): Uint8Array {
  const { width: sw, height: sh, channels: cn, data } = img;
  const out = new Uint8Array(dw * dh * cn);
  for (let y = 0; y < dh; y++) {
    const sy = nearestIndex(y, sh, dh);
    for (let x = 0; x < dw; x++) {
      const sx = nearestIndex(x, sw, dw);
      for (let c = 0; c < cn; c++) out[(y * dw + x) * cn + c] = data[(sy * sw + sx) * cn + c]!;
    }
  }
  return out;
}

/** OpenCV's computeResizeAreaTab. */
function areaTab(s: number, d: number, scale: number): Array<[number, number, number]> {
  const tab: Array<[number, number, number]> = [];
  for (let dx = 0; dx < d; dx++) {
    const a = dx * scale;
    const b = a + scale;
    const cell = Math.min(scale, s - a);
    const s2 = Math.min(Math.floor(b), s - 1);
    const s1 = Math.min(Math.ceil(a), s2);
    if (s1 - a > 1e-3) tab.push([dx, s1 - 1, f32((s1 - a) / cell)]);
    for (let sx = s1; sx < s2; sx++) tab.push([dx, sx, f32(1 / cell)]);
    if (b - s2 > 1e-3) tab.push([dx, s2, f32(Math.min(b - s2, 1, cell) / cell)]);
  }
  return tab;
}

function areaRef(img: Image, dw: number, dh: number): Uint8Array {
  const { width: sw, height: sh, channels: cn, data } = img;
  const scaleX = 1 / (dw / sw);
  const scaleY = 1 / (dh / sh);
  if (scaleX < 1 || scaleY < 1) return linearRef(img, dw, dh, true);
  const out = new Uint8Array(dw * dh * cn);
  const kx = Math.round(scaleX);
  const ky = Math.round(scaleY);
  if (Math.abs(scaleX - kx) < Number.EPSILON && Math.abs(scaleY - ky) < Number.EPSILON) {
    for (let y = 0; y < dh; y++) for (let x = 0; x < dw; x++) for (let c = 0; c < cn; c++) {
      let s = 0;
      for (let j = 0; j < ky; j++) for (let i = 0; i < kx; i++) s += data[((y * ky + j) * sw + x * kx + i) * cn + c]!;
      out[(y * dw + x) * cn + c] = kx === 2 && ky === 2 ? (s + 2) >> 2 : Math.min(255, rint(f32(s * f32(1 / (kx * ky)))));
    }
    return out;
  }
  // Float accumulation in OpenCV's order: per source row, horizontal sums, then weighted by row.
  const xt = areaTab(sw, dw, scaleX);
  const yt = areaTab(sh, dh, scaleY);
  const sum = new Float64Array(dw * cn);
  const store = (dy: number) => sum.forEach((v, i) => (out[dy * dw * cn + i] = Math.min(255, Math.max(0, rint(v)))));
  let prev = yt[0]![0];
  for (const [dy, sy, beta] of yt) {
    const buf = new Float64Array(dw * cn);
    for (const [dx, sx, alpha] of xt) for (let c = 0; c < cn; c++) buf[dx * cn + c] = f32(buf[dx * cn + c]! + f32(data[(sy * sw + sx) * cn + c]! * alpha));
    if (dy !== prev) {
      store(prev);
      for (let i = 0; i < sum.length; i++) sum[i] = f32(beta * buf[i]!);
      prev = dy;
    } else for (let i = 0; i < sum.length; i++) sum[i] = f32(sum[i]! + f32(beta * buf[i]!));
  }
  store(prev);
  return out;
}

function resizeRef(img: Image, dw: number, dh: number, method: ResizeMethod): Uint8Array {
  if (dw === img.width && dh === img.height) return img.data.slice();
  if (method === "nearest") return nearestRef(img, dw, dh);
  const exact2 = Math.abs(1 / (dw / img.width) - 2) < Number.EPSILON && Math.abs(1 / (dh / img.height) - 2) < Number.EPSILON;
  if (method === "area" || exact2) return areaRef(img, dw, dh);
  return linearRef(img, dw, dh, false);
}

function withAlpha(img: Image): Image {
  const data = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    data.set(img.data.subarray(i * 3, i * 3 + 3), i * 4);
    data[i * 4 + 3] = ((i % img.width) * 7 + Math.floor(i / img.width) * 13) & 255;
  }
  return { width: img.width, height: img.height, channels: 4, data };
}

async function expectFixture(actual: Image, exp: Record<string, any>, what: string): Promise<void> {
  if (exp.img) return expectSameImage(actual, await loadImage("resize", exp.img), what);
  const c = exp.compact;
  expect([actual.width, actual.height, actual.channels], what).toEqual([c.width, c.height, c.channels]);
  const rows = await loadImage("resize", c.rows);
  const rowBytes = actual.width * actual.channels;
  for (let r = 0; r < rows.height; r++) {
    const y = r * c.rowStep;
    expectSameArray(actual.data.subarray(y * rowBytes, (y + 1) * rowBytes), rows.data.subarray(r * rowBytes, (r + 1) * rowBytes), `${what} row ${y}`);
  }
  expect(createHash("sha256").update(actual.data).digest("hex"), `${what}: sha256 of all bytes`).toBe(c.sha256);
}

const METHODS: ResizeMethod[] = ["nearest", "bilinear", "area"];

describe("resize: golden fixtures from OpenCV 4.6 (byte-identical)", () => {
  const cases = loadManifest("resize");
  it("has fixtures", () => expect(cases.length).toBeGreaterThan(200));
  const inputs = new Map<string, Promise<Image>>();
  for (const c of cases) {
    it(c.name, async () => {
      const key = c.inputs.img.png;
      if (!inputs.has(key)) inputs.set(key, loadImage("resize", c.inputs.img));
      const base = await inputs.get(key)!;
      const img = c.params.alpha ? withAlpha(base) : base;
      const out = resize(img, { width: c.params.width, height: c.params.height, method: c.params.method });
      await expectFixture(out, c.expected, c.name);
    });
  }
});

describe("resize: property tests against the reference", () => {
  const targets = (w: number, h: number): Array<[number, number]> => [
    [1, 1], [w + 1, h], [Math.max(1, w >> 1), Math.max(1, h >> 1)], [w * 2, h * 2], [Math.ceil(w * 0.7), Math.ceil(h * 1.6)],
    [Math.max(1, Math.floor(w / 3)), h * 3], [17, 9], [w * 3 + 5, 1],
  ];
  for (const [w, h] of PROPERTY_SIZES) {
    it(`${w}×${h}`, () => {
      for (const cn of [1, 3, 4] as const) {
        const img = randomImage(w, h, cn, w * 131 + h * 7 + cn);
        for (const [dw, dh] of targets(w, h)) {
          for (const method of METHODS) {
            expectSameArray(resize(img, { width: dw, height: dh, method }).data, resizeRef(img, dw, dh, method), `${cn}ch ${method} → ${dw}×${dh}`, dw * cn);
          }
        }
      }
    });
  }
  it("1920×1080 → 640×360, 1280×720, 1000×700 and 4K", () => {
    for (const cn of [1, 3] as const) {
      const img = randomImage(1920, 1080, cn, 77 + cn);
      for (const [dw, dh, methods] of [[640, 360, METHODS], [1000, 700, METHODS], [1280, 720, ["bilinear"]], [3840, 2160, ["bilinear", "nearest"]]] as const) {
        for (const method of methods) {
          expectSameArray(resize(img, { width: dw, height: dh, method }).data, resizeRef(img, dw, dh, method), `${cn}ch ${method} → ${dw}×${dh}`, dw * cn);
        }
      }
    }
  });

  it("bilinear odd integer shrinks (every weight (2048, 0): the gather path) and their near misses", () => {
    for (const cn of [1, 3, 4] as const) {
      for (const [w, h, dw, dh] of [[99, 33, 33, 11], [75, 45, 15, 9], [63, 21, 21, 21], [21, 63, 21, 21], [7, 3, 7, 1], [100, 34, 33, 11], [97, 35, 33, 11], [5, 5, 1, 1]] as const) {
        const img = randomImage(w, h, cn, w * 31 + h + cn);
        expectSameArray(resize(img, { width: dw, height: dh, method: "bilinear" }).data, resizeRef(img, dw, dh, "bilinear"), `${cn}ch ${w}×${h} → ${dw}×${dh}`, dw * cn);
      }
    }
  });

  it("nearest with exact integer column factors (the constant-shuffle row loops): k = 1…4, 1/3/4 channels, row tails, short rows, repeated rows", () => {
    // Widths give rows shorter than one unit or one 16-byte block, and every remainder after the
    // last whole unit (units are 6, 9, 12 or 16 bytes); heights give runs of ≥ 4 distinct source
    // rows (processed four at a time), repeated rows (copied) and both mixed.
    const widths = [2, 3, 5, 6, 7, 11, 16, 17, 21, 33, 64, 67, 130];
    const heights: Array<[number, number]> = [[27, 9], [7, 9], [5, 13], [6, 6], [1, 3], [11, 1], [40, 10]];
    for (const cn of [1, 3, 4] as const) {
      for (const k of [1, 2, 3, 4]) {
        for (const dw of widths) {
          const sw = k * dw;
          const xs = Int32Array.from({ length: dw }, (_, x) => nearestIndex(x, sw, dw));
          expect(nearestColumns(sw, cn, xs).mode, `${cn}ch ${sw} → ${dw} takes the k = ${k} row loop`).toBe((cn << 4) | k);
          for (const [sh, dh] of heights) {
            if (k === 1 && sh === dh) continue; // same size: a plain copy, no kernel
            const img = randomImage(sw, sh, cn, sw * 7 + sh * 3 + cn);
            expectSameArray(resize(img, { width: dw, height: dh, method: "nearest" }).data, nearestRef(img, dw, dh), `${cn}ch ${sw}×${sh} → ${dw}×${dh}`, dw * cn);
          }
        }
      }
    }
  });

  it("nearest row plans: integer steps up to 4 from any first column on the row loops, the rest on blocks or pixels", () => {
    const xs = (...v: number[]) => Int32Array.from(v);
    const at = (sw: number, dw: number) => Int32Array.from({ length: dw }, (_, x) => nearestIndex(x, sw, dw));
    const rgb3 = nearestColumns(18, 3, xs(1, 4, 7, 10, 13, 16));
    expect([rgb3.mode, rgb3.xstart, rgb3.fastBytes, rgb3.blocks.map((b) => b.off), rgb3.pixels]).toEqual([0x33, 3, 12, [2], false]);
    const rgba2 = nearestColumns(10, 4, xs(0, 2, 4, 6, 8));
    expect([rgba2.mode, rgba2.xstart, rgba2.fastBytes, rgba2.blocks.map((b) => b.off), rgba2.pixels]).toEqual([0x42, 0, 16, [4], false]);
    expect(nearestColumns(3, 1, xs(0, 1, 2))).toMatchObject({ mode: 0x11, pixels: true }); // 3 bytes: too short for a block
    expect(nearestColumns(40, 1, xs(0, 5, 10)).mode, "k = 5").toBe(0);
    expect(nearestColumns(40, 1, xs(0, 3, 6, 8)).mode, "not periodic").toBe(0);
    expect(nearestColumns(40, 3, xs(0, 0, 1, 1)).mode, "enlarging").toBe(0);
    expect(nearestColumns(40, 3, xs(4)).mode, "one column").toBe(0);
    // 1080p → 360p RGB: the row loop but for one block at the end (its last 16-byte store would
    // leave the row); 1080p → 1000 wide: blocks; 1080p → 180p: pixels.
    const third = nearestColumns(1920, 3, at(1920, 640));
    expect([third.mode, third.fastBytes, third.blocks.map((b) => b.off), third.pixels]).toEqual([0x33, 1908, [1904], false]);
    const mid = nearestColumns(1920, 3, at(1920, 1000));
    expect([mid.mode, mid.blocks.length, mid.pixels]).toEqual([0, 188, false]);
    expect(nearestColumns(1920, 3, at(1920, 320))).toMatchObject({ mode: 0, blocks: [], pixels: true });
  });

  it("nearest pixel by pixel: strong shrinks and sources narrower than one window, 1/3/4 channels", () => {
    // Gray and RGB shrinks by ~6 or more (integer or not) need more than 4 windows per 16-byte
    // block (RGBA never does: one window per pixel). Sources under 16 bytes a row have no window
    // at all; enlarging them also maps several output pixels to the last source pixel, whose
    // 4-byte RGB load would leave the row.
    const shrinks: Array<[number, number, number, number]> = [[60, 7, 10, 7], [61, 9, 10, 3], [100, 5, 10, 5], [97, 4, 13, 9], [160, 3, 16, 1], [641, 3, 64, 2], [1921, 2, 300, 2]];
    const narrow: Array<[number, number, number, number]> = [[1, 5, 1, 2], [5, 2, 13, 5], [2, 3, 17, 4], [3, 1, 40, 1], [4, 4, 6, 6]];
    for (const cn of [1, 3, 4] as const) {
      for (const [sw, sh, dw, dh] of [...shrinks, ...narrow]) {
        const xs = Int32Array.from({ length: dw }, (_, x) => nearestIndex(x, sw, dw));
        if ((cn !== 4 && shrinks.some((c) => c[0] === sw)) || sw * cn < 16 || dw * cn < 16) {
          expect(nearestColumns(sw, cn, xs).pixels, `${cn}ch ${sw} → ${dw} goes pixel by pixel`).toBe(true);
        }
        const img = randomImage(sw, sh, cn, sw * 5 + dw + cn);
        expectSameArray(resize(img, { width: dw, height: dh, method: "nearest" }).data, nearestRef(img, dw, dh), `${cn}ch ${sw}×${sh} → ${dw}×${dh}`, dw * cn);
      }
    }
  });

  it("bilinear odd integer shrinks on the row loops (first column 1 or 0, the pick path)", () => {
    for (const cn of [1, 3, 4] as const) {
      for (const [k, dw] of [[3, 5], [3, 6], [3, 17], [3, 67], [1, 7], [1, 33]] as const) {
        const img = randomImage(k * dw, 27, cn, dw * 5 + k + cn);
        expectSameArray(resize(img, { width: dw, height: 9, method: "bilinear" }).data, resizeRef(img, dw, 9, "bilinear"), `${cn}ch ${k * dw}×27 → ${dw}×9`, dw * cn);
      }
    }
  });

  it("area with integer factors (OpenCV's fast path: vector blocks, two-window blocks, scalar blocks)", () => {
    for (const cn of [1, 3, 4] as const) {
      for (const [kx, ky] of [[2, 2], [3, 3], [4, 4], [2, 3], [4, 1], [5, 5], [1, 6], [3, 7]] as const) {
        for (const dw of [1, 5, 13, 67]) {
          const dh = 3;
          const img = randomImage(dw * kx, dh * ky, cn, dw * 13 + kx * 5 + ky + cn);
          expectSameArray(resize(img, { width: dw, height: dh, method: "area" }).data, resizeRef(img, dw, dh, "area"), `${cn}ch ${kx}×${ky} → ${dw}×${dh}`, dw * cn);
        }
      }
    }
  });

  it("writes into a caller-owned WASM image without copying, and into a plain out", () => {
    const img = randomImage(50, 40, 3, 5);
    const expected = resizeRef(img, 21, 13, "bilinear");
    const wasmOut = allocImage(21, 13, 3);
    const plainOut = { width: 21, height: 13, channels: 3 as const, data: new Uint8Array(21 * 13 * 3) };
    try {
      expect(resize(img, { width: 21, height: 13, out: wasmOut }).data.buffer).toBe(wasmOut.data.buffer);
      expectSameArray(wasmOut.data, expected, "wasm out");
      resize(img, { width: 21, height: 13, out: plainOut });
      expectSameArray(plainOut.data, expected, "plain out");
    } finally {
      wasmOut.dispose();
    }
  });

  it("honours a row stride, and does not modify its input or options", () => {
    const packed = randomImage(13, 7, 3, 9);
    const padded = new Uint8Array(50 * 7).fill(9);
    for (let y = 0; y < 7; y++) padded.set(packed.data.subarray(y * 39, y * 39 + 39), y * 50);
    const strided = { width: 13, height: 7, channels: 3 as const, data: padded, stride: 50 };
    const before = padded.slice();
    const options = Object.freeze({ width: 29, height: 5, method: "area" as const });
    expectSameArray(resize(strided, options).data, resizeRef(packed, 29, 5, "area"), "strided");
    expectSameArray(padded, before, "input");
  });
});

describe("resize: bad input", () => {
  const img = { width: 4, height: 2, channels: 3 as const, data: new Uint8Array(24) };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["zero width", () => resize(img, { width: 0, height: 2 }), /integer between 1 and 16384 for options\.width but received 0/],
    ["negative height", () => resize(img, { width: 2, height: -3 }), /options\.height but received -3/],
    ["fractional width", () => resize(img, { width: 2.5, height: 2 }), /options\.width but received 2\.5/],
    ["missing height", () => resize(img, { width: 2 } as never), /options\.height but received undefined/],
    ["bad method", () => resize(img, { width: 2, height: 2, method: "cubic" as never }), /one of "nearest", "bilinear", "area" for options\.method but received "cubic"/],
    ["no options", () => resize(img, undefined as never), /options object .* for options but received undefined/],
    ["unknown option", () => resize(img, { width: 2, height: 2, interpolation: 1 } as never), /Unknown option "interpolation"/],
    ["2-channel image", () => resize({ width: 2, height: 2, channels: 2 as never, data: new Uint8Array(8) }, { width: 1, height: 1 }), /one of 1, 3, 4 for img\.channels but received 2/],
    ["short buffer", () => resize({ ...img, data: new Uint8Array(20) }, { width: 2, height: 2 }), /hold exactly 24 bytes .* received 20/],
    ["out of another size", () => resize(img, { width: 2, height: 2, out: { width: 3, height: 2, channels: 3, data: new Uint8Array(18) } }), /options\.out to be 2×2 but received 3×2/],
    ["out with other channels", () => resize(img, { width: 2, height: 2, out: { width: 2, height: 2, channels: 1, data: new Uint8Array(4) } }), /one of 3 for options\.out\.channels but received 1/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});
