// `npm run bench` — every kernel family's cases, side by side with its peers.
//   npm run bench                       all families
//   npm run bench -- threshold morph    only these families (file names in bench/kernels/)
//   npm run bench -- --quick            fewer runs
// Prints a table and writes bench/results/kernels-<date>.json.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { arch, cpus, platform, tmpdir } from "node:os";
import { join } from "node:path";
import { type BenchCase, type BenchContext, type CaseResult, floorTiming, loadOpenCvJs, type Timing, time } from "./harness.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const families = args.filter((a) => !a.startsWith("--"));
const dir = new URL("./kernels/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && (families.length === 0 || families.includes(f.replace(/\.ts$/, ""))));

const cv = await loadOpenCvJs();
const ctx: BenchContext = { cv, results: new Map() };
const results: CaseResult[] = [];
const minRuns = quick ? 10 : 30;
const minMs = quick ? 100 : 400;

function nativeTimings(cases: BenchCase[]): Map<BenchCase, Timing> {
  const found = new Map<BenchCase, Timing>();
  const python = "/usr/bin/python3";
  const withNative = cases.filter((c) => c.native);
  if (withNative.length === 0) return found;
  const probe = spawnSync(python, ["-c", "import cv2"], { encoding: "utf8" });
  if (!existsSync(python) || probe.status !== 0) {
    console.log("note: native OpenCV peer skipped (install Debian's python3-opencv to include it)");
    return found;
  }
  const tmp = mkdtempSync(join(tmpdir(), "edgeseg-bench-"));
  try {
    const jobs = withNative.map((c, i) => ({
      id: String(i),
      name: c.native!.name,
      args: c.native!.args ?? {},
      inputs: Object.fromEntries(
        Object.entries(c.native!.inputs).map(([key, input]) => {
          const path = join(tmp, `${i}-${key}.bin`);
          writeFileSync(path, new Uint8Array(input.data.buffer, input.data.byteOffset, input.data.byteLength));
          return [key, { path, width: input.width, height: input.height, channels: input.channels, dtype: input.dtype ?? "uint8" }];
        }),
      ),
    }));
    const run = spawnSync(python, [new URL("./native/opencv_peer.py", import.meta.url).pathname], {
      input: JSON.stringify(jobs),
      encoding: "utf8",
      maxBuffer: 1 << 26,
      env: { ...process.env, OMP_NUM_THREADS: "1" },
    });
    if (run.status !== 0) {
      console.log(`note: native OpenCV peer failed: ${run.stderr.slice(-500)}`);
      return found;
    }
    const out = JSON.parse(run.stdout) as Record<string, Timing & { error?: string }>;
    withNative.forEach((c, i) => {
      const t = out[String(i)];
      if (t && !t.error) found.set(c, t);
      else if (t?.error) console.log(`note: ${t.error}`);
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return found;
}

const fmt = (ms: number | undefined) => (ms === undefined ? "—" : ms < 0.1 ? ms.toFixed(4) : ms < 10 ? ms.toFixed(3) : ms.toFixed(1));
const ratio = (r: number | undefined) => (r === undefined ? "—" : `${r.toFixed(r < 10 ? 2 : 1)}×`);

console.log(`edgeseg kernel benchmark — node ${process.version} ${platform()}/${arch()}, ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores`);
console.log("median ms (first run apart); ratios: opencv.js / ours, native / ours, ours / memcpy floor\n");
const header = ["kernel", "size", "ours", "first", "opencv.js", "native 1t", "floor", "vs cv.js", "vs native", "ours/floor", "targets"];
console.log(header.join(" | "));

for (const file of files) {
  const mod = (await import(new URL(file, dir).href)) as { cases: (c: BenchContext) => BenchCase[] };
  const cases = mod.cases(ctx);
  const native = nativeTimings(cases);
  for (const c of cases) {
    const ours = time(c.ours, minRuns, minMs);
    const opencvjs = c.opencvjs ? time(c.opencvjs.run, minRuns, minMs) : undefined;
    c.opencvjs?.dispose?.();
    c.dispose?.();
    const floor = floorTiming(c.floorBytes);
    const nat = native.get(c);
    const r: CaseResult = {
      kernel: c.kernel,
      size: c.size,
      ours,
      opencvjs,
      native: nat,
      floor,
      vsOpencvjs: opencvjs ? opencvjs.median / ours.median : undefined,
      vsNative: nat ? nat.median / ours.median : undefined,
      vsFloor: ours.median / floor.median,
      targets: [],
    };
    ctx.results.set(`${c.kernel}@${c.size}`, r);
    r.targets = (c.targets ?? []).map((t) => ({ label: t.label, pass: t.check(r) }));
    results.push(r);
    const targets = r.targets.map((t) => `${t.pass ? "PASS" : "FAIL"} ${t.label}`).join("; ");
    console.log([c.kernel, c.size, fmt(ours.median), fmt(ours.first), fmt(opencvjs?.median), fmt(nat?.median), fmt(floor.median), ratio(r.vsOpencvjs), ratio(r.vsNative), ratio(r.vsFloor), targets].join(" | "));
  }
}

mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const outFile = new URL(`./results/kernels-${stamp}.json`, import.meta.url);
writeFileSync(outFile, JSON.stringify({ date: new Date().toISOString(), node: process.version, platform: platform(), arch: arch(), cpu: cpus()[0]?.model, cores: cpus().length, results }, null, 1));
const failed = results.flatMap((r) => r.targets.filter((t) => !t.pass).map((t) => `${r.kernel}@${r.size}: ${t.label}`));
console.log(`\nwrote ${outFile.pathname}`);
console.log(failed.length ? `targets missed: ${failed.join("; ")}` : "all targets met");
