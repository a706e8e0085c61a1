// Headless Chromium for browser tests: a static file server on loopback and one launch recipe.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** Package root: tests serve dist/web/ and build/ from here. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const TYPES: Record<string, string> = {
  ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html",
  ".json": "application/json", ".map": "application/json", ".onnx": "application/octet-stream",
};

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves files under `root` on a free loopback port. `/` answers with `page` (a blank page by
 * default); `map` may redirect a request path to another file (or refuse it with null).
 */
export async function serveStatic(options: { root?: string; page?: string; map?: (path: string) => string | null } = {}): Promise<StaticServer> {
  const root = options.root ?? ROOT;
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end(options.page ?? "<!doctype html><title>edgeseg</title>");
      return;
    }
    const file = options.map ? options.map(path) : join(root, path);
    try {
      if (file === null) throw new Error("not served");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    origin: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Launches Debian's Chromium headless, without the background traffic this closed network refuses. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error("Chromium is missing: apt-get install chromium (CI installs it)");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", ...extraArgs],
  });
}
