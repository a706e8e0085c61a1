import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { allocImage, EdgesegError, i420ToRgb, type Image, nv12ToRgb, toGray, WasmBuffer, yuyvToGray, yuyvToRgb } from "../../src/index.js";
import { expectSameArray, expectSameImage } from "../helpers/compare.js";
import { type FixtureCase, loadArray, loadImage, loadManifest } from "../helpers/fixtures.js";
import { LARGE_SIZES, PROPERTY_SIZES, randomImage, rng } from "../helpers/random.js";

// ---- plain references (OpenCV 4.6's formulas, see assembly/color.ts) ----

function grayReference(img: Image, bgr: boolean): Uint8Array {
  const out = new Uint8Array(img.width * img.height);
  const [cr, cb] = bgr ? [3735, 9798] : [9798, 3735];
  for (let i = 0; i < out.length; i++) {
    const p = i * img.channels;
    out[i] = (cr * img.data[p]! + 19235 * img.data[p + 1]! + cb * img.data[p + 2]! + 16384) >> 15;
  }
  return out;
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
function yuvPixel(out: Uint8Array, o: number, y: number, u: number, v: number): void {
  const yy = Math.max(0, y - 16) * 1220542;
  out[o] = clamp((yy + (1 << 19) + 1673527 * (v - 128)) >> 20);
  out[o + 1] = clamp((yy + (1 << 19) - 852492 * (v - 128) - 409993 * (u - 128)) >> 20);
  out[o + 2] = clamp((yy + (1 << 19) + 2116026 * (u - 128)) >> 20);
}

/** Reference RGB of a frame given per-pixel accessors for Y, U, V. */
function yuvReference(w: number, h: number, at: (x: number, y: number) => [number, number, number]): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) yuvPixel(out, (y * w + x) * 3, ...at(x, y));
  return out;
}
const nv12At = (d: Uint8Array, w: number, h: number) => (x: number, y: number): [number, number, number] => {
  const c = w * h + (y >> 1) * w + (x & ~1);
  return [d[y * w + x]!, d[c]!, d[c + 1]!];
};
const i420At = (d: Uint8Array, w: number, h: number) => (x: number, y: number): [number, number, number] => {
  const c = (y >> 1) * (w >> 1) + (x >> 1);
  return [d[y * w + x]!, d[w * h + c]!, d[w * h + (w * h) / 4 + c]!];
};
const yuyvAt = (d: Uint8Array, w: number) => (x: number, y: number): [number, number, number] => {
  const p = (y * w + (x & ~1)) * 2;
  return [d[(y * w + x) * 2]!, d[p + 1]!, d[p + 3]!];
};

// ---- the camera-format re-packings of scripts/fixtures/color.py ----

/** I420, NV12 and YUYV streams from 4:2:0 planes, exactly as color.py's yuv_frames builds them. */
function yuvFrames(w: number, h: number, y: Uint8Array, u: Uint8Array, v: Uint8Array): Record<string, Uint8Array> {
  const cw = w / 2;
  const i420 = new Uint8Array(w * h * 1.5);
  i420.set(y);
  i420.set(u, w * h);
  i420.set(v, w * h + u.length);
  const nv12 = new Uint8Array(w * h * 1.5);
  nv12.set(y);
  for (let i = 0; i < u.length; i++) {
    nv12[w * h + 2 * i] = u[i]!;
    nv12[w * h + 2 * i + 1] = v[i]!;
  }
  const yuyv = new Uint8Array(w * h * 2);
  for (let r = 0; r < h; r++) {
    for (let p = 0; p < cw; p++) {
      const o = (r * cw + p) * 4;
      yuyv[o] = y[r * w + 2 * p]!;
      yuyv[o + 1] = u[(r >> 1) * cw + p]!;
      yuyv[o + 2] = y[r * w + 2 * p + 1]!;
      yuyv[o + 3] = v[(r >> 1) * cw + p]!;
    }
  }
  return { i420, nv12, yuyv };
}

