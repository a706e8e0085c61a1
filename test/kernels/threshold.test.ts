import { describe, expect, it } from "vitest";
import { allocImage, EdgesegError, threshold } from "../../src/index.js";
import { expectSameArray, expectSameImage } from "../helpers/compare.js";
import { loadImage, loadManifest } from "../helpers/fixtures.js";
import { LARGE_SIZES, PROPERTY_SIZES, randomImage } from "../helpers/random.js";

/** Plain reference: what OpenCV's THRESH_BINARY does on 8-bit images. */
function thresholdReference(data: Uint8Array, value: number, inverse: boolean): Uint8Array {
  const t = Math.floor(value);
  return data.map((p) => ((p > t) !== inverse ? 255 : 0));
}

describe("threshold: golden fixtures from OpenCV", () => {
  const cases = loadManifest("threshold");
  it("has fixtures", () => expect(cases.length).toBeGreaterThan(20));
  for (const c of cases) {
    it(c.name, async () => {
      const img = await loadImage("threshold", c.inputs.img);
      const expected = await loadImage("threshold", c.expected.mask);
      const mask = threshold(img, { value: c.params.value, inverse: c.params.inverse });
      expectSameImage(mask, expected, c.name);
    });
  }
});

describe("threshold: property tests against the reference", () => {
  for (const [w, h] of [...PROPERTY_SIZES, ...LARGE_SIZES]) {
    it(`${w}×${h}`, () => {
      const img = randomImage(w, h, 1, w * 7919 + h);
      for (const value of [-5, 0, 1, 99.9, 128, 254, 255, 300]) {
        for (const inverse of [false, true]) {
          expectSameArray(threshold(img, { value, inverse }).data, thresholdReference(img.data, value, inverse), `t=${value} inv=${inverse}`, w);
        }
      }
    });
  }

  it("writes into a caller-owned WASM image without copying, and into a plain out", () => {
    const img = randomImage(33, 17, 1, 5);
    const expected = thresholdReference(img.data, 50, false);
    const wasmOut = allocImage(33, 17, 1);
    const plainOut = { width: 33, height: 17, channels: 1 as const, data: new Uint8Array(33 * 17) };
    try {
      expect(threshold(img, { value: 50, out: wasmOut }).data.buffer).toBe(wasmOut.data.buffer);
      expectSameArray(wasmOut.data, expected, "wasm out");
      threshold(img, { value: 50, out: plainOut });
      expectSameArray(plainOut.data, expected, "plain out");
    } finally {
      wasmOut.dispose();
    }
  });

  it("honours a row stride", () => {
    const packed = randomImage(13, 7, 1, 9);
    const padded = new Uint8Array(20 * 7).fill(255);
    for (let y = 0; y < 7; y++) padded.set(packed.data.subarray(y * 13, y * 13 + 13), y * 20);
    const mask = threshold({ width: 13, height: 7, channels: 1, data: padded, stride: 20 }, { value: 77 });
    expectSameArray(mask.data, thresholdReference(packed.data, 77, false), "strided");
  });

  it("does not modify its input or options", () => {
    const img = randomImage(40, 3, 1, 11);
    const before = img.data.slice();
    const options = Object.freeze({ value: 10, inverse: true });
    threshold(img, options);
    expectSameArray(img.data, before, "input");
  });
});

describe("threshold: bad input", () => {
  const gray = { width: 4, height: 2, channels: 1 as const, data: new Uint8Array(8) };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["short buffer", () => threshold({ ...gray, data: new Uint8Array(7) }, { value: 1 }), /hold exactly 8 bytes .* received 7/],
    ["zero width", () => threshold({ ...gray, width: 0 }, { value: 1 }), /img\.width.*received 0/],
    ["fractional height", () => threshold({ ...gray, height: 1.5 }, { value: 1 }), /img\.height.*received 1\.5/],
    ["colour image", () => threshold({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }, { value: 1 }), /gray image.*for img\.channels but received 3/],
    ["not a typed array", () => threshold({ ...gray, data: [1, 2] as unknown as Uint8Array }, { value: 1 }), /Uint8Array for img\.data but received array/],
    ["missing value", () => threshold(gray, {} as never), /options\.value.*undefined/],
    ["NaN value", () => threshold(gray, { value: NaN }), /options\.value.*NaN/],
    ["unknown option", () => threshold(gray, { value: 1, invert: true } as never), /Unknown option "invert"/],
    ["out of another size", () => threshold(gray, { value: 1, out: { width: 2, height: 2, channels: 1, data: new Uint8Array(4) } }), /options\.out to be 4×2/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});
