// Prints the newest (or a given) bench/results/kernels-*.json as the README's markdown table.
//   node scripts/bench-table.mjs [file.json] [--size 1920x1080]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const sizeAt = args.indexOf("--size");
const size = sizeAt >= 0 ? args[sizeAt + 1] : null;
const dir = new URL("../bench/results/", import.meta.url).pathname;
const file = args.find((a) => a.endsWith(".json")) ?? join(dir, readdirSync(dir).filter((n) => n.startsWith("kernels-")).sort().pop());
const result = JSON.parse(readFileSync(file, "utf8"));
const f = (x) => (x === undefined || x === null ? "—" : x < 0.1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));
const r = (x) => (x === undefined || x === null ? "—" : `${x.toFixed(x < 10 ? 1 : 0)}×`);
console.log(`| kernel | size | edgeseg ms | opencv.js ms | native OpenCV 1t ms | memcpy floor ms | vs opencv.js | vs native | edgeseg / floor | targets |`);
console.log(`|---|---|---:|---:|---:|---:|---:|---:|---:|---|`);
for (const row of result.results) {
  if (size && row.size !== size) continue;
  const targets = row.targets.map((t) => `${t.pass ? "✅" : "❌"} ${t.label}`).join("<br>");
  console.log(`| ${row.kernel} | ${row.size} | ${f(row.ours.median)} | ${f(row.opencvjs?.median)} | ${f(row.native?.median)} | ${f(row.floor.median)} | ${r(row.vsOpencvjs)} | ${r(row.vsNative)} | ${r(row.vsFloor)} | ${targets} |`);
}
console.log(`\n${result.cpu}, ${result.cores} cores, Node ${result.node}, ${result.date.slice(0, 16)} — \`npm run bench:kernels\``);
