// What exact RGB→gray can cost at 1080p in wasm SIMD on this machine, measured, next to toGray and
// the bench's memcpy floor: `node --import tsx bench/gray-bound.ts`.
//
// OpenCV's gray is (9798 R + 19235 G + 3735 B + 2^14) >> 15: three 15-bit products per pixel, a
// 23-bit sum. Wasm SIMD 128 has no 8-bit multiply-add (pmaddubsw is relaxed-SIMD only) and no
// high-half multiply, so the narrowest exact form is i32x4.dot_i16x8_s on zero-extended channel
// pairs: two dots per 4 pixels (3 products do not fit one i32 lane's pair), each fed by a byte
// shuffle, because RGB's 3-byte pixels never line up with 4-byte lanes. The probes below run only
// that unavoidable part (4 loads, 8 pshufb, 8 pmaddwd, 4 adds per 16 pixels, XOR-folded into one
// store; no shift, pack or rounding, so the output is wrong) and its halves, in the same loop
// shape as assembly/color.ts. If the probe alone misses 3× the memcpy floor, so does any kernel.
import { allocImage, toGray } from "../src/index.js";
import { compileProbes, fillRealistic, floorTiming, time } from "./harness.js";

// 64 pixels per iteration, then 16, as in rgbToGray (the two loops make V8 hoist the constants).
const STEP = (body: (p: string, q: string) => string) => `
  let i = 0;
  for (; i + 66 <= n; i += 64) {
    const p = src + <usize>(i * 3);
    const q = dst + <usize>i;
${[0, 1, 2, 3].map((k) => body(`p + ${48 * k}`, `q + ${16 * k}`)).join("\n")}
  }
  for (; i + 18 <= n; i += 16) {
${body("src + <usize>(i * 3)", "dst + <usize>i")}
  }`;
const RG = "i8x16(0, -128, 1, -128, 3, -128, 4, -128, 6, -128, 7, -128, 9, -128, 10, -128)";
const B = "i8x16(2, -128, -128, -128, 5, -128, -128, -128, 8, -128, -128, -128, 11, -128, -128, -128)";
const fold = (term: (at: string) => string) => (p: string, q: string) =>
  `    v128.store(${q}, v128.xor(v128.xor(${term(`${p}`)}, ${term(`${p} + 12`)}), v128.xor(${term(`${p} + 24`)}, ${term(`${p} + 36`)})));`;
const narrow = (term: (at: string) => string) => (p: string, q: string) =>
  `    v128.store(${q}, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(${term(`${p}`)}, ${term(`${p} + 12`)}), i16x8.narrow_i32x4_s(${term(`${p} + 24`)}, ${term(`${p} + 36`)})));`;

const PROBES = `
export function alloc(n: usize): usize { return heap.alloc(n); }
// pshufb + pmaddwd + add: the dot core of every exact formulation.
export function core(src: usize, dst: usize, n: i32): void {
  const k1 = i32x4.splat((19235 << 16) | 9798);
  const k2 = i32x4.splat(3735);
${STEP(fold((o: string) => `i32x4.add(i32x4.dot_i16x8_s(i8x16.swizzle(v128.load(${o}), ${RG}), k1), i32x4.dot_i16x8_s(i8x16.swizzle(v128.load(${o}), ${B}), k2))`))}
}
// The core plus the least narrowing any kernel needs (16 i32 sums -> 16 bytes: three packs); still
// no bit alignment (the byte sits at bits 15..22) and no rounding.
export function coreNarrow(src: usize, dst: usize, n: i32): void {
  const k1 = i32x4.splat((19235 << 16) | 9798);
  const k2 = i32x4.splat(3735);
${STEP(narrow((o: string) => `i32x4.add(i32x4.dot_i16x8_s(i8x16.swizzle(v128.load(${o}), ${RG}), k1), i32x4.dot_i16x8_s(i8x16.swizzle(v128.load(${o}), ${B}), k2))`))}
}
// The shuffles alone, and the dots alone (on the raw bytes).
export function shuffles(src: usize, dst: usize, n: i32): void {
${STEP(fold((o: string) => `v128.xor(i8x16.swizzle(v128.load(${o}), ${RG}), i8x16.swizzle(v128.load(${o}), ${B}))`))}
}
export function dots(src: usize, dst: usize, n: i32): void {
  const k1 = i32x4.splat((19235 << 16) | 9798);
  const k2 = i32x4.splat(3735);
${STEP(fold((o: string) => `v128.xor(i32x4.dot_i16x8_s(v128.load(${o}), k1), i32x4.dot_i16x8_s(v128.load(${o}), k2))`))}
}
`;

const probes = await compileProbes<{
  alloc(n: number): number;
  core(src: number, dst: number, n: number): void;
  coreNarrow(src: number, dst: number, n: number): void;
  shuffles(src: number, dst: number, n: number): void;
  dots(src: number, dst: number, n: number): void;
}>(PROBES, 256);

const W = 1920;
const H = 1080;
const N = W * H;
const pSrc = probes.alloc(N * 3 + 64);
const pDst = probes.alloc(N + 64);
fillRealistic(new Uint8Array(probes.memory.buffer, pSrc, N * 3), W, 3);

const ms = (fn: () => void) => time(fn, 100, 300).median;
const img = allocImage(W, H, 3);
fillRealistic(img.data, W, 3);
const gray = allocImage(W, H, 1);
const rows: Array<[string, number]> = [
  ["toGray RGB (whole kernel)", ms(() => toGray(img, { out: gray }))],
  ["probe: pshufb+pmaddwd+add core", ms(() => probes.core(pSrc, pDst, N))],
  ["probe: core + 3 packs (no shift)", ms(() => probes.coreNarrow(pSrc, pDst, N))],
  ["probe: 8 pshufb per 16 px only", ms(() => probes.shuffles(pSrc, pDst, N))],
  ["probe: 8 pmaddwd per 16 px only", ms(() => probes.dots(pSrc, pDst, N))],
];
const floor = floorTiming((N * 3 + N) / 2).median;
console.log(`RGB→gray 1920x1080, medians; memcpy floor (the bench's) ${floor.toFixed(4)} ms, 3× floor = ${(3 * floor).toFixed(3)} ms`);
for (const [name, t] of rows) console.log(`${name.padEnd(34)} ${t.toFixed(3)} ms  = ${(t / floor).toFixed(2)}× floor`);
img.dispose();
gray.dispose();
