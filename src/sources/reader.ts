// The capture thread of ffmpeg sources. A worker thread owns the ffmpeg child and reads its stdout
// into frame slots in a SharedArrayBuffer, whatever the main thread is doing: while the model runs,
// frames keep arriving, and in latest-frame-wins mode a newer frame replaces an untaken one (counted
// as dropped) instead of backing up in the pipe. The main thread copies the newest slot once into
// its WASM frame buffer.
//
// Hand-over without locks, with SLOTS = 3 (one being written, one ready, one the main thread took):
//   worker, frame complete in slot W: prev = exchange(READY, W); next write slot = prev if prev was
//     never taken (a drop), else the slot that is neither W nor the one published before (the main
//     thread holds that one).
//   main, take: s = exchange(READY, -1); notify. In "every" mode the worker waits while READY is
//     occupied instead of replacing it, and stops reading the pipe meanwhile (ffmpeg then blocks).
//
// The worker's code is a string evaluated by `new Worker(code, { eval: true })`, so it runs the
// same from src/ under tsx/vitest and from dist/ without a separate build step.

/** Indices into the control Int32Array. */
export const CTRL = { READY: 0, DROPPED: 1, CORRUPT: 2, LENGTH: 4 } as const;
/** Float64 fields per slot in the meta array: seq, epoch ms when the last byte was read, index within the current child. */
export const META = { SEQ: 0, EPOCH: 1, INDEX: 2, LENGTH: 3 } as const;
export const SLOTS = 3;

/** Messages from the capture thread. */
export type ReaderMessage =
  | { type: "spawned"; pid: number }
  | { type: "first" }
  | { type: "debug"; state: Record<string, unknown> }
  | { type: "exit"; code: number | null; signal: string | null; partial: boolean; stderr: string[]; frames: number };

export const READER_SOURCE = String.raw`
const { parentPort, workerData } = require("node:worker_threads");
const { spawn } = require("node:child_process");
const { ctrlBuffer, metaBuffer, dataBuffer, bytes, slots, mode, ffmpeg } = workerData;
const ctrl = new Int32Array(ctrlBuffer);
const meta = new Float64Array(metaBuffer);
const data = new Uint8Array(dataBuffer);
const READY = 0, DROPPED = 1, CORRUPT = 2, M = 3;
let child = null, write = 0, last = -1, filled = 0, seq = 0, index = 0, first = true;
let pending = null, waiting = false, queued = [], tail = [], partialLine = "";

function other(a, b) { for (let i = 0; i < slots; i++) if (i !== a && i !== b) return i; return 0; }

function publish() {
  const w = write;
  meta[w * M] = seq++;
  meta[w * M + 1] = performance.timeOrigin + performance.now();
  meta[w * M + 2] = index++;
  const prev = Atomics.exchange(ctrl, READY, w);
  if (prev !== -1) { Atomics.add(ctrl, DROPPED, 1); write = prev; } else write = other(w, last);
  last = w;
  filled = 0;
  Atomics.notify(ctrl, READY);
  if (first) { first = false; parentPort.postMessage({ type: "first" }); }
}

function consume(chunk, offset) {
  while (offset < chunk.length) {
    const n = Math.min(chunk.length - offset, bytes - filled);
    data.set(chunk.subarray(offset, offset + n), write * bytes + filled);
    filled += n;
    offset += n;
    if (filled === bytes) {
      if (mode === "every" && Atomics.load(ctrl, READY) !== -1) {
        // The loop has not taken the last frame: wait for it instead of dropping.
        pending = { chunk, offset };
        waiting = true;
        child && child.stdout.pause();
        waitForTake();
        return;
      }
      publish();
    }
  }
}

function waitForTake() {
  const v = Atomics.load(ctrl, READY);
  // Wait only while that very slot is still ready; if the loop took it already, go on now.
  const r = v === -1 ? { async: false } : Atomics.waitAsync(ctrl, READY, v);
  const again = () => {
    if (Atomics.load(ctrl, READY) !== -1) { waitForTake(); return; }
    waiting = false;
    publish();
    const p = pending;
    pending = null;
    if (p) consume(p.chunk, p.offset);
    while (!waiting && queued.length) consume(queued.shift(), 0);
    if (!waiting && child) child.stdout.resume();
  };
  if (r.async) r.value.then(again); else again();
}

function start(args) {
  filled = 0; index = 0; pending = null; waiting = false; queued = []; tail = []; partialLine = "";
  const c = spawn(ffmpeg, args, { stdio: ["ignore", "pipe", "pipe"] });
  child = c;
  c.on("error", (e) => tail.push(e.message));
  if (c.pid) parentPort.postMessage({ type: "spawned", pid: c.pid });
  c.stdout.on("data", (chunk) => { if (waiting) queued.push(chunk); else consume(chunk, 0); });
  c.stderr.setEncoding("utf8");
  c.stderr.on("data", (text) => {
    const lines = (partialLine + text).split("\n");
    partialLine = lines.pop() || "";
    for (const raw of lines) {
      const line = raw.trim();
      if (!line) continue;
      // ffmpeg conceals damaged macroblocks and still outputs the frame; it says so with this line.
      if (line.includes("corrupt decoded frame")) { Atomics.add(ctrl, CORRUPT, 1); continue; }
      tail.push(line);
      if (tail.length > 8) tail.shift();
    }
  });
  c.on("close", (code, signal) => {
    if (child === c) child = null;
    const partial = filled > 0 && filled < bytes;
    filled = 0;
    parentPort.postMessage({ type: "exit", code, signal, partial, stderr: tail, frames: index });
  });
}

parentPort.on("message", (m) => {
  if (m.type === "spawn") start(m.args);
  else if (m.type === "debug") parentPort.postMessage({ type: "debug", state: { write, last, filled, seq, index, waiting, pending: !!pending, child: !!child, ready: Atomics.load(ctrl, READY), paused: child ? child.stdout.isPaused() : null } });
  else if (m.type === "kill") {
    if (child) { waiting = false; pending = null; queued = []; child.stdout.resume(); child.kill(m.signal); }
    else parentPort.postMessage({ type: "exit", code: null, signal: null, partial: false, stderr: [], frames: 0 });
  }
});
`;
