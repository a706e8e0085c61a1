// Resize of u8 images with 1, 3 or 4 channels: nearest, bilinear and area, replicating OpenCV 4.6's
// cv::resize (INTER_NEAREST / INTER_LINEAR / INTER_AREA). Every coordinate and coefficient table is
// computed here once per geometry, with OpenCV's own mix of float32 and float64 arithmetic (hence the
// Math.fround calls), and cached in WASM memory; the kernels in assembly/resize.ts only walk them.
import { EdgesegError } from "../core/errors.js";
import type { Channels, Image } from "../core/image.js";
import { inputPointer, outputTarget, scratch, WasmBuffer } from "../core/memory.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";
import { imageOut } from "./color.js";

type ResizeExports = {
  resizeLinear(src: number, rowBytes: number, dst: number, n: number, dh: number, xoff: number, alpha: number, bbase: number, bmask: number, nblk: number, ytab: number, hbuf0: number, hbuf1: number): void;
  resizeNearest(src: number, rowBytes: number, dst: number, n: number, dh: number, yofs: number, mode: number, xstart: number, blocks: number, nb: number, cn: number, xp: number, p0: number, p1: number, safe: number): void;
  nearestFastBytes(mode: number, n: number, avail: number): number;
  resizeAreaFast(src: number, rowBytes: number, cn: number, dst: number, n: number, dh: number, kx: number, ky: number, blk: number, nblk: number): void;
  resizeArea(src: number, rowBytes: number, cn: number, dst: number, n: number, xtab: number, K: number, blk: number, bstride: number, ytab: number, yn: number, buf: number, sum: number): void;
};
const k = () => kernels() as unknown as ResizeExports;

/** Interpolation methods, named after what they do; OpenCV's names in the comments. */
export type ResizeMethod = "nearest" | "bilinear" | "area";
export const RESIZE_METHODS: readonly ResizeMethod[] = ["nearest", "bilinear", "area"];

/** Options of {@link resize}. */
export interface ResizeOptions {
  /** Output width in pixels (an integer ≥ 1). */
  width: number;
  /** Output height in pixels (an integer ≥ 1). */
  height: number;
  /**
   * `"nearest"` = INTER_NEAREST (pixel at floor(x·scale)), `"bilinear"` = INTER_LINEAR (11-bit fixed
   * point), `"area"` = INTER_AREA (block mean when shrinking, bilinear-like when enlarging).
   * @default "bilinear"
   */
  method?: ResizeMethod;
  /** A caller-owned image of the output size and the input's channel count (zero-copy if it is a `WasmImage`). */
  out?: Image;
}

// ---- OpenCV arithmetic helpers ----

const f32 = Math.fround;

/** cvRound: round half to even (what saturate_cast<short>(float) and lrint do). */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** OpenCV's per-axis source position and fraction for INTER_LINEAR or (enlarging) INTER_AREA. */
function linearAxis(s: number, d: number, areaMode: boolean, clamp: boolean): { ofs: Int32Array; w0: Int16Array; w1: Int16Array } {
  const inv = d / s;
  const scale = 1 / inv;
  const ofs = new Int32Array(d);
  const w0 = new Int16Array(d);
  const w1 = new Int16Array(d);
  for (let i = 0; i < d; i++) {
    let sx: number;
    let fx: number;
    if (!areaMode) {
      fx = f32((i + 0.5) * scale - 0.5);
      sx = Math.floor(fx);
      fx = f32(fx - sx);
    } else {
      sx = Math.floor(i * scale);
      fx = f32(i + 1 - (sx + 1) * inv);
      fx = fx <= 0 ? 0 : f32(fx - Math.floor(fx));
    }
    // The x axis clamps position and fraction at the borders; the y axis only clips row indices.
    if (clamp) {
      if (sx < 0) (fx = 0), (sx = 0);
      if (sx >= s - 1) (fx = 0), (sx = s - 1);
    }
    ofs[i] = sx;
    w0[i] = rint(f32(1 - fx) * 2048);
    w1[i] = rint(fx * 2048);
  }
  return { ofs, w0, w1 };
}

