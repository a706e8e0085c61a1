// Frame sources against real footage (Debian's opencv-doc sample videos) and ffmpeg's own output.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EdgesegError } from "../../src/core/errors.js";
import { FfmpegSource } from "../../src/sources/ffmpeg.js";
import { openSource, parseSourceUri } from "../../src/sources/open.js";
import { resetToolCache } from "../../src/sources/tools.js";
import type { Frame, FrameSource } from "../../src/sources/types.js";
import { validateWebcamOptions } from "../../src/sources/webcam.js";
import { parseY4mHeader } from "../../src/sources/y4m.js";
import { expectSameArray } from "../helpers/compare.js";

const DATA = "/usr/share/doc/opencv-doc/examples/data";
const VTEST = `${DATA}/vtest.avi`;
const BUGY = `${DATA}/Megamind_bugy.avi`;
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "edgeseg-sources-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function drain(source: FrameSource, onFrame?: (f: Frame, i: number) => void | Promise<void>): Promise<number> {
  let n = 0;
  for await (const frame of source) {
    await onFrame?.(frame, n);
    n++;
  }
  return n;
}

function ffmpegRaw(args: string[]): Buffer {
  return execFileSync("ffmpeg", ["-v", "error", "-nostdin", ...args, "-f", "rawvideo", "pipe:1"], { maxBuffer: 1 << 30 });
}

describe("parseSourceUri", () => {
  it("maps every scheme to its source", () => {
    expect(parseSourceUri("v4l2:///dev/video0").input).toEqual({ kind: "v4l2", target: "/dev/video0" });
    expect(parseSourceUri("camera:2").input).toMatchObject({ kind: "v4l2", target: "/dev/video2" });
    expect(parseSourceUri("rtsp://127.0.0.1:8554/cam").input).toEqual({ kind: "rtsp", target: "rtsp://127.0.0.1:8554/cam" });
    expect(parseSourceUri("https://example.invalid/a.mjpg").input?.kind).toBe("http");
    expect(parseSourceUri("file:///tmp/x.mp4").input).toEqual({ kind: "file", target: "/tmp/x.mp4" });
    expect(parseSourceUri("clip.mkv").input).toEqual({ kind: "file", target: "clip.mkv" });
    expect(parseSourceUri("file:a.y4m").kind).toBe("y4m");
    expect(parseSourceUri("frames/*.png").kind).toBe("images");
    expect(parseSourceUri("test/fixtures/inputs").kind).toBe("images");
    expect(parseSourceUri("synthetic:?width=64").params).toEqual({ width: "64" });
    expect(parseSourceUri("webcam:TEST:?quality=50")).toMatchObject({ kind: "webcam", path: "TEST:", params: { quality: "50" } });
    expect(parseSourceUri("lavfi:testsrc2").input).toEqual({ kind: "lavfi", target: "testsrc2" });
  });

  it("rejects unknown schemes and malformed devices, naming them", () => {
    expect(() => parseSourceUri("ftp://host/x.bin")).toThrow(/Unknown source URI scheme "ftp:"/);
    expect(() => parseSourceUri("v4l2://dev/video0")).toThrow(/Expected v4l2:\/\/\/dev\/videoN/);
    expect(() => parseSourceUri("camera:front")).toThrow(/Expected camera:N/);
    expect(() => parseSourceUri("")).toThrow(/Expected a source URI/);
  });
});

