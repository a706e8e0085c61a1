// Same .wasm, same bits: every kernel run in headless Chromium (through the browser bundle
// dist/web/edgeseg.js) gives byte-identical results to the same calls in Node.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium, serveStatic, type StaticServer } from "../helpers/browser.js";
import * as edgeseg from "../../src/index.js";
import { SAME_BITS_CASES, hashBytes } from "./cases.js";

let server: StaticServer;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  server = await serveStatic();
  origin = server.origin;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("same bits in Node and Chromium", () => {
  it("every case hashes identically", async () => {
    const inNode = Object.fromEntries(SAME_BITS_CASES.map((c) => [c.name, hashBytes(c.run(edgeseg))]));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${origin}/`);
    // A string, not a function: vitest rewrites import() inside test code, and the page needs the real one.
    const inBrowser = (await page.evaluate(`(async () => {
      const lib = await import(${JSON.stringify(`${origin}/dist/web/edgeseg.js`)});
      await lib.init(${JSON.stringify(`${origin}/build/edgeseg.wasm`)});
      // The bundled copy of cases.ts: the same cases and the same hashBytes as in Node.
      const { SAME_BITS_CASES: cases, hashBytes: hash } = await import(${JSON.stringify(`${origin}/dist/test-browser/cases.js`)});
      const out = { __simd: String(lib.hasSimd()) };
      for (const c of cases) out[c.name] = hash(c.run(lib));
      return out;
    })()`)) as Record<string, string>;
    expect(errors).toEqual([]);
    expect(inBrowser.__simd).toBe("true");
    delete inBrowser.__simd;
    expect(Object.keys(inNode).length).toBeGreaterThanOrEqual(SAME_BITS_CASES.length);
    expect(inBrowser).toEqual(inNode);
    await page.close();
  });
});