const frameCache = new Map<string, Record<string, Uint8Array>>();
async function framesOf(c: FixtureCase): Promise<Record<string, Uint8Array>> {
  const { width: w, height: h } = c.inputs.frame;
  const key = c.inputs.frame.i420?.file ?? "synthetic1080p";
  let frames = frameCache.get(key);
  if (!frames) {
    if (c.inputs.frame.synthetic1080p) {
      // color.py's planes_1080p: Y = the shared gray frame, U = its even rows/columns, V = 255 - U.
      const y = (await loadImage("color", { png: "../inputs/fruits1920x1080.png" })).data;
      const u = new Uint8Array((w / 2) * (h / 2));
      for (let r = 0; r < h / 2; r++) for (let x = 0; x < w / 2; x++) u[r * (w / 2) + x] = y[2 * r * w + 2 * x]!;
      frames = yuvFrames(w, h, y, u, u.map((b) => 255 - b));
    } else {
      const i420 = loadArray("color", c.inputs.frame.i420) as Uint8Array;
      frames = yuvFrames(w, h, i420.subarray(0, w * h), i420.subarray(w * h, w * h * 1.25), i420.subarray(w * h * 1.25));
    }
    frameCache.set(key, frames);
  }
  return frames;
}

/** RGBA with color.py's alpha_pattern: (7x + 13y) & 255. */
function withAlpha(img: Image): Image {
  const data = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    data.set(img.data.subarray(i * 3, i * 3 + 3), i * 4);
    data[i * 4 + 3] = ((i % img.width) * 7 + Math.floor(i / img.width) * 13) & 255;
  }
  return { width: img.width, height: img.height, channels: 4, data };
}

/** Checks an output against a fixture's `img` (PNG) or `compact` (sha256 of all bytes + sampled rows). */
async function expectFixture(family: string, actual: Image, exp: Record<string, any>, what: string): Promise<void> {
  if (exp.img) return expectSameImage(actual, await loadImage(family, exp.img), what);
  const c = exp.compact;
  expect([actual.width, actual.height, actual.channels], what).toEqual([c.width, c.height, c.channels]);
  const rows = await loadImage(family, c.rows);
  const rowBytes = actual.width * actual.channels;
  for (let r = 0; r < rows.height; r++) {
    const y = r * c.rowStep;
    expectSameArray(actual.data.subarray(y * rowBytes, (y + 1) * rowBytes), rows.data.subarray(r * rowBytes, (r + 1) * rowBytes), `${what} row ${y}`);
  }
  expect(createHash("sha256").update(actual.data).digest("hex"), `${what}: sha256 of all bytes`).toBe(c.sha256);
}

describe("color: golden fixtures from OpenCV 4.6 cvtColor", () => {
  const cases = loadManifest("color");
  it("has fixtures", () => expect(cases.length).toBeGreaterThanOrEqual(24));
  for (const c of cases) {
    it(c.name, async () => {
      const p = c.params;
      let actual: Image;
      if (p.kind === "gray") {
        const img = await loadImage("color", c.inputs.img);
        actual = toGray(p.alpha ? withAlpha(img) : img, { order: p.order });
      } else {
        const frame = { width: p.width, height: p.height, data: (await framesOf(c))[p.kind === "yuyv_gray" ? "yuyv" : p.kind]! };
        const fn = { i420: i420ToRgb, nv12: nv12ToRgb, yuyv: yuyvToRgb, yuyv_gray: yuyvToGray }[p.kind as string]!;
        actual = fn(frame);
      }
      await expectFixture("color", actual, c.expected, c.name);
    });
  }
});

