// The browser path: Chromium's fake camera (a y4m file) → getUserMedia → canvas → the browser
// bundle dist/web/edgeseg.js (which also carries the runtime modules and must still load without
// Node) → toGray → Otsu → connected components. The same frame through Node's y4m source and the
// same kernels must give the same mask, up to Chromium's own YUV→RGB rounding.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { i420ToRgb, toGray } from "../../src/kernels/color.js";
import { connectedComponents } from "../../src/kernels/components.js";
import { otsuThreshold } from "../../src/kernels/threshold.js";
import { openSource } from "../../src/sources/open.js";
import { launchChromium, ROOT, serveStatic, type StaticServer } from "../helpers/browser.js";

let tmp: string;
let server: StaticServer;
let origin: string;

const PAGE = `<!doctype html><html><body><video id="v" playsinline muted></video><script type="module">
import * as edgeseg from "/dist/web/edgeseg.js";
window.run = async (frames) => {
  await edgeseg.init("/build/edgeseg.wasm");
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 384, height: 304 } });
  const video = document.getElementById("v");
  video.srcObject = stream;
  await video.play();
  const canvas = new OffscreenCanvas(384, 304);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const out = [];
  for (let i = 0; i < frames; i++) {
    await new Promise((r) => video.requestVideoFrameCallback(r));
    ctx.drawImage(video, 0, 0, 384, 304);
    const rgba = ctx.getImageData(0, 0, 384, 304);
    const t0 = performance.now();
    const gray = edgeseg.toGray({ width: 384, height: 304, channels: 4, data: new Uint8Array(rgba.data.buffer) });
    const { threshold, mask } = edgeseg.otsuThreshold(gray);
    const { count } = edgeseg.connectedComponents(mask);
    out.push({ ms: performance.now() - t0, threshold, count, mask: i === frames - 1 ? Array.from(mask.data) : null });
  }
  stream.getTracks().forEach((t) => t.stop());
  return { simd: WebAssembly.validate(new Uint8Array([0,97,115,109,1,0,0,0,1,5,1,96,0,1,123,3,2,1,0,10,10,1,8,0,65,0,253,15,253,98,11])), frames: out };
};
</script></body></html>`;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "edgeseg-browser-"));
  // A still of real coins repeated: whichever frame Chromium delivers, it is the same picture.
  execFileSync("ffmpeg", ["-v", "error", "-y", "-loop", "1", "-i", "test/fixtures/inputs/coins.png", "-t", "1", "-r", "25", "-vf", "scale=384:304", "-pix_fmt", "yuv420p", join(tmp, "cam.y4m")]);
  // Only the bundle and the wasm are served.
  server = await serveStatic({ page: PAGE, map: (path) => (/^\/(dist\/web|build)\/[\w.-]+$/.test(path) ? join(ROOT, path) : null) });
  origin = server.origin;
});

afterAll(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("browser bundle with Chromium's fake camera", () => {
  it("segments camera frames in the page with the same masks as Node", async () => {
    const browser = await launchChromium(["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${join(tmp, "cam.y4m")}`]);
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(origin + "/");
      await page.waitForFunction(() => typeof (window as unknown as { run?: unknown }).run === "function");
      const result = (await page.evaluate("window.run(10)")) as { simd: boolean; frames: { ms: number; threshold: number; count: number; mask: number[] | null }[] };
      expect(errors).toEqual([]);
      expect(result.simd).toBe(true);
      expect(result.frames).toHaveLength(10);

      // The same frame in Node: y4m → i420ToRgb → toGray → Otsu → components.
      const source = await openSource(join(tmp, "cam.y4m"), { accept: ["i420"] });
      const frame = (await source.next())!;
      const rgb = i420ToRgb(frame);
      const { threshold, mask } = otsuThreshold(toGray(rgb));
      const { count } = connectedComponents(mask);
      await source.close();
      const last = result.frames.at(-1)!;
      expect(Math.abs(last.threshold - threshold)).toBeLessThanOrEqual(2);
      let differ = 0;
      for (let i = 0; i < mask.data.length; i++) if ((last.mask![i]! > 0) !== (mask.data[i]! > 0)) differ++;
      expect(differ / mask.data.length).toBeLessThan(0.01);
      expect(Math.abs(last.count - count)).toBeLessThanOrEqual(Math.max(3, count * 0.1));
      expect(count).toBeGreaterThan(5);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
