import { describe, expect, it } from "vitest";
import { allocImage, dilate, EdgesegError, erode, memoryStats, morphology, type MorphOp, type MorphShape, structuringElement } from "../../src/index.js";
import type { Image } from "../../src/core/image.js";
import { expectSameArray } from "../helpers/compare.js";
import { loadImage, loadManifest } from "../helpers/fixtures.js";
import { PROPERTY_SIZES, randomImage, randomMask } from "../helpers/random.js";

// ---- plain reference: OpenCV's definitions, pixel by pixel ----

/** Erosion/dilation by any 0/1 element with anchor (w >> 1, h >> 1); pixels outside the image are ignored. */
function erodeReference(img: Image, element: Uint8Array, kw: number, kh: number, isDilate: boolean): Uint8Array {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(w * h).fill(isDilate ? 0 : 255);
  // One shifted copy of the image per element pixel, clipped to the image.
  for (let j = 0; j < kh; j++) {
    for (let i = 0; i < kw; i++) {
      if (!element[j * kw + i]) continue;
      const dx = i - (kw >> 1);
      const dy = j - (kh >> 1);
      for (let y = Math.max(0, -dy); y < Math.min(h, h - dy); y++) {
        const o = y * w;
        const s = (y + dy) * w + dx;
        for (let x = Math.max(0, -dx); x < Math.min(w, w - dx); x++) {
          const p = data[s + x]!;
          if (isDilate ? p > out[o + x]! : p < out[o + x]!) out[o + x] = p;
        }
      }
    }
  }
  return out;
}

/** A w×h rectangle, separably: the minimum over a rectangle is the minimum over columns of row minima. */
function rectReference(img: Image, kw: number, kh: number, isDilate: boolean): Uint8Array {
  const rowPass = erodeReference(img, new Uint8Array(kw).fill(1), kw, 1, isDilate);
  const shifted = new Uint8Array(kh).fill(1);
  // Anchor kh >> 1 in a kh×1 column matches the anchor of the full rectangle.
  return erodeReference({ ...img, data: rowPass }, shifted, 1, kh, isDilate);
}

function morphologyReference(img: Image, op: MorphOp, shape: MorphShape, kw: number, kh: number, iterations: number): Uint8Array {
  const element = structuringElement(shape, kw, kh);
  const step = (data: Uint8Array, isDilate: boolean) => {
    let cur = data;
    for (let i = 0; i < iterations; i++) cur = erodeReference({ ...img, data: cur }, element, kw, kh, isDilate);
    return cur;
  };
  const sub = (a: Uint8Array, b: Uint8Array) => a.map((p, i) => Math.max(0, p - b[i]!));
  switch (op) {
    case "erode": return step(img.data, false);
    case "dilate": return step(img.data, true);
    case "open": return step(step(img.data, false), true);
    case "close": return step(step(img.data, true), false);
    case "gradient": return sub(step(img.data, true), step(img.data, false));
    case "tophat": return sub(img.data, step(step(img.data, false), true));
    case "blackhat": return sub(step(step(img.data, true), false), img.data);
  }
}

function parseCase(text: string): { op: MorphOp; shape: MorphShape; size: [number, number]; iterations: number } {
  const [op, shape, size, iterations] = text.split("/");
  const [w, h] = size!.split("x").map(Number);
  return { op: op as MorphOp, shape: shape as MorphShape, size: [w!, h!], iterations: Number(iterations) };
}

// ---- golden fixtures ----

