// `edgeseg bench` end to end with the bundled model: the table, the JSON and the HTML report, and the comparison mode.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const bin = new URL("../../bin/edgeseg.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "edgeseg-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, CI: "true" }, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("edgeseg bench", () => {
  it("times the model pipeline per stage and writes JSON and HTML", async () => {
    const out = join(dir, "a");
    const r = await cli(["bench", "--frames", "4", "--warmup", "1", "--threads", "1", "--size", "320x240", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/int8 wasm t1 320x240 \| total \|/);
    expect(r.stdout).toMatch(/int8 wasm t1 320x240 \| inference \|/);
    const json = JSON.parse(readFileSync(join(out, "bench.json"), "utf8"));
    expect(json.device.cores).toBeGreaterThan(0);
    expect(json.device.versions["onnxruntime-web"]).toMatch(/^\d+\.\d+\.\d+$/);
    const [p] = json.pipelines;
    expect(p.error).toBeUndefined();
    expect(p.stages.total.runs).toBe(4);
    for (const stage of ["preprocess", "inference", "postprocess", "total"]) {
      expect(p.stages[stage].p50).toBeGreaterThan(0);
      expect(p.stages[stage].p99).toBeGreaterThanOrEqual(p.stages[stage].p50);
      expect(p.stages[stage].max).toBeGreaterThanOrEqual(p.stages[stage].p99);
    }
    expect(p.stages.total.p50).toBeGreaterThanOrEqual(p.stages.inference.p50);
    expect(p.fps).toBeGreaterThan(0);
    expect(p.rssMB.after).toBeGreaterThan(0);
    const html = readFileSync(join(out, "bench.html"), "utf8");
    expect(html).toContain("new Chart(");
    expect(html).toContain("int8 wasm t1 320x240");

    // Compare mode: the same result against a copy with every latency doubled reads 2×.
    const slower = structuredClone(json);
    for (const s of Object.values(slower.pipelines[0].stages) as Array<{ p50: number }>) s.p50 *= 2;
    writeFileSync(join(dir, "slower.json"), JSON.stringify(slower));
    const c = await cli(["bench", "--compare", join(out, "bench.json"), join(dir, "slower.json"), "--json"]);
    expect(c.code).toBe(0);
    const rows = JSON.parse(c.stdout).rows as Array<{ what: string; ratio: number }>;
    expect(rows.length).toBe(4);
    for (const row of rows) expect(row.ratio).toBeCloseTo(2, 9);
  });

  it("rejects bad arguments with exit code 2", async () => {
    for (const [args, message] of [
      [["bench", "--backend", "gpu"], /Expected wasm or native for --backend but received "gpu"/],
      [["bench", "--size", "640by480"], /Expected a size like 640x480 for --size/],
      [["bench", "--threads", "0"], /--threads but received "0"/],
      [["bench", "--compare", "only-one.json"], /--compare takes two result files/],
      [["bench", "--frobnicate"], /Unknown option '--frobnicate'/],
    ] as const) {
      const r = await cli([...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
