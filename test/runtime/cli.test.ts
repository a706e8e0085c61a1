// `edgeseg run` and `edgeseg info` as a user runs them: a child process of bin/edgeseg.js.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "edgeseg-cli-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function edgeseg(args: string[], opts: { env?: Record<string, string>; onSpawn?: (p: ChildProcess) => void } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/edgeseg.js", ...args], { env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    opts.onSpawn?.(child);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Asserts a failure with exactly one line on stderr matching `pattern`. */
function expectOneLine(r: Result, code: number, pattern: RegExp): void {
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.code).toBe(code);
}

function config(name: string, value: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
  return path;
}

describe("edgeseg CLI", () => {
  it("prints help for the program and each command", async () => {
    const top = await edgeseg(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/run\s+segment a camera/);
    expect(top.stdout).toMatch(/info\s+what this machine supports/);
    const run = await edgeseg(["run", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: edgeseg run [SOURCE] [options]");
    expect(run.stdout).toContain("v4l2:///dev/videoN");
    expect((await edgeseg(["info", "--help"])).stdout).toContain("Usage: edgeseg info [--json]");
  });

  it("info --json reports SIMD, tools, cameras and backends", async () => {
    const r = await edgeseg(["info", "--json"]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.wasm).toMatchObject({ simd: true, kernelsBuilt: true });
    expect(info.tools.ffmpeg).toMatch(/^ffmpeg version/);
    expect(Array.isArray(info.cameras)).toBe(true);
    expect(info.cpu.cores).toBeGreaterThan(0);
    expect(info.backends.wasm).toMatchObject({ available: true, version: expect.stringMatching(/^\d+\.\d+/) });
    expect(info.backends).toHaveProperty("native.available");
  });

  it("runs vtest.avi through the classical pipeline and prints a JSON summary", async () => {
    const jsonl = join(tmp, "vtest.jsonl");
    const r = await edgeseg(["run", `file:${VTEST}`, "--threshold", "60", "--invert", "--min-area", "30", "--size", "384x288", "-n", "120", "--jsonl", jsonl, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ endedBy: "max-frames", frames: 120, dropped: 0, failed: 0 });
    expect(summary.stages.total.p99).toBeGreaterThan(0);
    expect(summary.sinks[0]).toMatchObject({ written: 120, dropped: 0 });
    const lines = readFileSync(jsonl, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(120);
    expect(lines.every((rec) => rec.regions.every((g: { area: number }) => g.area >= 30))).toBe(true);
  });

  it("stops cleanly on SIGINT: records flushed, summary printed, exit code 130", async () => {
    const jsonl = join(tmp, "sigint.jsonl");
    let child: ChildProcess | undefined;
    const running = edgeseg(["run", "synthetic:?width=160&height=120&fps=50", "--threshold", "60", "--invert", "--jsonl", jsonl, "--json"], { onSpawn: (p) => (child = p) });
    await new Promise((r) => setTimeout(r, 1500));
    child!.kill("SIGINT");
    const r = await running;
    expect(r.code).toBe(130);
    const summary = JSON.parse(r.stdout);
    expect(summary.endedBy).toBe("signal");
    expect(summary.frames).toBeGreaterThan(10);
    const lines = readFileSync(jsonl, "utf8").split("\n").filter(Boolean);
    expect(lines).toHaveLength(summary.frames);
    for (const l of lines) JSON.parse(l); // no torn last line
  });

  it("keeps going (and says so) when the reader of --jsonl - goes away", async () => {
    const r = await edgeseg(["run", "synthetic:?frames=3000&realtime=0&width=160&height=120", "--threshold", "60", "--jsonl", "-"], {
      onSpawn: (p) => p.stdout!.once("data", () => p.stdout!.destroy()),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/edgeseg run: end of input/);
    expect(r.stderr).toMatch(/sink jsonl:stdout: \d+ written, [1-9]\d* dropped, 1 errors \(EPIPE/);
  });

  it("rejects bad input with one clear line and a non-zero exit", async () => {
    expectOneLine(await edgeseg(["run", "ftp://camera.local/stream"]), 2, /Unknown source URI scheme "ftp:"/);
    expectOneLine(await edgeseg(["run", "/nonexistent/clip.mp4", "--threshold", "60"]), 3, /No such video file: \/nonexistent\/clip\.mp4/);
    expectOneLine(await edgeseg(["run", "synthetic:", "--colour", "red"]), 2, /Unknown option --colour for edgeseg run/);
    expectOneLine(await edgeseg(["run", "synthetic:", "--threshold", "bright"]), 2, /Expected a number 0-255, otsu or adaptive for --threshold but received "bright"/);
    expectOneLine(await edgeseg(["run", "--config", "/nonexistent.json"]), 2, /Cannot read the config file \/nonexistent\.json: ENOENT/);
    expectOneLine(await edgeseg(["run", "--config", config("broken.json", "{ source: ")]), 2, /broken\.json is not valid JSON/);
    expectOneLine(
      await edgeseg(["run", "--config", config("key.json", { source: "synthetic:", pipeline: { kind: "classical", threshold: 50, colour: 1 } })]),
      2,
      /key\.json: Unknown option "colour" in pipeline; expected one of/,
    );
    expectOneLine(
      await edgeseg(["run", "--config", config("value.json", { source: "synthetic:", pipeline: { kind: "model", threads: 0 } })]),
      2,
      /value\.json: Expected an integer between 1 and 64 for pipeline\.threads but received 0 of type number/,
    );
    expectOneLine(
      await edgeseg(["run", "--config", config("kind.json", { source: "synthetic:", pipeline: { kind: "classical", threshold: 50, model: "m.onnx" } })]),
      2,
      /pipeline\.model applies to a model pipeline, not to "classical"/,
    );
    expectOneLine(await edgeseg(["run", "synthetic:", "--pipeline", "model", "--model", "/nonexistent/model.onnx"]), 3, /no such model file: \/nonexistent\/model\.onnx/);
    expectOneLine(await edgeseg(["run", `file:${VTEST}`, "--threshold", "60"], { env: { EDGESEG_FFMPEG: "/nonexistent/ffmpeg" } }), 3, /ffmpeg is needed .*apt-get install ffmpeg/);
    expectOneLine(await edgeseg(["bogus"]).then((r) => ({ ...r, stderr: r.stderr.split("\n")[0]! })), 2, /unknown command "bogus"/);
  });
});