describe("morphology: golden fixtures from OpenCV", () => {
  const cases = loadManifest("morphology").filter((c) => c.expected.stack);
  it("covers every op, shape, size and iteration count, real masks and the 1080p frame", () => {
    const all = cases.flatMap((c) => (c.params.cases as string).split(" ").map(parseCase));
    for (const op of ["erode", "dilate", "open", "close", "gradient", "tophat", "blackhat"]) expect(all.some((c) => c.op === op)).toBe(true);
    for (const shape of ["rect", "cross", "ellipse"]) expect(all.some((c) => c.shape === shape)).toBe(true);
    for (const [w, h] of [[1, 1], [3, 3], [4, 4], [5, 5], [15, 15], [7, 3]]) expect(all.some((c) => c.size[0] === w && c.size[1] === h)).toBe(true);
    expect(all.some((c) => c.iterations === 2)).toBe(true);
    expect(cases.some((c) => c.name.startsWith("fruits1920x1080"))).toBe(true);
  });
  for (const c of cases) {
    it(c.name, async () => {
      const img = await loadImage("morphology", c.inputs.img);
      const stack = await loadImage("morphology", c.expected.stack);
      const list = (c.params.cases as string).split(" ");
      expect(stack.height).toBe(img.height * list.length);
      const n = img.width * img.height;
      list.forEach((text, i) => {
        const { op, shape, size, iterations } = parseCase(text);
        const got = morphology(img, { op, shape, size, iterations });
        expectSameArray(got.data, stack.data.subarray(i * n, (i + 1) * n), `${c.name}: ${text}`, img.width);
      });
    });
  }

  it("structuringElement equals getStructuringElement for every ellipse and cross up to 20×20", () => {
    const c = loadManifest("morphology").find((x) => x.name === "structuring_elements")!;
    const elements = c.expected.elements as Record<string, string>;
    expect(Object.keys(elements).length).toBe(800);
    for (const [key, rows] of Object.entries(elements)) {
      const [shape, size] = key.split(":");
      const [w, h] = size!.split("x").map(Number);
      const e = structuringElement(shape as MorphShape, w!, h!);
      const encoded = Array.from({ length: h! }, (_, y) => {
        const row = e.subarray(y * w!, (y + 1) * w!);
        const first = row.indexOf(1);
        return `${first < 0 ? 0 : first}+${row.reduce((a, b) => a + b, 0)}`;
      }).join(" ");
      expect(encoded, key).toBe(rows);
    }
  });
});

// ---- property tests ----

const OPS: MorphOp[] = ["erode", "dilate", "open", "close", "gradient", "tophat", "blackhat"];
const SHAPES: MorphShape[] = ["rect", "cross", "ellipse"];

