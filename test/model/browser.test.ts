// The Segmenter in headless Chromium through the browser bundle (dist/web/edgeseg.js), which
// imports "onnxruntime-web/wasm": the page only has to serve ort-wasm-simd-threaded.wasm beside the
// bundle, as documented in src/model/README.md. Same masks as in Node.
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, ROOT, serveStatic, type StaticServer } from "../helpers/browser.js";
import { Segmenter } from "../../src/index.js";
import { randomImage } from "../helpers/random.js";

const ortDist = fileURLToPath(new URL("../../node_modules/onnxruntime-web/dist/", import.meta.url));

let server: StaticServer;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  // "Serve the ORT wasm beside the bundle": dist/web/ort-wasm-* come from onnxruntime-web/dist.
  server = await serveStatic({ map: (path) => (path.startsWith("/dist/web/ort-wasm-") ? join(ortDist, basename(path)) : join(ROOT, path)) });
  origin = server.origin;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("Segmenter in a browser", () => {
  it("loads onnxruntime-web/wasm from the bundle and gives the same mask and regions as Node", async () => {
    const img = randomImage(96, 64, 3, 17);
    const seg = await Segmenter.create({ model: fileURLToPath(new URL("../fixtures/models/box3.onnx", import.meta.url)), threads: 1, warmup: false });
    const inNode = await seg.segment(img, { copy: true });
    seg.dispose();

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${origin}/`);
    // A string, not a function: vitest rewrites import() inside test code, and the page needs the real one.
    const inBrowser = (await page.evaluate(`(async () => {
      const lib = await import(${JSON.stringify(`${origin}/dist/web/edgeseg.js`)});
      await lib.init(${JSON.stringify(`${origin}/build/edgeseg.wasm`)});
      const seg = await lib.Segmenter.create({
        model: ${JSON.stringify(`${origin}/test/fixtures/models/box3.onnx`)},
        sidecar: ${JSON.stringify(`${origin}/test/fixtures/models/box3.json`)},
        threads: 1, warmup: false,
      });
      const data = new Uint8Array(${JSON.stringify(Array.from(img.data))});
      const r = await seg.segment({ width: ${img.width}, height: ${img.height}, channels: 3, data }, { copy: true });
      seg.dispose();
      return { mask: Array.from(r.mask.data), regions: r.regions.map((g) => [g.area, g.x, g.y, g.maxConfidence]), backend: seg.backend };
    })()`)) as { mask: number[]; regions: number[][]; backend: string };
    await page.close();
    expect(errors).toEqual([]);
    expect(inBrowser.backend).toBe("wasm");
    let diff = 0;
    for (let i = 0; i < inBrowser.mask.length; i++) if (inBrowser.mask[i] !== inNode.mask.data[i]) diff++;
    expect(inBrowser.mask.length).toBe(96 * 64);
    expect(diff).toBe(0);
    expect(inBrowser.regions).toEqual(inNode.regions.map((g) => [g.area, g.x, g.y, g.maxConfidence]));
  });
});