/** A cached table set for one geometry, living in WASM memory. */
interface Plan {
  buf: WasmBuffer;
  run(src: number, dst: number): void;
}

export interface LinearPlan {
  n: number;
  dh: number;
  rowBytes: number;
  xoff: number;
  alpha: number;
  bbase: number;
  bmask: number;
  nblk: number;
  ytab: number;
}

const Z = 0x80; // swizzle index producing a zero byte

/** Builds the INTER_LINEAR (or enlarging INTER_AREA) tables into a new WASM buffer. */
function buildLinear(sw: number, sh: number, cn: number, dw: number, dh: number, areaMode: boolean): { buf: WasmBuffer; plan: LinearPlan } {
  const n = dw * cn;
  const rowBytes = sw * cn;
  const x = linearAxis(sw, dw, areaMode, true);
  const y = linearAxis(sh, dh, areaMode, false);
  const nblk = n >> 2;
  // Layout: xoff i32[2n] | alpha i16[2n] | bbase i32[2 nblk] | bmask u8[32 nblk] | ytab i32[4 dh]
  const xoffB = 0;
  const alphaB = xoffB + 8 * n;
  const bbaseB = alphaB + 4 * n + 16;
  const bmaskB = (bbaseB + 8 * nblk + 15) & ~15;
  const ytabB = bmaskB + 32 * nblk;
  const total = ytabB + 16 * dh;
  const buf = new WasmBuffer(total);
  const bytes = buf.u8;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, total);
  for (let e = 0; e < n; e++) {
    const dx = Math.floor(e / cn);
    const c = e - dx * cn;
    const sx = x.ofs[dx]!;
    const o0 = sx * cn + c;
    const o1 = (sx + 1 < sw ? sx + 1 : sx) * cn + c; // weight 0 when clamped at the right edge
    dv.setInt32(xoffB + 8 * e, o0, true);
    dv.setInt32(xoffB + 8 * e + 4, o1, true);
    dv.setInt16(alphaB + 4 * e, x.w0[dx]!, true);
    dv.setInt16(alphaB + 4 * e + 2, x.w1[dx]!, true);
  }
  // Gather masks: the 8 taps of a block (lanes 0, 2, 4, … of i16 pairs) from ≤ 2 16-byte windows.
  for (let b = 0; b < nblk; b++) {
    const taps: number[] = [];
    for (let e = 4 * b; e < 4 * b + 4; e++) taps.push(dv.getInt32(xoffB + 8 * e, true), dv.getInt32(xoffB + 8 * e + 4, true));
    const m = bmaskB + 32 * b;
    bytes.fill(Z, m, m + 32);
    const base0 = Math.min(Math.min(...taps), rowBytes - 16);
    const rest = taps.filter((t) => t - base0 >= 16);
    const base1 = rest.length ? Math.min(Math.min(...rest), rowBytes - 16) : -1;
    if (rowBytes < 16 || rest.some((t) => t - base1 >= 16)) {
      dv.setInt32(bbaseB + 8 * b, -1, true);
      dv.setInt32(bbaseB + 8 * b + 4, -1, true);
      continue;
    }
    dv.setInt32(bbaseB + 8 * b, base0, true);
    dv.setInt32(bbaseB + 8 * b + 4, base1, true);
    taps.forEach((t, j) => {
      if (t - base0 < 16) bytes[m + 2 * j] = t - base0;
      else bytes[m + 16 + 2 * j] = t - base1;
    });
  }
  for (let dy = 0; dy < dh; dy++) {
    const sy = y.ofs[dy]!;
    const t = ytabB + 16 * dy;
    dv.setInt32(t, Math.min(Math.max(sy, 0), sh - 1), true);
    dv.setInt32(t + 4, Math.min(Math.max(sy + 1, 0), sh - 1), true);
    dv.setInt32(t + 8, y.w0[dy]!, true);
    dv.setInt32(t + 12, y.w1[dy]!, true);
  }
  const p = buf.ptr;
  return { buf, plan: { n, dh, rowBytes, xoff: p + xoffB, alpha: p + alphaB, bbase: p + bbaseB, bmask: p + bmaskB, nblk, ytab: p + ytabB } };
}