describe("color: property tests against the reference", () => {
  for (const [w, h] of [...PROPERTY_SIZES, ...LARGE_SIZES.slice(0, 1)]) {
    it(`toGray ${w}×${h}`, () => {
      for (const cn of [3, 4] as const) {
        const img = randomImage(w, h, cn, w * 31 + h + cn);
        for (const order of ["rgb", "bgr"] as const) {
          expectSameArray(toGray(img, { order }).data, grayReference(img, order === "bgr"), `${cn}ch ${order}`, w);
        }
      }
    });
  }

  it("toGray on every one of the 2^24 colours", () => {
    const img = { width: 4096, height: 4096, channels: 3 as const, data: new Uint8Array(4096 * 4096 * 3) };
    for (let i = 0; i < 1 << 24; i++) {
      img.data[3 * i] = i >> 16;
      img.data[3 * i + 1] = (i >> 8) & 255;
      img.data[3 * i + 2] = i & 255;
    }
    expectSameArray(toGray(img).data, grayReference(img, false), "all colours", 4096);
  });

  // RGBA has its own vector arithmetic (mask + shift instead of byte shuffles): every colour again,
  // with an alpha that varies and must be ignored, in both channel orders.
  it("toGray RGBA/BGRA on every one of the 2^24 colours", () => {
    const img = { width: 4096, height: 4096, channels: 4 as const, data: new Uint8Array(4096 * 4096 * 4) };
    for (let i = 0; i < 1 << 24; i++) {
      img.data[4 * i] = i >> 16;
      img.data[4 * i + 1] = (i >> 8) & 255;
      img.data[4 * i + 2] = i & 255;
      img.data[4 * i + 3] = (i * 151) >>> 3;
    }
    expectSameArray(toGray(img).data, grayReference(img, false), "all colours rgba", 4096);
    expectSameArray(toGray(img, { order: "bgr" }).data, grayReference(img, true), "all colours bgra", 4096);
  });

  // Every (Y, U, V) triple through the vector paths: 2^24 pixels each.
  it("YUYV → RGB on every (Y, U, V) triple", () => {
    const w = 4096;
    const data = new Uint8Array(w * w * 2);
    for (let pair = 0; pair < 1 << 23; pair++) {
      // pair = (U, V, Y/2): the pair's two pixels take Y = 2k and 2k + 1.
      const y = (pair & 127) << 1;
      data.set([y, pair >> 15, y + 1, (pair >> 7) & 255], pair * 4);
    }
    expectSameArray(yuyvToRgb({ width: w, height: w, data }).data, yuvReference(w, w, yuyvAt(data, w)), "all yuyv triples", w * 3);
  });

  it("NV12 → RGB on every (Y, U, V) triple", () => {
    // Each chroma sample covers a 2×2 block; 64 samples per (U, V) give its 256 Y values.
    const w = 4096;
    const data = new Uint8Array(w * w * 1.5);
    for (let s = 0; s < 1 << 22; s++) {
      const cx = s & 2047;
      const cy = s >> 11;
      const uv = s >> 6;
      const y0 = (s & 63) << 2;
      data[w * w + cy * w + 2 * cx] = uv >> 8;
      data[w * w + cy * w + 2 * cx + 1] = uv & 255;
      data[2 * cy * w + 2 * cx] = y0;
      data[2 * cy * w + 2 * cx + 1] = y0 + 1;
      data[(2 * cy + 1) * w + 2 * cx] = y0 + 2;
      data[(2 * cy + 1) * w + 2 * cx + 1] = y0 + 3;
    }
    expectSameArray(nv12ToRgb({ width: w, height: w, data }).data, yuvReference(w, w, nv12At(data, w, w)), "all nv12 triples", w * 3);
  });

  const evenSizes: Array<[number, number]> = [[2, 2], [2, 8], [16, 2], [18, 4], [30, 6], [34, 10], [62, 34], [642, 480], [1920, 1080]];
  for (const [w, h] of evenSizes) {
    it(`YUV → RGB ${w}×${h}`, () => {
      const r = rng(w * 7 + h);
      const yuv420 = new Uint8Array(w * h * 1.5).map(() => (r() * 256) | 0);
      const yuyv = new Uint8Array(w * h * 2).map(() => (r() * 256) | 0);
      expectSameArray(nv12ToRgb({ width: w, height: h, data: yuv420 }).data, yuvReference(w, h, nv12At(yuv420, w, h)), "nv12", w * 3);
      expectSameArray(i420ToRgb({ width: w, height: h, data: yuv420 }).data, yuvReference(w, h, i420At(yuv420, w, h)), "i420", w * 3);
      expectSameArray(yuyvToRgb({ width: w, height: h, data: yuyv }).data, yuvReference(w, h, yuyvAt(yuyv, w)), "yuyv", w * 3);
      expectSameArray(yuyvToGray({ width: w, height: h, data: yuyv }).data, yuyv.filter((_, i) => i % 2 === 0), "yuyv gray", w);
    });
  }
  it("YUYV allows an odd height", () => {
    const yuyv = new Uint8Array(6 * 3 * 2).map((_, i) => (i * 37) & 255);
    expectSameArray(yuyvToRgb({ width: 6, height: 3, data: yuyv }).data, yuvReference(6, 3, yuyvAt(yuyv, 6)), "yuyv 6×3", 18);
  });

  it("never writes past the end of a WASM output (every SIMD tail length)", () => {
    // The vector paths store whole 16/8-byte chunks; an out in WASM memory followed by guard bytes
    // catches any store that runs past the last pixel.
    const guard = 48;
    const check = (bytes: number, label: string, run: (out: Image) => Image, w: number, h: number, ch: 1 | 3) => {
      const buf = new WasmBuffer(bytes + guard);
      try {
        buf.u8.fill(0xa5);
        const out: Image = { width: w, height: h, channels: ch, data: buf.u8.subarray(0, bytes) };
        expect(run(out).data.buffer).toBe(buf.u8.buffer);
        const tail = buf.u8.subarray(bytes);
        const bad = tail.findIndex((b) => b !== 0xa5);
        expect(bad, `${label}: byte ${bad} past the output was written`).toBe(-1);
      } finally {
        buf.dispose();
      }
    };
    for (let w = 2; w <= 50; w += 2) {
      const r = rng(w);
      const yuyv = new Uint8Array(w * 2).map(() => (r() * 256) | 0);
      check(w * 3, `yuyv ${w}×1`, (out) => yuyvToRgb({ width: w, height: 1, data: yuyv }, { out }), w, 1, 3);
      check(w, `yuyv gray ${w}×1`, (out) => yuyvToGray({ width: w, height: 1, data: yuyv }, { out }), w, 1, 1);
      const yuv420 = new Uint8Array(w * 3).map(() => (r() * 256) | 0);
      check(w * 6, `nv12 ${w}×2`, (out) => nv12ToRgb({ width: w, height: 2, data: yuv420 }, { out }), w, 2, 3);
      check(w * 6, `i420 ${w}×2`, (out) => i420ToRgb({ width: w, height: 2, data: yuv420 }, { out }), w, 2, 3);
    }
    for (let w = 1; w <= 140; w += 3) {
      for (const cn of [3, 4] as const) {
        const img = randomImage(w, 1, cn, w);
        check(w, `gray cn=${cn} ${w}×1`, (out) => toGray(img, { out }), w, 1, 1);
      }
    }
  });

  it("writes into a caller-owned WASM image without copying, and into a plain out", () => {
    const img = randomImage(37, 11, 3, 3);
    const expected = grayReference(img, false);
    const wasmOut = allocImage(37, 11, 1);
    const plainOut = { width: 37, height: 11, channels: 1 as const, data: new Uint8Array(37 * 11) };
    try {
      expect(toGray(img, { out: wasmOut }).data.buffer).toBe(wasmOut.data.buffer);
      expectSameArray(wasmOut.data, expected, "wasm out");
      expect(toGray(img, { out: plainOut }).data).toBe(plainOut.data);
      expectSameArray(plainOut.data, expected, "plain out");
      const frame = { width: 4, height: 2, data: new Uint8Array(12).fill(128) };
      const rgbOut = allocImage(4, 2, 3);
      expect(nv12ToRgb(frame, { out: rgbOut }).data.buffer).toBe(rgbOut.data.buffer);
      rgbOut.dispose();
    } finally {
      wasmOut.dispose();
    }
  });

  it("reads a zero-copy WasmImage input and honours a row stride", () => {
    const packed = randomImage(13, 7, 4, 9);
    const wasmIn = allocImage(13, 7, 4);
    wasmIn.data.set(packed.data);
    expectSameArray(toGray(wasmIn).data, grayReference(packed, false), "wasm input");
    wasmIn.dispose();
    const padded = new Uint8Array(60 * 7).fill(7);
    for (let y = 0; y < 7; y++) padded.set(packed.data.subarray(y * 52, y * 52 + 52), y * 60);
    expectSameArray(toGray({ width: 13, height: 7, channels: 4, data: padded, stride: 60 }).data, grayReference(packed, false), "strided");
  });

  it("does not modify its input or options", () => {
    const img = randomImage(40, 3, 3, 11);
    const before = img.data.slice();
    toGray(img, Object.freeze({ order: "bgr" as const }));
    expectSameArray(img.data, before, "input");
    const frame = { width: 4, height: 2, data: new Uint8Array(12).map((_, i) => i * 20) };
    const frameBefore = frame.data.slice();
    nv12ToRgb(Object.freeze(frame));
    expectSameArray(frame.data, frameBefore, "frame");
  });
});

