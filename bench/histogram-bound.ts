// What an exact 256-bin histogram can cost at 1080p on this machine, measured, next to Otsu's
// actual time and opencv.js's: `node --import tsx bench/histogram-bound.ts`.
//
// Otsu/triangle = histogram + mask pass. The histogram is bound by read-modify-write increments of
// a table: with cache-resident counters one increment can count at most two pixels (a counter's
// address must hold every bit of each pixel it counts, and 2^24 counters for three pixels do not
// fit in cache), so a 1920x1080 frame needs >= 1,036,800 increments. The probes below time such
// increments with no histogram logic at all (addresses read from memory, or even constant), and
// the mask pass's floor is a memcpy of the same bytes. Their sum bounds what any kernel can reach.
import { allocImage, otsuThreshold } from "../src/index.js";
import { compileProbes, fillRealistic, loadOpenCvJs, time } from "./harness.js";

const PROBES = `
const TABLE: usize = memory.data(262144, 64);
export function alloc(n: usize): usize { return heap.alloc(n); }
// 16 stores / 16 increments per step to 16 constant cache lines: the store port's throughput.
export function storeFixed(n: i32): void {
  for (let i = 0; i < n; i += 16) {
${Array.from({ length: 16 }, (_, j) => `    store<u32>(TABLE, i, ${64 * j});`).join("\n")}
  }
}
export function incFixed(n: i32): void {
  for (let i = 0; i < n; i += 16) {
${Array.from({ length: 16 }, (_, j) => `    store<u32>(TABLE, load<u32>(TABLE, ${64 * j}) + 1, ${64 * j});`).join("\n")}
  }
}
// Increments whose byte offsets are read from memory (a 16 KiB list, reused): the cheapest
// data-dependent increment, with no index arithmetic and a constant table address.
export function incLoaded(n: i32, offs: usize): void {
  for (let i = 0; i < n; i += 16) {
    const o = offs + (<usize>(i & 4095) << 2);
${Array.from({ length: 16 }, (_, j) => `    { const a = <usize>load<u32>(o, ${4 * j}); store<u32>(a, load<u32>(a, TABLE) + 1, TABLE); }`).join("\n")}
  }
}
// Clock probe: a chain of dependent 1-cycle ops (add, xor).
export function chain(n: i32, m: i32): i32 {
  let x = m;
  for (let i = 0; i < n; i++) {
${Array.from({ length: 8 }, () => "    x = (x + m) ^ m;").join("\n")}
  }
  return x;
}
`;

const probes = await compileProbes<{
  alloc(n: number): number;
  storeFixed(n: number): void;
  incFixed(n: number): void;
  incLoaded(n: number, offs: number): void;
  chain(n: number, m: number): number;
}>(PROBES, 16);

const W = 1920;
const H = 1080;
const PAIRS = (W * H) / 2;
const offs = probes.alloc(16384 + 64);
const list = new Uint32Array(probes.memory.buffer, offs, 4096);
for (let i = 0; i < 4096; i++) list[i] = i * 4; // distinct, in order: no aliasing at all

const ms = (fn: () => void) => time(fn, 200, 300).p10; // p10: the machine is shared
const clock = 1.6 / ms(() => probes.chain(100_000, 3)); // GHz: 1.6M dependent 1-cycle ops, short enough to run unpreempted
const store = ms(() => probes.storeFixed(PAIRS));
const incConst = ms(() => probes.incFixed(PAIRS));
const incData = ms(() => probes.incLoaded(PAIRS, offs));
const a = new Uint8Array(W * H).map((_, i) => i * 31);
const b = new Uint8Array(W * H);
const copy = ms(() => b.set(a));

const img = allocImage(W, H, 1);
fillRealistic(img.data, W);
const out = allocImage(W, H, 1);
const ours = ms(() => otsuThreshold(img, { out }));
const cv = await loadOpenCvJs();
const src = cv.matFromArray(H, W, cv.CV_8UC1, img.data);
const dst = new cv.Mat();
const cvjs = ms(() => cv.threshold(src, dst, 0, 255, cv.THRESH_BINARY | cv.THRESH_OTSU));
src.delete();
dst.delete();

const cyc = (t: number) => ((t * 1e6 * clock) / PAIRS).toFixed(2);
console.log(`clock ≈ ${clock.toFixed(2)} GHz (dependent add/xor chain); ${PAIRS} pair increments at 1920x1080; p10 of >= 200 runs`);
console.log(`stores to constant lines        ${store.toFixed(3)} ms  (${cyc(store)} cycles each)`);
console.log(`increments, constant addresses  ${incConst.toFixed(3)} ms  (${cyc(incConst)} cycles each)  <- hard floor`);
console.log(`increments, addresses from data ${incData.toFixed(3)} ms  (${cyc(incData)} cycles each)  <- practical floor`);
console.log(`mask pass floor (memcpy ${W * H} B) ${copy.toFixed(3)} ms`);
for (const [what, floor] of [["hard", incConst + copy], ["practical", incData + copy]] as const) {
  console.log(`${what} floor for Otsu: ${floor.toFixed(3)} ms -> at most ${(cvjs / floor).toFixed(2)}× opencv.js`);
}
console.log(`otsuThreshold ${ours.toFixed(3)} ms, opencv.js ${cvjs.toFixed(3)} ms: ${(cvjs / ours).toFixed(2)}×`);
img.dispose();
out.dispose();