/** Two i16 rows for the horizontal pass of the linear kernels (grow-only scratch). */
export function linearRows(n: number): [number, number] {
  const rowBytes = ((n + 8) * 2 + 15) & ~15;
  const b = scratch("resize.hrows", 2 * rowBytes);
  return [b.ptr, b.ptr + rowBytes];
}

function nearestPlan(sw: number, sh: number, cn: number, dw: number, dh: number): Plan {
  const ifx = 1 / (dw / sw);
  const ify = 1 / (dh / sh);
  const xs = new Int32Array(dw);
  const ys = new Int32Array(dh);
  for (let y = 0; y < dh; y++) ys[y] = Math.min(Math.floor(y * ify), sh - 1);
  for (let dx = 0; dx < dw; dx++) xs[dx] = Math.min(Math.floor(dx * ifx), sw - 1);
  return gatherPlan(sw, sh, cn, xs, ys);
}

/** How the nearest kernel builds each output row from a column table (see {@link nearestColumns}). */
export interface NearestColumns {
  /** The constant-shuffle row loop, (cn << 4) | k, or 0 for none. */
  mode: number;
  /** Source byte of the row loop's first pixel. */
  xstart: number;
  /** Output bytes [0, fastBytes) come from the row loop. */
  fastBytes: number;
  /** 16-byte table blocks covering [fastBytes, n), each from ≤ 4 source windows. */
  blocks: Array<{ off: number; bases: number[]; mask: Uint8Array }>;
  /** Whether [fastBytes, n) goes pixel by pixel instead (a block would need > 4 windows, or n < 16). */
  pixels: boolean;
}

/**
 * The row plan of the nearest kernel for source column table xs (source pixel of each output
 * pixel). An exact integer decimation xs[dx] = x0 + k·dx with k ≤ 4 runs the kernel's
 * constant-shuffle loop of mode (cn << 4) | k from source byte x0·cn (1080p → 360p is k = 3,
 * 4K → 1080p k = 2) for every whole unit that fits. The rest of the row goes through 16-byte
 * blocks at 16-byte steps, the last one ending at n (overlapping its neighbour rather than
 * leaving a scalar tail); a block gathers from up to 4 16-byte source windows (greedy, left to
 * right). When one needs more (shrinks by more than ~4), or the row is shorter than 16 bytes, the
 * rest goes pixel by pixel instead.
 * @internal Exported for the tests; not part of the public API.
 */
export function nearestColumns(sw: number, cn: number, xs: Int32Array): NearestColumns {
  const dw = xs.length;
  const n = dw * cn;
  const rowBytes = sw * cn;
  const step = dw > 1 ? xs[1]! - xs[0]! : 0;
  let mode = step >= 1 && step <= 4 ? (cn << 4) | step : 0;
  for (let dx = 2; mode && dx < dw; dx++) if (xs[dx] !== xs[0]! + step * dx) mode = 0;
  const xstart = mode ? xs[0]! * cn : 0;
  const fastBytes = mode ? k().nearestFastBytes(mode, n, rowBytes - xstart) : 0;
  const xb = (e: number) => xs[Math.floor(e / cn)]! * cn + (e % cn);
  const blocks: NearestColumns["blocks"] = [];
  let pixels = n < 16;
  for (let o = fastBytes; !pixels && o < n; o += 16) {
    const off = Math.min(o, n - 16);
    const mask = new Uint8Array(64).fill(Z);
    const bases: number[] = [];
    const done = new Array<boolean>(16).fill(false);
    for (;;) {
      let first = -1;
      for (let j = 0; j < 16; j++) if (!done[j] && (first < 0 || xb(off + j) < xb(off + first))) first = j;
      if (first < 0) break;
      if (bases.length === 4 || rowBytes < 16) {
        pixels = true;
        break;
      }
      const base = Math.min(xb(off + first), rowBytes - 16);
      for (let j = 0; j < 16; j++) {
        const d = xb(off + j) - base;
        if (!done[j] && d >= 0 && d < 16) {
          mask[16 * bases.length + j] = d;
          done[j] = true;
        }
      }
      bases.push(base);
    }
    blocks.push({ off, bases, mask });
  }
  if (pixels) blocks.length = 0;
  return { mode, xstart, fastBytes, blocks, pixels };
}

