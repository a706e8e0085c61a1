// The live preview: the page, the MJPEG stream with overlaid frames, and the latency figures.
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { PreviewSink } from "../../src/sinks/preview.js";
import type { FrameRecord, LiveStatus } from "../../src/sinks/types.js";

describe("PreviewSink", () => {
  it("serves a page, an MJPEG stream of overlaid frames and the latency figures on localhost", async () => {
    const sink = new PreviewSink({ port: 0, fps: 100 });
    await sink.open();
    expect(sink.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await (await fetch(sink.url)).text();
    expect(page).toContain('<img id="stream" src="/stream.mjpg"');
    expect((await fetch(new URL("/nope", sink.url))).status).toBe(404);

    const controller = new AbortController();
    const response = await fetch(new URL("/stream.mjpg", sink.url), { signal: controller.signal });
    expect(response.headers.get("content-type")).toBe("multipart/x-mixed-replace; boundary=edgesegframe");
    const reader = response.body!.getReader();
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.viewers).toBe(1);

    // A gray frame with a bright square as the "defect".
    const w = 64;
    const h = 48;
    const image = { width: w, height: h, channels: 1 as const, data: new Uint8Array(w * h).fill(100) };
    const mask = { width: w, height: h, channels: 1 as const, data: new Uint8Array(w * h) };
    for (let y = 10; y < 20; y++) for (let x = 20; x < 30; x++) mask.data[y * w + x] = 255;
    const record: FrameRecord = {
      frame: 0, pts: 0, time: new Date().toISOString(), width: w, height: h, defect: true,
      regions: [{ label: 1, area: 100, x: 20, y: 10, width: 10, height: 10, cx: 24.5, cy: 14.5 }],
      latencyMs: { capture: 0, convert: 0, preprocess: 0, inference: 1, postprocess: 1, total: 2 },
    };
    sink.write(record, { image, mask });
    await sink.flush();

    let received = Buffer.alloc(0);
    while (received.indexOf(Buffer.from([0xff, 0xd9])) < 0) {
      const { value, done } = await reader.read();
      if (done) break;
      received = Buffer.concat([received, Buffer.from(value)]);
    }
    const head = received.toString("latin1", 0, 200);
    expect(head).toMatch(/^--edgesegframe\r\nContent-Type: image\/jpeg\r\nContent-Length: \d+\r\n\r\n/);
    const jpeg = received.subarray(received.indexOf(Buffer.from([0xff, 0xd8])), received.indexOf(Buffer.from([0xff, 0xd9])) + 2);
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([w, h, 3]);
    const px = (x: number, y: number) => [...data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)];
    const [r, g, b] = px(25, 15); // inside the mask: tinted red (JPEG blurs the 1-px outline)
    expect(r! - g!).toBeGreaterThan(60);
    expect(r! - b!).toBeGreaterThan(60);
    const [br, bg, bb] = px(5, 40); // background stays gray
    expect(Math.abs(br! - 100) + Math.abs(bg! - 100) + Math.abs(bb! - 100)).toBeLessThan(30);

    sink.status({ source: "synthetic:", pipeline: "classical", frames: 1, fps: 30, dropped: 2, corrupt: 0, reopens: 0, defects: 1, elapsedSeconds: 1, latency: { total: { p50: 2, p95: 3, p99: 4, max: 5 } }, sinks: [] } as LiveStatus);
    const stats = await (await fetch(new URL("/stats.json", sink.url))).json();
    expect(stats).toMatchObject({ frames: 1, dropped: 2, latency: { total: { p99: 4 } } });
    controller.abort();
    await sink.close();
    expect(sink.stats().written).toBe(1);
  });
});