describe("color: bad input", () => {
  const rgb = { width: 4, height: 2, channels: 3 as const, data: new Uint8Array(24) };
  const frame = (w: number, h: number, n: number) => ({ width: w, height: h, data: new Uint8Array(n) });
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["toGray of a gray image", () => toGray({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) }), /one of 3, 4 for img\.channels but received 1/],
    ["toGray of 2 channels", () => toGray({ width: 2, height: 2, channels: 2 as never, data: new Uint8Array(8) }), /img\.channels but received 2/],
    ["toGray short buffer", () => toGray({ ...rgb, data: new Uint8Array(23) }), /hold exactly 24 bytes .* received 23/],
    ["toGray bad order", () => toGray(rgb, { order: "rbg" as never }), /one of "rgb", "bgr" for options\.order but received "rbg"/],
    ["toGray unknown option", () => toGray(rgb, { bgr: true } as never), /Unknown option "bgr"/],
    ["toGray out of another size", () => toGray(rgb, { out: { width: 2, height: 2, channels: 1, data: new Uint8Array(4) } }), /options\.out to be 4×2 but received 2×2/],
    ["toGray out with 3 channels", () => toGray(rgb, { out: rgb }), /options\.out\.channels but received 3/],
    ["YUYV wrong length", () => yuyvToRgb(frame(4, 2, 15)), /frame\.data to hold exactly 16 bytes \(YUYV 4×2: width × height × 2\) but received 15/],
    ["YUYV odd width", () => yuyvToGray(frame(3, 2, 12)), /even width for YUYV for frame\.width but received 3/],
    ["NV12 wrong length", () => nv12ToRgb(frame(4, 2, 11)), /frame\.data to hold exactly 12 bytes \(NV12 4×2: width × height × 3\/2\) but received 11/],
    ["NV12 odd height", () => nv12ToRgb(frame(4, 3, 18)), /even height for NV12 for frame\.height but received 3/],
    ["I420 wrong length", () => i420ToRgb(frame(4, 4, 25)), /hold exactly 24 bytes .* received 25/],
    ["I420 odd width", () => i420ToRgb(frame(5, 4, 30)), /even width for I420 for frame\.width but received 5/],
    ["frame zero width", () => i420ToRgb(frame(0, 4, 0)), /frame\.width but received 0/],
    ["frame fractional height", () => nv12ToRgb(frame(4, 2.5, 15)), /frame\.height but received 2\.5/],
    ["frame not an object", () => yuyvToRgb(null as never), /a frame \{ width, height, data \} for frame but received null/],
    ["frame data not bytes", () => nv12ToRgb({ width: 2, height: 2, data: [1, 2, 3, 4, 5, 6] as never }), /Uint8Array for frame\.data but received array/],
    ["YUV out of wrong channels", () => nv12ToRgb(frame(4, 2, 12), { out: { width: 4, height: 2, channels: 1, data: new Uint8Array(8) } }), /options\.out\.channels but received 1/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});