/**
 * A plan that copies source pixel (xs[dx], ys[dy]) to every output pixel: INTER_NEAREST, and
 * INTER_LINEAR when every weight is (2048, 0) (odd integer shrinks such as 1080p → 360p: the
 * fixed-point formula then returns the one tap exactly, see {@link bilinearPick}).
 */
function gatherPlan(sw: number, sh: number, cn: number, xs: Int32Array, ys: Int32Array): Plan {
  const dw = xs.length;
  const dh = ys.length;
  const n = dw * cn;
  const rowBytes = sw * cn;
  const { mode, xstart, fastBytes, blocks, pixels } = nearestColumns(sw, cn, xs);
  const nb = blocks.length;
  const p0 = fastBytes / cn;
  const p1 = pixels ? dw : p0;
  // Pixels before `safe` may load 4 bytes (3-channel copies) without leaving the source row.
  let safe = 0;
  while (safe < dw && xs[safe]! * cn + 4 <= rowBytes) safe++;
  // Layout: yofs i32[dh] | xp i32[dw] | block headers i32[8 nb] | block masks u8[64 nb]
  const yofsB = 0;
  const xpB = yofsB + 4 * dh;
  const blkB = (xpB + 4 * dw + 15) & ~15;
  const maskB = blkB + 32 * nb;
  const total = maskB + 64 * nb + 16;
  const buf = new WasmBuffer(total);
  const bytes = buf.u8;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, total);
  for (let y = 0; y < dh; y++) dv.setInt32(yofsB + 4 * y, ys[y]!, true);
  for (let dx = 0; dx < dw; dx++) dv.setInt32(xpB + 4 * dx, xs[dx]! * cn, true);
  blocks.forEach(({ off, bases, mask }, b) => {
    dv.setInt32(blkB + 32 * b, off, true);
    dv.setInt32(blkB + 32 * b + 4, bases.length, true);
    bases.forEach((base, i) => dv.setInt32(blkB + 32 * b + 8 + 4 * i, base, true));
    bytes.set(mask, maskB + 64 * b);
  });
  const p = buf.ptr;
  return {
    buf,
    run: (src, dst) => k().resizeNearest(src, rowBytes, dst, n, dh, p + yofsB, mode, xstart, p + blkB, nb, cn, p + xpB, p0, p1, safe),
  };
}

/** OpenCV's computeResizeAreaTab: (source index ×cn, destination index ×cn, weight) triples. */
function areaTab(s: number, d: number, cn: number, scale: number): number[][] {
  const tab: number[][] = [];
  for (let dx = 0; dx < d; dx++) {
    const fsx1 = dx * scale;
    const fsx2 = fsx1 + scale;
    const cellWidth = Math.min(scale, s - fsx1);
    let sx1 = Math.ceil(fsx1);
    let sx2 = Math.floor(fsx2);
    sx2 = Math.min(sx2, s - 1);
    sx1 = Math.min(sx1, sx2);
    if (sx1 - fsx1 > 1e-3) tab.push([(sx1 - 1) * cn, dx * cn, f32((sx1 - fsx1) / cellWidth)]);
    for (let sx = sx1; sx < sx2; sx++) tab.push([sx * cn, dx * cn, f32(1.0 / cellWidth)]);
    if (fsx2 - sx2 > 1e-3) tab.push([sx2 * cn, dx * cn, f32(Math.min(Math.min(fsx2 - sx2, 1), cellWidth) / cellWidth)]);
  }
  return tab;
}