describe("morphology: property tests against the reference", () => {
  for (const [w, h] of PROPERTY_SIZES.filter(([w, h]) => w * h < 10000)) {
    it(`${w}×${h}: erode/dilate, every shape, sizes 1…17 incl. even and non-square, iterations 1–3`, () => {
      const gray = randomImage(w, h, 1, w * 7 + h);
      const mask = randomMask(w, h, w * 11 + h);
      for (const img of [gray, mask]) {
        for (const shape of SHAPES) {
          for (const [kw, kh] of [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 3], [7, 3], [3, 7], [1, 9], [9, 1], [15, 15], [17, 5]] as const) {
            for (const iterations of [1, 2, 3]) {
              if (iterations === 3 && kw > 5) continue;
              for (const op of ["erode", "dilate"] as const) {
                const got = morphology(img, { op, shape, size: [kw, kh], iterations });
                expectSameArray(got.data, morphologyReference(img, op, shape, kw, kh, iterations), `${op} ${shape} ${kw}×${kh} ×${iterations}`, w);
              }
            }
          }
        }
      }
    });
  }

  it("641×479: erode/dilate, every shape, a few sizes", () => {
    const img = randomMask(641, 479, 4);
    for (const shape of SHAPES) {
      for (const [kw, kh] of [[3, 3], [4, 4], [7, 3], [15, 15]] as const) {
        for (const op of ["erode", "dilate"] as const) {
          const got = morphology(img, { op, shape, size: [kw, kh] });
          expectSameArray(got.data, morphologyReference(img, op, shape, kw, kh, 1), `${op} ${shape} ${kw}×${kh}`, 641);
        }
      }
    }
  });

  it("every composite op, shape and a few sizes on a random gray image and mask", () => {
    for (const [w, h, seed] of [[37, 23, 1], [64, 17, 2], [5, 41, 3]] as const) {
      for (const img of [randomImage(w, h, 1, seed), randomMask(w, h, seed)]) {
        for (const op of OPS) for (const shape of SHAPES) for (const size of [3, 4, [7, 3]] as const) for (const iterations of [1, 2]) {
          const [kw, kh] = typeof size === "number" ? [size, size] : size;
          const got = morphology(img, { op, shape, size, iterations });
          expectSameArray(got.data, morphologyReference(img, op, shape, kw, kh, iterations), `${op} ${shape} ${kw}×${kh} ×${iterations}`, w);
        }
      }
    }
  });

  it("1920×1080: 3×3 and 15×15 rectangles, 5×5 ellipse, on a mask", () => {
    const img = randomMask(1920, 1080, 99, 0.6);
    expectSameArray(morphology(img, { op: "erode", size: 3 }).data, rectReference(img, 3, 3, false), "erode 3×3", 1920);
    expectSameArray(morphology(img, { op: "dilate", size: 15 }).data, rectReference(img, 15, 15, true), "dilate 15×15", 1920);
    expectSameArray(morphology(img, { op: "open", shape: "ellipse", size: 5 }).data, morphologyReference(img, "open", "ellipse", 5, 5, 1), "open ellipse 5×5", 1920);
  });

  it("every element width of the in-register horizontal path (1…19) on widths 15…50, every shape", () => {
    for (const [w, h] of [[15, 6], [16, 5], [17, 7], [31, 4], [32, 9], [33, 5], [50, 8]] as const) {
      const img = randomImage(w, h, 1, w * 3 + h);
      for (let kw = 1; kw <= 19; kw++) {
        for (const shape of SHAPES) {
          for (const kh of [1, 3, kw]) {
            for (const op of ["erode", "dilate"] as const) {
              const got = morphology(img, { op, shape, size: [kw, kh] });
              expectSameArray(got.data, morphologyReference(img, op, shape, kw, kh, 1), `${op} ${shape} ${kw}×${kh} on ${w}×${h}`, w);
            }
          }
        }
      }
    }
  });

  it("in-register horizontal path: 4-vector main loop, 0–3 single steps and the tail (widths 64…146), tall elements", () => {
    // Widths 64 + 16k + t: k = 0…3 vectors for the single-step loop after the 4-vector loop, t ≠ 0 for the
    // overlapping tail; heights over 2 × 15 rows so van Herk/Gil-Werman's look-ahead rows are real rows.
    for (const [w, h] of [[64, 37], [80, 33], [96, 9], [113, 35], [128, 5], [146, 34]] as const) {
      const img = randomImage(w, h, 1, w + 7 * h);
      for (let kw = 5; kw <= 16; kw++) {
        for (const shape of SHAPES) {
          for (const kh of [3, 15]) {
            for (const op of ["erode", "dilate"] as const) {
              const got = morphology(img, { op, shape, size: [kw, kh] });
              expectSameArray(got.data, morphologyReference(img, op, shape, kw, kh, 1), `${op} ${shape} ${kw}×${kh} on ${w}×${h}`, w);
            }
          }
        }
      }
    }
  });

  it("large rectangles (van Herk/Gil-Werman and doubling paths) beyond the image size", () => {
    const img = randomImage(45, 29, 1, 5);
    for (const [kw, kh] of [[31, 31], [64, 3], [3, 64], [101, 77], [255, 2]] as const) {
      for (const op of ["erode", "dilate"] as const) {
        const got = morphology(img, { op, size: [kw, kh] });
        expectSameArray(got.data, morphologyReference(img, op, "rect", kw, kh, 1), `${op} ${kw}×${kh}`, 45);
        expectSameArray(got.data, rectReference(img, kw, kh, op === "dilate"), `${op} ${kw}×${kh} (separable reference)`, 45);
      }
    }
  });

  it("erode and dilate match morphology", () => {
    const img = randomImage(33, 21, 1, 6);
    expectSameArray(erode(img, { shape: "ellipse", size: 5 }).data, morphology(img, { op: "erode", shape: "ellipse", size: 5 }).data, "erode", 33);
    expectSameArray(dilate(img, { size: [3, 5], iterations: 2 }).data, morphology(img, { op: "dilate", size: [3, 5], iterations: 2 }).data, "dilate", 33);
  });

  it("writes in place, into WASM and plain outputs; allocation-free in steady state", () => {
    const img = randomMask(67, 45, 8);
    const expected = morphologyReference(img, "close", "ellipse", 5, 5, 1);
    const frame = allocImage(67, 45, 1);
    const plain = { width: 67, height: 45, channels: 1 as const, data: new Uint8Array(67 * 45) };
    try {
      morphology(img, { op: "close", shape: "ellipse", size: 5, out: plain });
      expectSameArray(plain.data, expected, "plain out", 67);
      frame.data.set(img.data);
      const r = morphology(frame, { op: "close", shape: "ellipse", size: 5, out: frame });
      expect(r.data.buffer).toBe(frame.data.buffer);
      expectSameArray(frame.data, expected, "in place", 67);
      const before = memoryStats();
      for (let i = 0; i < 3; i++) {
        frame.data.set(img.data);
        morphology(frame, { op: "close", shape: "ellipse", size: 5, out: frame });
        morphology(img, { op: "tophat", shape: "rect", size: 15, iterations: 2, out: plain });
      }
      expect(memoryStats()).toEqual(before);
      expectSameArray(frame.data, expected, "in place, steady state", 67);
    } finally {
      frame.dispose();
    }
  });

  it("honours a row stride and does not modify its input or options", () => {
    const packed = randomImage(13, 7, 1, 9);
    const padded = new Uint8Array(20 * 7).fill(0);
    for (let y = 0; y < 7; y++) padded.set(packed.data.subarray(y * 13, y * 13 + 13), y * 20);
    const before = padded.slice();
    const options = Object.freeze({ op: "dilate" as const, shape: "cross" as const, size: Object.freeze([3, 5]) as readonly [number, number] });
    const got = morphology({ width: 13, height: 7, channels: 1, data: padded, stride: 20 }, options);
    expectSameArray(got.data, morphologyReference(packed, "dilate", "cross", 3, 5, 1), "strided", 13);
    expectSameArray(padded, before, "input");
  });
});

