// `edgeseg eval` end to end: real masks written as PNG, the CLI run as a child process.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeImage } from "../../src/eval/io.js";
import { dice } from "../../src/index.js";
import type { Image } from "../../src/index.js";
import { loadImage, loadManifest } from "../helpers/fixtures.js";

const run = promisify(execFile);
const bin = new URL("../../bin/edgeseg.js", import.meta.url).pathname;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, CI: "true" } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let dir: string;
const pairs: Array<{ name: string; pred: Image; truth: Image }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "edgeseg-eval-"));
  for (const sub of ["pred", "truth", "bad"]) mkdirSync(join(dir, sub));
  // Real masks from the metrics fixtures (Otsu masks of photographs and perturbed predictions).
  for (const c of loadManifest("metrics").filter((c) => c.expected.confusion && c.name.startsWith("c"))) {
    const pred = await loadImage("metrics", c.inputs.pred);
    const truth = await loadImage("metrics", c.inputs.truth);
    pairs.push({ name: c.name, pred, truth });
    await writeImage(join(dir, "pred", `${c.name}.png`), pred);
    await writeImage(join(dir, "truth", `${c.name}.png`), truth);
  }
  // A defect-free image predicted clean, and one with a false alarm.
  const empty: Image = { width: 40, height: 30, channels: 1, data: new Uint8Array(1200) };
  const alarm: Image = { width: 40, height: 30, channels: 1, data: new Uint8Array(1200) };
  alarm.data.fill(255, 400, 410);
  await writeImage(join(dir, "truth", "clean_a.png"), empty);
  await writeImage(join(dir, "pred", "clean_a.png"), empty);
  await writeImage(join(dir, "truth", "clean_b.png"), empty);
  await writeImage(join(dir, "pred", "clean_b.png"), alarm);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("edgeseg eval", () => {
  it("scores a folder of masks and writes CSV, JSON, HTML and overlays", async () => {
    const out = join(dir, "out");
    const r = await cli(["eval", "--pred", join(dir, "pred"), "--truth", join(dir, "truth"), "--out", out, "--worst", "3", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { summary } = JSON.parse(r.stdout);
    expect(summary.images).toBe(pairs.length + 2);
    // Per-image Dice in the CSV equals the library's dice() on the same masks.
    const csv = readFileSync(join(out, "results.csv"), "utf8").trim().split("\n");
    const header = csv[0]!.split(",");
    expect(csv.length).toBe(pairs.length + 3);
    for (const p of pairs) {
      const row = csv.find((l) => l.startsWith(`${p.name},`))!.split(",");
      expect(Number(row[header.indexOf("dice")])).toBeCloseTo(dice(p.pred, p.truth), 5);
    }
    expect(summary.detection.defectFreeImages).toBe(2);
    expect(summary.detection.defectFreeWithAlarm).toBe(1);
    expect(summary.detection.falseAlarmImageRate).toBe(0.5);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("new Chart(");
    expect(html.match(/<figure>/g)?.length).toBe(3);
    const json = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(json.images.length).toBe(pairs.length + 2);
    expect(existsSync(join(out, json.images.length ? "worst" : ""))).toBe(true);
  });

  it("prints a readable summary without --json", async () => {
    const r = await cli(["eval", "--pred", join(dir, "pred"), "--truth", join(dir, "truth"), "--out", join(dir, "out2"), "--worst", "0"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Dice\s+[\d.]+\s+[\d.]+/);
    expect(r.stdout).toMatch(/defect-free images with an alarm: 1\/2/);
  });

  it("segments images with the bundled model first (--images)", async () => {
    mkdirSync(join(dir, "images"));
    mkdirSync(join(dir, "imgtruth"));
    // A textured panel with one dark scratch, and its exact mask.
    for (const name of ["s1", "s2"]) {
      const w = 160, h = 120;
      const rgb = new Uint8Array(w * h * 3);
      const truth = new Uint8Array(w * h);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const scratch = Math.abs(y - (name === "s1" ? 0.5 * x + 20 : 90 - 0.4 * x)) < 1.5 && x > 20 && x < 140;
          const v = scratch ? 40 : 150 + 20 * Math.sin(x / 5) * Math.cos(y / 7);
          rgb.set([v, v * 0.95, v * 0.9], (y * w + x) * 3);
          truth[y * w + x] = scratch ? 255 : 0;
        }
      await writeImage(join(dir, "images", `${name}.png`), { width: w, height: h, channels: 3, data: rgb });
      await writeImage(join(dir, "imgtruth", `${name}.png`), { width: w, height: h, channels: 1, data: truth });
    }
    const out = join(dir, "out-model");
    const r = await cli(["eval", "--images", join(dir, "images"), "--truth", join(dir, "imgtruth"), "--out", out, "--worst", "2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { summary } = JSON.parse(r.stdout);
    expect(summary.images).toBe(2);
    expect(summary.detection.truthRegions).toBe(2);
    expect(readFileSync(join(out, "report.html"), "utf8").match(/<figure>/g)?.length).toBe(2);
  });

  const bad: Array<[string, () => Promise<string[]>, RegExp]> = [
    ["missing --truth", async () => ["eval", "--pred", join(dir, "pred")], /Missing --truth/],
    ["missing pairs", async () => {
      await writeImage(join(dir, "bad", "lonely.png"), { width: 4, height: 4, channels: 1, data: new Uint8Array(16) });
      return ["eval", "--pred", join(dir, "bad"), "--truth", join(dir, "truth")];
    }, /Missing pairs: 1 predictions without ground truth \(lonely\)/],
    ["empty folder", async () => {
      mkdirSync(join(dir, "empty"), { recursive: true });
      return ["eval", "--pred", join(dir, "empty"), "--truth", join(dir, "truth")];
    }, /prediction folder .* holds no images/],
    ["size mismatch", async () => {
      mkdirSync(join(dir, "p1")); mkdirSync(join(dir, "t1"));
      await writeImage(join(dir, "p1", "x.png"), { width: 4, height: 4, channels: 1, data: new Uint8Array(16) });
      await writeImage(join(dir, "t1", "x.png"), { width: 5, height: 4, channels: 1, data: new Uint8Array(20) });
      return ["eval", "--pred", join(dir, "p1"), "--truth", join(dir, "t1"), "--out", join(dir, "o1")];
    }, /Size mismatch for x: prediction is 4×4, ground truth 5×4/],
    ["non-binary mask", async () => {
      mkdirSync(join(dir, "p2")); mkdirSync(join(dir, "t2"));
      await writeImage(join(dir, "p2", "y.png"), { width: 3, height: 1, channels: 1, data: Uint8Array.from([0, 128, 255]) });
      await writeImage(join(dir, "t2", "y.png"), { width: 3, height: 1, channels: 1, data: Uint8Array.from([0, 255, 255]) });
      return ["eval", "--pred", join(dir, "p2"), "--truth", join(dir, "t2"), "--out", join(dir, "o2")];
    }, /Expected a binary mask .* holds 128 and 255/],
    ["bad policy", async () => ["eval", "--pred", join(dir, "pred"), "--truth", join(dir, "truth"), "--empty-policy", "skip"], /--empty-policy but received "skip"/],
  ];
  for (const [name, args, message] of bad) {
    it(`bad input: ${name}`, async () => {
      const r = await cli(await args());
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }
});