function areaPlan(sw: number, sh: number, cn: number, dw: number, dh: number): Plan {
  const n = dw * cn;
  const rowBytes = sw * cn;
  const scaleX = 1 / (dw / sw);
  const scaleY = 1 / (dh / sh);
  const ix = Math.round(scaleX);
  const iy = Math.round(scaleY);
  if (Math.abs(scaleX - ix) < Number.EPSILON && Math.abs(scaleY - iy) < Number.EPSILON) {
    // Blocks of 4 output elements: the ≤ 4 taps (same row) of element l go to bytes 4l..4l+3,
    // gathered from one or two 16-byte windows; u8 sums of up to 4 taps × ky rows must fit the
    // kernel's u16 lanes (kx ≤ 4, ky ≤ 32). Otherwise every block is scalar.
    const nblk = n >> 2;
    const buf = new WasmBuffer(48 * nblk + 16);
    const bytes = buf.u8;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, 48 * nblk + 16);
    for (let b = 0; b < nblk; b++) {
      const o = 48 * b;
      bytes.fill(Z, o + 16, o + 48);
      const taps: Array<[number, number]> = []; // (lane byte, source offset)
      for (let l = 0; l < 4; l++) {
        const e = 4 * b + l;
        const dx = Math.floor(e / cn);
        for (let j = 0; j < ix; j++) taps.push([4 * l + j, (dx * ix + j) * cn + (e - dx * cn)]);
      }
      const offs = taps.map((t) => t[1]);
      const base0 = Math.min(Math.min(...offs), rowBytes - 16);
      const rest = offs.filter((t) => t - base0 >= 16);
      const base1 = rest.length ? Math.min(Math.min(...rest), rowBytes - 16) : -1;
      if (ix > 4 || iy > 32 || rowBytes < 16 || rest.some((t) => t - base1 >= 16)) {
        dv.setInt32(o, -1, true);
        continue;
      }
      dv.setInt32(o, base0, true);
      dv.setInt32(o + 4, base1, true);
      for (const [lane, t] of taps) {
        if (t - base0 < 16) bytes[o + 16 + lane] = t - base0;
        else bytes[o + 32 + lane] = t - base1;
      }
    }
    const p = buf.ptr;
    return { buf, run: (src, dst) => k().resizeAreaFast(src, rowBytes, cn, dst, n, dh, ix, iy, p, nblk) };
  }
  const xt = areaTab(sw, dw, cn, scaleX);
  const yt = areaTab(sh, dh, 1, scaleY);
  // x entries regrouped as K per output pixel, padded with weight-0 copies of the last one.
  const perDx: number[][][] = Array.from({ length: dw }, () => []);
  for (const e of xt) perDx[e[1]! / cn]!.push(e);
  const K = Math.max(...perDx.map((g) => g.length));
  // Per 4-element block: K window offsets | K swizzle masks | K f32x4 weights (see areaRow).
  const nblk = n >> 2;
  const maskOff = (4 * K + 15) & ~15;
  const bstride = maskOff + 32 * K;
  const xBytes = 8 * K * dw;
  const blkB = (xBytes + 15) & ~15;
  const yB = blkB + bstride * nblk;
  const rowsB = (yB + 12 * yt.length + 15) & ~15;
  const total = rowsB + 8 * n + 64;
  const buf = new WasmBuffer(total);
  const dv = new DataView(buf.u8.buffer, buf.ptr, total);
  const tapSi = (e: number, j: number) => {
    const dx = Math.floor(e / cn);
    const g = perDx[dx]!;
    return g[Math.min(j, g.length - 1)]![0]! + (e - dx * cn);
  };
  const tapAlpha = (e: number, j: number) => {
    const g = perDx[Math.floor(e / cn)]!;
    return j < g.length ? g[j]![2]! : 0;
  };
  perDx.forEach((g, dx) => {
    for (let j = 0; j < K; j++) {
      dv.setInt32(8 * (dx * K + j), g[Math.min(j, g.length - 1)]![0]!, true);
      dv.setFloat32(8 * (dx * K + j) + 4, tapAlpha(dx * cn, j), true);
    }
  });
  for (let b = 0; b < nblk; b++) {
    const o = blkB + bstride * b;
    const bases: number[] = [];
    let ok = rowBytes >= 16;
    for (let j = 0; j < K && ok; j++) {
      const pos = [0, 1, 2, 3].map((l) => tapSi(4 * b + l, j));
      const base = Math.min(Math.min(...pos), rowBytes - 16);
      if (Math.max(...pos) - base >= 16) ok = false;
      bases.push(base);
      for (let l = 0; l < 4; l++) {
        for (let q = 0; q < 4; q++) buf.u8[o + maskOff + 16 * j + 4 * l + q] = q === 0 ? pos[l]! - base : Z;
        dv.setFloat32(o + maskOff + 16 * K + 16 * j + 4 * l, tapAlpha(4 * b + l, j), true);
      }
    }
    for (let j = 0; j < K; j++) dv.setInt32(o + 4 * j, ok ? bases[j]! : -1, true);
  }
  yt.forEach(([si, di, a], i) => {
    dv.setInt32(yB + 12 * i, si!, true);
    dv.setInt32(yB + 12 * i + 4, di!, true);
    dv.setFloat32(yB + 12 * i + 8, a!, true);
  });
  const p = buf.ptr;
  return {
    buf,
    // buf has one spare f32 (the 4-lane store of a 3-channel pixel), then sum.
    run: (src, dst) => k().resizeArea(src, rowBytes, cn, dst, n, p, K, p + blkB, bstride, p + yB, yt.length, p + rowsB, p + rowsB + 4 * n + 16),
  };
}