describe("morphology: bad input", () => {
  const gray = { width: 4, height: 2, channels: 1 as const, data: new Uint8Array(8) };
  const ok = { op: "erode" as const, size: 3 };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["colour image", () => morphology({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }, ok), /gray image.*for img\.channels but received 3/],
    ["short buffer", () => morphology({ ...gray, data: new Uint8Array(5) }, ok), /hold exactly 8 bytes .* received 5/],
    ["missing options", () => morphology(gray, undefined as never), /for options\.op but received undefined/],
    ["unknown op", () => morphology(gray, { ...ok, op: "thin" as never }), /one of "erode", .*"blackhat" for options\.op but received "thin"/],
    ["unknown shape", () => morphology(gray, { ...ok, shape: "disk" as never }), /one of "rect", "cross", "ellipse" for options\.shape but received "disk"/],
    ["missing size", () => morphology(gray, { op: "erode" } as never), /a number or a \[width, height\] pair for options\.size but received undefined/],
    ["zero size", () => morphology(gray, { ...ok, size: 0 }), /integer between 1 and 255 for options\.size but received 0/],
    ["too large size", () => morphology(gray, { ...ok, size: 256 }), /integer between 1 and 255 for options\.size but received 256/],
    ["fractional size", () => morphology(gray, { ...ok, size: 2.5 }), /options\.size but received 2\.5/],
    ["size as a string", () => morphology(gray, { ...ok, size: "3" as never }), /pair for options\.size but received "3"/],
    ["size pair of one", () => morphology(gray, { ...ok, size: [3] as never }), /pair for options\.size but received array of length 1/],
    ["zero height in pair", () => morphology(gray, { ...ok, size: [3, 0] }), /options\.size\[1\] but received 0/],
    ["zero iterations", () => morphology(gray, { ...ok, iterations: 0 }), /integer between 1 and 100 for options\.iterations but received 0/],
    ["fractional iterations", () => morphology(gray, { ...ok, iterations: 1.5 }), /options\.iterations but received 1\.5/],
    ["unknown option", () => morphology(gray, { ...ok, anchor: [0, 0] } as never), /Unknown option "anchor"/],
    ["out of another size", () => morphology(gray, { ...ok, out: { width: 2, height: 2, channels: 1, data: new Uint8Array(4) } }), /options\.out to be 4×2/],
    ["colour out", () => morphology(gray, { ...ok, out: { width: 4, height: 2, channels: 3, data: new Uint8Array(24) } as never }), /options\.out\.channels but received 3/],
    ["erode with an op", () => erode(gray, { op: "dilate", size: 3 } as never), /Unknown option "op"/],
    ["structuringElement with a bad shape", () => structuringElement("star" as never, 3, 3), /for shape but received "star"/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(EdgesegError);
      expect(call).toThrow(message);
    });
  }
});
