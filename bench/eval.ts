// `edgeseg eval` at dataset scale: 500 prediction/truth pairs of 512×512 written as PNG, then the
// CLI run end to end (decode, metrics, worst overlays, report). Issue 6 asks for under a minute.
//   node --import tsx bench/eval.ts [pairs] [size]
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeImage } from "../src/eval/io.js";
import type { Image } from "../src/index.js";
import { randomMask } from "../test/helpers/random.js";

const pairs = Number(process.argv[2] ?? 500);
const size = Number(process.argv[3] ?? 512);
const dir = mkdtempSync(join(tmpdir(), "edgeseg-evalbench-"));
mkdirSync(join(dir, "pred"));
mkdirSync(join(dir, "truth"));
try {
  const t0 = performance.now();
  for (let i = 0; i < pairs; i++) {
    // Defects: a few blobs on most images, none on every tenth (defect-free), prediction = truth with errors.
    const truth: Image = i % 10 === 0 ? { width: size, height: size, channels: 1, data: new Uint8Array(size * size) } : randomMask(size, size, i + 1, 0.08);
    const noise = randomMask(size, size, i + 100_000, 0.04);
    const pred: Image = { ...truth, data: truth.data.map((v, k) => (k % 7 === 0 ? noise.data[k]! : v)) };
    await writeImage(join(dir, "truth", `img${String(i).padStart(4, "0")}.png`), truth);
    await writeImage(join(dir, "pred", `img${String(i).padStart(4, "0")}.png`), pred);
  }
  console.log(`wrote ${pairs} pairs of ${size}×${size} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const bin = new URL("../bin/edgeseg.js", import.meta.url).pathname;
  const t1 = performance.now();
  const out = execFileSync(process.execPath, [bin, "eval", "--pred", join(dir, "pred"), "--truth", join(dir, "truth"), "--out", join(dir, "out"), "--json"], { encoding: "utf8", maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t1) / 1000;
  const { summary, files } = JSON.parse(out);
  console.log(`edgeseg eval: ${summary.images} pairs in ${seconds.toFixed(1)} s (${((seconds / summary.images) * 1000).toFixed(1)} ms/pair), mean Dice ${summary.metrics.dice.mean.toFixed(4)}; wrote ${Object.keys(files).join(", ")}`);
  console.log(seconds < 60 ? "PASS under a minute" : "FAIL over a minute");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