// ---- plan cache: tables are built once per geometry (a camera loop resizes the same shape every frame) ----

const MAX_PLANS = 16;
const plans = new Map<string, Plan>();

function cached(key: string, build: () => Plan): Plan {
  let plan = plans.get(key);
  if (plan) {
    // Most recently used last.
    plans.delete(key);
    plans.set(key, plan);
    return plan;
  }
  plan = build();
  plans.set(key, plan);
  if (plans.size > MAX_PLANS) {
    const [oldKey, old] = plans.entries().next().value as [string, Plan];
    plans.delete(oldKey);
    old.buf.dispose();
    if (old === lastPlan) lastPlan = null;
  }
  return plan;
}

// The plan of the last resizeInto call and its geometry: a stream resizes every frame the same way,
// and at 1080p → 360p nearest the kernel takes ~40 µs, so skipping the key string and the LRU
// reordering of planFor is a measurable share of the call.
let lastPlan: Plan | null = null;
let lastGeo: number[] = [0, 0, 0, 0, 0];
let lastMethod: ResizeMethod = "bilinear";

/** The cached linear tables for a geometry (also used by normalize's fused resize). */
export function linearPlan(sw: number, sh: number, cn: number, dw: number, dh: number, areaMode = false): LinearPlan {
  const key = `linear${areaMode ? "-area" : ""}:${sw}x${sh}x${cn}>${dw}x${dh}`;
  let lp: LinearPlan | undefined;
  const plan = cached(key, () => {
    const built = buildLinear(sw, sh, cn, dw, dh, areaMode);
    const p = built.plan;
    return Object.assign(
      {
        buf: built.buf,
        run: (src: number, dst: number) => {
          const [h0, h1] = linearRows(p.n);
          k().resizeLinear(src, p.rowBytes, dst, p.n, p.dh, p.xoff, p.alpha, p.bbase, p.bmask, p.nblk, p.ytab, h0, h1);
        },
      },
      { linear: p },
    );
  }) as Plan & { linear: LinearPlan };
  lp = plan.linear;
  return lp;
}

/** Per-output-pixel INTER_LINEAR tables for 3-channel kernels that resize pixel by pixel (normalize's fused RGB path). */
export interface PixelPlan {
  /** Per output pixel: i32 source byte offset of tap 0, i32 a0 | a1 << 16. */
  xt: number;
  /** Pixels below xv may load 16 bytes at their offset (inside the source row). */
  xv: number;
  /** Per output row: i32 r0, r1 (clamped), b0, b1, as resizeLinear's. */
  ytab: number;
}

