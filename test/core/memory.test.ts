import { describe, expect, it } from "vitest";
import { addressOf, refreshView, WasmBuffer } from "../../src/core/memory.js";
import { allocImage, EdgesegError, init, memoryStats, threshold } from "../../src/index.js";
import { expectSameArray } from "../helpers/compare.js";
import { randomImage } from "../helpers/random.js";

describe("WASM memory", () => {
  it("init() is idempotent and kernels work after it", async () => {
    await init();
    await init();
    const m = threshold({ width: 3, height: 1, channels: 1, data: Uint8Array.from([1, 200, 3]) }, { value: 100 });
    expect(Array.from(m.data)).toEqual([0, 255, 0]);
  });

  it("reuses freed blocks and coalesces neighbours", () => {
    const a = new WasmBuffer(1000);
    const b = new WasmBuffer(1000);
    const c = new WasmBuffer(1000);
    const before = memoryStats();
    a.dispose();
    b.dispose();
    const d = new WasmBuffer(2000); // fits in the coalesced a+b hole
    expect(d.ptr).toBe(a.ptr);
    expect(memoryStats().memoryBytes).toBe(before.memoryBytes);
    c.dispose();
    d.dispose();
  });

  it("a disposed buffer refuses to give views", () => {
    const a = new WasmBuffer(64);
    a.dispose();
    expect(() => a.u8).toThrow(EdgesegError);
    expect(() => a.u8).toThrow(/disposed/);
  });

  it("views taken before memory growth still address the right buffer", () => {
    const out = allocImage(64, 32, 1);
    const staleView = out.data; // detached once memory grows
    const big = randomImage(4096, 4096, 1, 3); // staging this grows memory
    const grewFrom = memoryStats().memoryBytes;
    const small = { width: 64, height: 32, channels: 1 as const, data: big.data.subarray(0, 64 * 32) };
    threshold(big, { value: 10 }); // forces scratch growth
    expect(memoryStats().memoryBytes).toBeGreaterThan(grewFrom);
    expect(staleView.length).toBe(0); // detached, as the platform does
    expect(addressOf(staleView)).toBe(out.ptr);
    const mask = threshold(small, { value: 100, out: { width: 64, height: 32, channels: 1, data: staleView } });
    expect(mask.data.length).toBe(64 * 32);
    expectSameArray(mask.data, small.data.map((v) => (v > 100 ? 255 : 0)), "mask");
    expectSameArray(refreshView(staleView), mask.data, "refreshed view");
    out.dispose();
  });

  it("steady-state kernel calls allocate nothing", () => {
    const img = randomImage(640, 480, 1, 1);
    const out = allocImage(640, 480, 1);
    threshold(img, { value: 50, out });
    const before = memoryStats();
    for (let i = 0; i < 50; i++) threshold(img, { value: 50, out });
    expect(memoryStats()).toEqual(before);
    out.dispose();
  });
});