describe("ffmpeg sources", () => {
  it("reads every frame of vtest.avi, identical to ffmpeg's own decode", async () => {
    const expected = ffmpegRaw(["-i", VTEST, "-frames:v", "40", "-vf", "scale=384:288", "-pix_fmt", "gray"]);
    const source = await openSource(`file:${VTEST}`, { format: "gray", width: 384, height: 288, maxFrames: 40 });
    expect([source.width, source.height, source.live]).toEqual([384, 288, false]);
    expect(source.fps).toBe(10);
    const n = await drain(source, (f, i) => {
      expect(f.seq).toBe(i);
      expectSameArray(f.data, expected.subarray(i * 384 * 288, (i + 1) * 384 * 288), `frame ${i}`, 384);
    });
    expect(n).toBe(40);
    expect(source.stats()).toEqual({ delivered: 40, dropped: 0, corrupt: 0, reopens: 0 });
    await source.close();
  });

  it("runs Megamind_bugy.avi to the end, and counts the damaged frames of a corrupted copy", async () => {
    const bugy = await openSource(`file:${BUGY}`, { format: "gray", width: 180, height: 132 });
    expect(await drain(bugy)).toBe(270);
    expect(bugy.stats().corrupt).toBe(0); // ffmpeg decodes this file's packed B-frames cleanly
    await bugy.close();

    // Overwrite 200-byte runs inside the video data: the decoder conceals and reports the frames.
    const damaged = join(tmp, "damaged.avi");
    copyFileSync(BUGY, damaged);
    const bytes = readFileSync(damaged);
    let seed = 7;
    for (let off = 100_000; off < 800_000; off += 40_000) for (let i = 0; i < 200; i++) bytes[off + i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    writeFileSync(damaged, bytes);
    const source = await openSource(`file:${damaged}`, { format: "gray", width: 180, height: 132 });
    const n = await drain(source);
    expect(n).toBeGreaterThan(250);
    expect(source.stats().corrupt).toBeGreaterThan(5);
    await source.close();
  });

  it("reopens a source whose ffmpeg dies mid-stream and resumes where it stopped", async () => {
    const source = (await openSource(`file:${VTEST}`, { format: "gray", width: 192, height: 144, retry: 2, retryDelayMs: 50 })) as FfmpegSource;
    const events: string[] = [];
    source.onEvent = (e) => events.push(e.message);
    let killed = false;
    const pts: number[] = [];
    const n = await drain(source, (f, i) => {
      pts.push(f.pts);
      if (i === 100 && !killed) {
        killed = true;
        process.kill(source.pid!, "SIGKILL");
      }
    });
    expect(killed).toBe(true);
    expect(source.stats().reopens).toBe(1);
    expect(events.some((m) => /reopening in 50 ms \(attempt 1 of 2\)/.test(m))).toBe(true);
    // Resumed near where it died (frames in flight at the kill may be read again or lost), not from 0.
    expect(n).toBeGreaterThan(780);
    expect(n).toBeLessThan(810);
    expect(Math.max(...pts)).toBeGreaterThan(78);
    await source.close();
  });

  it("reads an http:// stream, and reopens it with backoff when the connection drops", async () => {
    const clip = join(tmp, "stream.ts");
    execFileSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-frames:v", "50", "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-f", "mpegts", clip]);
    const bytes = readFileSync(clip);
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { "content-type": "video/mp2t" });
      // The first connection breaks after about 40% of the stream; the second one is whole.
      if (requests === 1) res.write(bytes.subarray(0, Math.floor(bytes.length * 0.4)), () => res.destroy());
      else if (requests === 2) res.end(bytes);
      else res.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as { port: number }).port;
    try {
      const source = await openSource(`http://127.0.0.1:${port}/cam.ts`, { format: "gray", width: 160, height: 120, fps: 25, retry: 1, retryDelayMs: 20, mode: "every" });
      expect(source.live).toBe(true);
      const events: string[] = [];
      source.onEvent = (e) => events.push(e.message);
      const n = await drain(source).catch((e: Error) => {
        events.push(`ended: ${e.message}`);
        return source.stats().delivered;
      });
      expect(requests).toBeGreaterThanOrEqual(2);
      expect(events.some((m) => /stopped .*reopening in 20 ms \(attempt 1 of 1\)/.test(m))).toBe(true);
      expect(source.stats().reopens).toBeGreaterThanOrEqual(1);
      expect(n).toBeGreaterThan(50); // part of the stream, then all of it again
      await source.close();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("gives up after --retry failed reopen attempts, with the reason", async () => {
    const copy = join(tmp, "vanishing.avi");
    copyFileSync(VTEST, copy);
    const source = (await openSource(`file:${copy}`, { format: "gray", width: 96, height: 72, retry: 1, retryDelayMs: 10 })) as FfmpegSource;
    const run = drain(source, (_f, i) => {
      if (i === 5) {
        rmSync(copy); // the reopen will fail too
        process.kill(source.pid!, "SIGKILL");
      }
    });
    await expect(run).rejects.toThrow(/vanishing.avi: No such file or directory \(gave up after 1 reopen attempt\)/);
    expect(source.stats().reopens).toBe(1);
    await source.close();
  });

  it("latest-frame-wins drops stale frames when the consumer is slow; every-frame mode never drops", async () => {
    const live = await openSource("lavfi:testsrc2=size=160x120:rate=100", { format: "gray", realtime: true, mode: "latest", maxFrames: 8 });
    expect(live.live).toBe(true);
    // A synchronous 60 ms "inference": the capture thread keeps reading meanwhile, so the frames
    // that arrive are replaced by newer ones (dropped) rather than queued in the pipe.
    const ages: number[] = [];
    await drain(live, (f) => {
      ages.push(performance.now() - f.readAt);
      const t = performance.now();
      while (performance.now() - t < 60);
    });
    expect(live.stats().dropped).toBeGreaterThan(15);
    // Each frame taken is fresh: read at most about one frame interval (10 ms) before the loop took it.
    expect(Math.max(...ages.slice(1))).toBeLessThan(35);
    await live.close();

    const every = await openSource("lavfi:testsrc2=size=160x120:rate=100", { format: "gray", realtime: true, mode: "every", maxFrames: 8 });
    const seqs: number[] = [];
    await drain(every, async (f) => {
      seqs.push(f.seq);
      await new Promise((r) => setTimeout(r, 30));
    });
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(every.stats().dropped).toBe(0);
    await every.close();
  });

  it("says how to install ffmpeg when it is missing, and names missing files", async () => {
    process.env.EDGESEG_FFMPEG = "/nonexistent/ffmpeg";
    resetToolCache();
    try {
      await expect(openSource(`file:${VTEST}`)).rejects.toThrow(/ffmpeg is needed .* not found on PATH: install it with `apt-get install ffmpeg`/);
    } finally {
      delete process.env.EDGESEG_FFMPEG;
      resetToolCache();
    }
    await expect(openSource("file:/nonexistent/clip.mp4")).rejects.toThrow("No such video file: /nonexistent/clip.mp4");
    await expect(openSource("v4l2:///dev/video99")).rejects.toThrow(/Cannot open camera \/dev\/video99: no such device/);
    const notVideo = join(tmp, "notvideo.mp4");
    writeFileSync(notVideo, "this is not a video");
    await expect(openSource(`file:${notVideo}`)).rejects.toThrow(/notvideo.mp4 has no video stream ffmpeg can decode/);
  });
});

describe("y4m, image folders, synthetic", () => {
  it("reads .y4m directly: gray is the Y plane, i420 the whole frame", async () => {
    const path = join(tmp, "clip.y4m");
    execFileSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=322x242:rate=25", "-t", "0.6", "-pix_fmt", "yuv420p", path]);
    const file = readFileSync(path);
    const header = parseY4mHeader(file, path);
    expect(header).toMatchObject({ width: 322, height: 242, fps: 25, colorspace: "420" });
    const ySize = 322 * 242;
    const frameSize = ySize + 2 * 161 * 121;
    const gray = await openSource(path, { format: "gray" });
    const n = await drain(gray, (f, i) => {
      const start = header.headerBytes + i * (6 + frameSize) + 6;
      expectSameArray(f.data, file.subarray(start, start + ySize), `y4m frame ${i}`, 322);
    });
    expect(n).toBe(15);
    await gray.close();
    const yuv = await openSource(path, { accept: ["i420", "rgb"] });
    expect(yuv.format).toBe("i420");
    const first = await yuv.next();
    expectSameArray(first!.data, file.subarray(header.headerBytes + 6, header.headerBytes + 6 + frameSize), "i420 frame 0");
    await yuv.close();

    writeFileSync(join(tmp, "bad.y4m"), "YUV4MPEG2 W10 H10 C444\nFRAME\n");
    await expect(openSource(join(tmp, "bad.y4m"))).rejects.toThrow(/colorspace C444 is not supported/);
    writeFileSync(join(tmp, "short.y4m"), Buffer.concat([file.subarray(0, header.headerBytes + 6 + frameSize + 100)]));
    const short = await openSource(join(tmp, "short.y4m"));
    expect(await drain(short)).toBe(1);
    expect(short.stats().corrupt).toBe(1);
    await short.close();
  });

  it("--loop starts a file again at its end (ffmpeg and y4m), without it a file ends cleanly", async () => {
    const clip = join(tmp, "short.mp4");
    execFileSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-frames:v", "10", "-pix_fmt", "yuv420p", clip]);
    const once = await openSource(clip, { format: "gray" });
    expect(await drain(once)).toBe(10);
    await once.close();
    const looped = await openSource(clip, { format: "gray", loop: true, maxFrames: 35 });
    const firsts: Uint8Array[] = [];
    const n = await drain(looped, (f, i) => {
      if (i % 10 === 0) firsts.push(f.data.slice());
    });
    expect(n).toBe(35);
    expectSameArray(firsts[3]!, firsts[0]!, "frame 30 = frame 0 after looping", 96);
    await looped.close();

    const y4m = join(tmp, "loop.y4m");
    execFileSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-frames:v", "7", "-pix_fmt", "yuv420p", y4m]);
    const y = await openSource(y4m, { loop: true, maxFrames: 20 });
    const seen: number[] = [];
    await drain(y, (f) => void seen.push(f.data[1000]!));
    expect(seen).toHaveLength(20);
    expect(seen[14]).toBe(seen[0]);
    await y.close();
  });

  it("decodes an image folder with sharp, in natural order, skipping undecodable files", async () => {
    const dir = join(tmp, "images");
    execFileSync("mkdir", ["-p", dir]);
    for (const [i, name] of ["coins.png", "camera.png", "sudoku.png"].entries()) copyFileSync(`test/fixtures/inputs/${name}`, join(dir, `f${i * 5 + 2}.png`));
    writeFileSync(join(dir, "f3.png"), "not a png");
    const source = await openSource(dir, { format: "gray", width: 100, height: 80 });
    const seen: number[] = [];
    await drain(source, (f) => void seen.push(f.data[0]!));
    expect(seen.length).toBe(3);
    expect(source.stats().corrupt).toBe(1);
    const expected = await sharp(join(dir, "f7.png")).resize(100, 80, { fit: "fill" }).grayscale().raw().toBuffer();
    expect(seen[1]).toBe(expected[0]);
    await source.close();
    await expect(openSource(join(tmp, "nothing", "*.png"))).rejects.toThrow(/No such image folder/);
  });

  it("synthetic: is deterministic and paced like a camera", async () => {
    const a = await openSource("synthetic:?width=96&height=64&frames=5&seed=3&realtime=0");
    const b = await openSource("synthetic:?width=96&height=64&frames=5&seed=3&realtime=0");
    const fa: Uint8Array[] = [];
    await drain(a, (f) => void fa.push(f.data.slice()));
    await drain(b, (f, i) => expectSameArray(f.data, fa[i]!, `synthetic frame ${i}`, 96));
    expect(fa.length).toBe(5);
    await a.close();
    await b.close();
    const paced = await openSource("synthetic:?width=32&height=32&fps=50&frames=10");
    const t0 = performance.now();
    await drain(paced);
    expect(performance.now() - t0).toBeGreaterThan(150);
    await paced.close();
    await expect(openSource("synthetic:?colour=red")).rejects.toThrow(/Unknown parameter "colour"/);
  });
});

describe("webcam: (node-webcam + fswebcam stills)", () => {
  it("takes stills from fswebcam's TEST: device", async () => {
    const source = await openSource("webcam:TEST:?width=320&height=240&interval=0&quality=80", { format: "gray", maxFrames: 3 });
    const n = await drain(source, (f) => {
      expect([f.width, f.height, f.format]).toEqual([320, 240, "gray"]);
      // fswebcam's test pattern is colour bars, not a flat image.
      let min = 255;
      let max = 0;
      for (const v of f.data) (min = Math.min(min, v)), (max = Math.max(max, v));
      expect(max - min).toBeGreaterThan(100);
    });
    expect(n).toBeGreaterThan(0);
    await source.close();
  }, 20_000);

  it("rejects anything that could reach node-webcam's shell command", () => {
    for (const device of ["/dev/video0; rm -rf /", "$(reboot)", "/dev/video0 && echo", "TEST: ", "../../etc/passwd", "/dev/video0\n"]) {
      expect(() => validateWebcamOptions({ device })).toThrow(EdgesegError);
    }
    expect(() => validateWebcamOptions({ quality: 100 })).toThrow("Expected an integer between 0 and 95 for webcam quality but received 100 of type number");
    expect(() => validateWebcamOptions({ width: "640; id" as unknown as number })).toThrow(/webcam width/);
    expect(() => validateWebcamOptions({ title: "x; echo pwned" } as never)).toThrow(/Unknown option "title"/);
    expect(validateWebcamOptions({ device: "/dev/video3", quality: 0 })).toMatchObject({ device: "/dev/video3", quality: 0, width: 640 });
  });
});