/** The cached per-pixel linear tables for a geometry (cn = bytes per source pixel). */
export function linearPixelPlan(sw: number, sh: number, cn: number, dw: number, dh: number): PixelPlan {
  const plan = cached(`linear-px:${sw}x${sh}x${cn}>${dw}x${dh}`, () => {
    const x = linearAxis(sw, dw, false, true);
    const y = linearAxis(sh, dh, false, false);
    const ytabB = 8 * dw;
    const buf = new WasmBuffer(ytabB + 16 * dh);
    const dv = new DataView(buf.u8.buffer, buf.ptr, ytabB + 16 * dh);
    let xv = 0;
    for (let i = 0; i < dw; i++) {
      const o = x.ofs[i]! * cn;
      dv.setInt32(8 * i, o, true);
      dv.setInt32(8 * i + 4, (x.w0[i]! & 0xffff) | (x.w1[i]! << 16), true);
      if (o + 16 <= sw * cn) xv = i + 1; // offsets never decrease
    }
    for (let i = 0; i < dh; i++) {
      const sy = y.ofs[i]!;
      dv.setInt32(ytabB + 16 * i, Math.min(Math.max(sy, 0), sh - 1), true);
      dv.setInt32(ytabB + 16 * i + 4, Math.min(Math.max(sy + 1, 0), sh - 1), true);
      dv.setInt32(ytabB + 16 * i + 8, y.w0[i]!, true);
      dv.setInt32(ytabB + 16 * i + 12, y.w1[i]!, true);
    }
    const pixel: PixelPlan = { xt: buf.ptr, xv, ytab: buf.ptr + ytabB };
    return Object.assign({ buf, run: () => { throw new Error("linear-px plans are tables only"); } }, { pixel });
  }) as Plan & { pixel: PixelPlan };
  return plan.pixel;
}

/** Which kernel OpenCV's cv::resize runs for this geometry. */
function planFor(sw: number, sh: number, cn: number, dw: number, dh: number, method: ResizeMethod): Plan {
  const scaleX = 1 / (dw / sw);
  const scaleY = 1 / (dh / sh);
  if (method === "nearest") return cached(`nearest:${sw}x${sh}x${cn}>${dw}x${dh}`, () => nearestPlan(sw, sh, cn, dw, dh));
  // OpenCV: an exact 2× shrink with INTER_LINEAR is INTER_AREA's block mean (the same maths).
  const exact2 = Math.abs(scaleX - 2) < Number.EPSILON && Math.abs(scaleY - 2) < Number.EPSILON;
  if (method === "area" || (method === "bilinear" && exact2)) {
    if (scaleX >= 1 && scaleY >= 1) return cached(`area:${sw}x${sh}x${cn}>${dw}x${dh}`, () => areaPlan(sw, sh, cn, dw, dh));
    linearPlan(sw, sh, cn, dw, dh, true);
    return plans.get(`linear-area:${sw}x${sh}x${cn}>${dw}x${dh}`)!;
  }
  // Whether the geometry is a pure gather is decided once per geometry (the tables cost O(dw + dh)).
  const geo = `${sw}x${sh}x${cn}>${dw}x${dh}`;
  let pick = pickable.get(geo);
  if (pick === undefined) {
    pick = bilinearPick(sw, sh, dw, dh) !== null;
    if (pickable.size >= 64) pickable.clear();
    pickable.set(geo, pick);
  }
  if (pick) return cached(`pick:${geo}`, () => {
    const p = bilinearPick(sw, sh, dw, dh)!;
    return gatherPlan(sw, sh, cn, p.xs, p.ys);
  });
  linearPlan(sw, sh, cn, dw, dh, false);
  return plans.get(`linear:${sw}x${sh}x${cn}>${dw}x${dh}`)!;
}

const pickable = new Map<string, boolean>();

