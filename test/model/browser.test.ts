// The Segmenter in headless Chromium through the browser bundle (dist/web/edgeseg.js), which
// imports "onnxruntime-web/wasm": the page only has to serve ort-wasm-simd-threaded.wasm beside the
// bundle, as documented in src/model/README.md. Same masks as in Node.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { basename, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Segmenter } from "../../src/index.js";
import { randomImage } from "../helpers/random.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const ortDist = fileURLToPath(new URL("../../node_modules/onnxruntime-web/dist/", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";
const TYPES: Record<string, string> = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".onnx": "application/octet-stream" };

let server: Server;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error("Chromium is missing: apt-get install chromium (CI installs it)");
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>edgeseg</title>");
      return;
    }
    // "Serve the ORT wasm beside the bundle": dist/web/ort-wasm-* come from onnxruntime-web/dist.
    const file = path.startsWith("/dist/web/ort-wasm-") ? join(ortDist, basename(path)) : join(root, path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
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
