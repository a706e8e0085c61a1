// Same .wasm, same bits: every kernel run in headless Chromium (through the browser bundle
// dist/web/edgeseg.js) gives byte-identical results to the same calls in Node.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as edgeseg from "../../src/index.js";
import { SAME_BITS_CASES, hashBytes } from "./cases.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";
const TYPES: Record<string, string> = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".map": "application/json" };

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
    try {
      const body = await readFile(join(root, path));
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
