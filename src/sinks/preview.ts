// A live preview on localhost: a small page with the overlaid stream (MJPEG over HTTP) and the
// latency figures (polled JSON). Frames are encoded only while someone watches, at most `fps` per
// second and one at a time; a viewer whose socket is backed up skips frames (counted).
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { EdgesegError } from "../core/errors.js";
import { builtin, optionalPackage } from "../sources/node.js";
import { drawOverlay } from "./draw.js";
import type { FrameRecord, FrameView, LiveStatus, Sink, SinkStats } from "./types.js";

type Sharp = typeof import("sharp").default;

export interface PreviewSinkOptions {
  /** @default 8080; 0 picks a free port (see `url` after open) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 10 */
  fps?: number;
}

const BOUNDARY = "edgesegframe";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edgeseg preview</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#111;color:#eee;display:flex;gap:16px;padding:16px}
img{max-width:70vw;border:1px solid #333;background:#000}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right}th{text-align:left;color:#9ab}
h1{font-size:16px;margin:0 0 8px}.muted{color:#888}
</style></head><body>
<img id="stream" src="/stream.mjpg" alt="overlaid stream">
<div><h1>edgeseg</h1><div id="head" class="muted"></div>
<table id="figures"></table><h1 style="margin-top:12px">latency (ms, last window)</h1><table id="latency"></table></div>
<script>
const fmt = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
async function tick() {
  try {
    const s = await (await fetch("/stats.json", { cache: "no-store" })).json();
    if (s.frames !== undefined) {
      document.getElementById("head").textContent = s.source + " — " + s.pipeline;
      document.getElementById("figures").innerHTML = [["frames", s.frames], ["fps", s.fps.toFixed(1)], ["dropped", s.dropped], ["corrupt", s.corrupt], ["defect frames", s.defects], ["reopens", s.reopens]]
        .map(([k, v]) => "<tr><th>" + k + "</th><td>" + v + "</td></tr>").join("");
      document.getElementById("latency").innerHTML = "<tr><th>stage</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>" +
        Object.entries(s.latency).map(([k, v]) => "<tr><th>" + k + "</th><td>" + fmt(v.p50) + "</td><td>" + fmt(v.p95) + "</td><td>" + fmt(v.p99) + "</td><td>" + fmt(v.max) + "</td></tr>").join("");
    }
  } catch (e) {}
  setTimeout(tick, 1000);
}
tick();
</script></body></html>`;

export class PreviewSink implements Sink {
  readonly name: string;
  private server: Server | null = null;
  private sharp: Sharp | null = null;
  private readonly clients = new Set<ServerResponse>();
  private lastStatus: LiveStatus | null = null;
  private lastFrameAt = -Infinity;
  private encoding: Promise<void> | null = null;
  private rgb = new Uint8Array(0);
  private written = 0;
  private dropped = 0;
  private errors = 0;
  private lastError: string | undefined;
  private port = 0;

  constructor(private readonly options: PreviewSinkOptions = {}) {
    this.name = "preview";
  }

  /** The page's address (after open). */
  get url(): string {
    return `http://${this.options.host ?? "127.0.0.1"}:${this.port}/`;
  }

  async open(): Promise<void> {
    this.sharp = await optionalPackage<Sharp>("sharp", "the preview");
    const http = builtin("node:http");
    const server = http.createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) =>
        reject(new EdgesegError("IO_ERROR", e.code === "EADDRINUSE" ? `The preview port ${this.options.port ?? 8080} is in use; choose another with --preview PORT` : `Cannot start the preview server: ${e.message}`, { cause: e })),
      );
      server.listen(this.options.port ?? 8080, this.options.host ?? "127.0.0.1", () => resolve());
    });
    const addr = server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(PAGE);
    } else if (path === "/stats.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(this.lastStatus ? { ...this.lastStatus, sinks: this.lastStatus.sinks } : {}));
    } else if (path === "/stream.mjpg") {
      res.writeHead(200, { "content-type": `multipart/x-mixed-replace; boundary=${BOUNDARY}`, "cache-control": "no-store", connection: "close" });
      res.flushHeaders(); // the first frame may be a while; let the browser see the stream now
      this.clients.add(res);
      req.on("close", () => this.clients.delete(res));
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
    }
  }

  /** Number of viewers connected to the stream. */
  get viewers(): number {
    return this.clients.size;
  }

  write(record: FrameRecord, view: FrameView): void {
    if (this.clients.size === 0) return;
    const now = performance.now();
    if (now - this.lastFrameAt < 1000 / (this.options.fps ?? 10)) return;
    if (this.encoding) {
      this.dropped++;
      return;
    }
    this.lastFrameAt = now;
    const { width, height } = view.image;
    if (this.rgb.length !== width * height * 3) this.rgb = new Uint8Array(width * height * 3);
    drawOverlay(view.image, view.mask, record.regions, this.rgb);
    this.encoding = this.sharp!(this.rgb, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 70 })
      .toBuffer()
      .then((jpeg) => {
        const head = `--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`;
        for (const res of this.clients) {
          // A viewer that cannot keep up skips frames instead of buffering them.
          if (res.writableLength > 4 * jpeg.length) {
            this.dropped++;
            continue;
          }
          res.write(head);
          res.write(jpeg);
          res.write("\r\n");
        }
        this.written++;
      })
      .catch((e: Error) => {
        this.errors++;
        this.lastError = e.message;
      })
      .finally(() => {
        this.encoding = null;
      });
  }

  status(s: LiveStatus): void {
    this.lastStatus = s;
  }

  async flush(): Promise<void> {
    await this.encoding;
  }

  async close(): Promise<void> {
    await this.flush();
    for (const res of this.clients) res.end();
    this.clients.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  stats(): SinkStats {
    return { name: this.name, written: this.written, dropped: this.dropped, errors: this.errors, lastError: this.lastError, detail: { url: this.url, viewers: this.clients.size } };
  }
}