/**
 * INTER_LINEAR's source positions when every x and y weight pair is (2048, 0), else null. Then
 * h = S·2048 >> 4 = 128·S and out = ((128·S·2048 >> 16) + 2) >> 2 = S: the resize is a pure
 * gather, done by the nearest kernel with these positions (no intermediate rows).
 */
function bilinearPick(sw: number, sh: number, dw: number, dh: number): { xs: Int32Array; ys: Int32Array } | null {
  const x = linearAxis(sw, dw, false, true);
  const y = linearAxis(sh, dh, false, false);
  for (let i = 0; i < dw; i++) if (x.w0[i] !== 2048 || x.w1[i] !== 0) return null;
  for (let i = 0; i < dh; i++) if (y.w0[i] !== 2048 || y.w1[i] !== 0) return null;
  const ys = new Int32Array(dh);
  for (let i = 0; i < dh; i++) ys[i] = Math.min(Math.max(y.ofs[i]!, 0), sh - 1);
  return { xs: x.ofs, ys };
}

/** Checks a target size and method (shared with normalize's `resize` option). */
export function resizeTarget(name: string, o: { width?: unknown; height?: unknown; method?: unknown }): { width: number; height: number; method: ResizeMethod } {
  const width = v.integer(`${name}.width`, o.width, 1, v.MAX_DIMENSION);
  const height = v.integer(`${name}.height`, o.height, 1, v.MAX_DIMENSION);
  const method = o.method === undefined ? "bilinear" : v.oneOf(`${name}.method`, o.method, RESIZE_METHODS);
  return { width, height, method };
}

/**
 * Runs the resize kernel from `src` (a packed image in WASM memory) into `dst` (WASM memory,
 * dw × dh × cn bytes). Exposed for other kernels that resize in WASM memory (normalize).
 */
export function resizeInto(src: number, sw: number, sh: number, cn: Channels, dst: number, dw: number, dh: number, method: ResizeMethod): void {
  if (sw === dw && sh === dh) {
    // OpenCV copies when the size does not change, whatever the method.
    const mem = kernels().memory.buffer;
    new Uint8Array(mem).copyWithin(dst, src, src + sw * sh * cn);
    return;
  }
  const g = lastGeo;
  if (lastPlan === null || method !== lastMethod || g[0] !== sw || g[1] !== sh || g[2] !== cn || g[3] !== dw || g[4] !== dh) {
    lastPlan = planFor(sw, sh, cn, dw, dh, method);
    lastGeo = [sw, sh, cn, dw, dh];
    lastMethod = method;
  }
  lastPlan.run(src, dst);
}

/**
 * Resizes an image (1, 3 or 4 channels) like OpenCV's `cv::resize` with INTER_NEAREST,
 * INTER_LINEAR or INTER_AREA: tested byte-identical with OpenCV 4.6 on real photographs, up- and
 * downscaling, non-integer factors. Tables are cached per geometry, so resizing every frame of a
 * stream allocates nothing after the first call (pass `out`).
 *
 * @example
 * const small = resize(frame, { width: 640, height: 360, method: "bilinear" });
 * const thumb = resize(frame, { width: 160, height: 90, method: "area", out: thumbImage });
 */
export function resize(img: Image, options: ResizeOptions): Image {
  v.image("img", img);
  if (!v.isObject(options)) v.invalidParameter("options", "an options object { width, height, method? }", options);
  const o = v.options("options", options, ["width", "height", "method", "out"]);
  const { width, height, method } = resizeTarget("options", o);
  const cn = img.channels;
  const out = imageOut("options.out", width, height, cn, o.out);
  const src = inputPointer(img, "resize.in");
  const dst = outputTarget(width * height * cn, out, "resize.out");
  if (out !== undefined && dst.ptr === src && (width !== img.width || height !== img.height)) {
    throw new EdgesegError("INVALID_ARGUMENT", "Expected options.out to be a different buffer from img but received the same memory");
  }
  resizeInto(src, img.width, img.height, cn, dst.ptr, width, height, method);
  return { width, height, channels: cn, data: dst.finish() };
}
