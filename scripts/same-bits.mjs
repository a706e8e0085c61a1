// Same .wasm, same bits, on any CPU Node runs on. Plain ESM on purpose: it must run under a
// foreign-arch Node (arm64 under qemu), where tsx's x64 esbuild binary cannot.
//
//   node scripts/same-bits.mjs                     prints a JSON report: engine, wasm sha256, one
//                                                  FNV-1a hash per case of test/browser/cases.ts
//   node scripts/same-bits.mjs --compare A B [--arch x64,arm64]
//                                                  diffs two reports; exit 1 on any difference,
//                                                  on a missing SIMD, or on an unexpected arch
// Needs `npm run build` first (dist/index.js, dist/test-browser/cases.js, build/edgeseg.wasm).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const root = new URL("../", import.meta.url);

function report() {
  return Promise.all([import(new URL("dist/index.js", root).href), import(new URL("dist/test-browser/cases.js", root).href)]).then(([lib, { SAME_BITS_CASES, hashBytes }]) => {
    const hashes = {};
    for (const c of SAME_BITS_CASES) hashes[c.name] = hashBytes(c.run(lib));
    return {
      node: process.version,
      arch: process.arch,
      simd: lib.hasSimd(),
      wasmSha256: createHash("sha256").update(readFileSync(new URL("build/edgeseg.wasm", root))).digest("hex"),
      // Optional cases whose kernel this build lacks hash a placeholder; name them so a
      // "match" is never mistaken for coverage.
      absent: SAME_BITS_CASES.map((c) => c.name).filter((name) => typeof lib[name] !== "function"),
      cases: hashes,
    };
  });
}

function compare(pathA, pathB, arches) {
  const a = JSON.parse(readFileSync(pathA, "utf8"));
  const b = JSON.parse(readFileSync(pathB, "utf8"));
  const problems = [];
  for (const [r, want] of [[a, arches?.[0]], [b, arches?.[1]]]) {
    if (!r.simd) problems.push(`${r.arch} (${r.node}) reports no WebAssembly SIMD`);
    if (want && r.arch !== want) problems.push(`expected process.arch ${want} but the run reported ${r.arch}`);
  }
  if (a.wasmSha256 !== b.wasmSha256) problems.push(`different .wasm files: ${a.wasmSha256} vs ${b.wasmSha256}`);
  const names = [...new Set([...Object.keys(a.cases), ...Object.keys(b.cases)])];
  let same = 0;
  for (const name of names) {
    if (a.cases[name] === b.cases[name]) same++;
    else problems.push(`${name}: ${a.arch} ${a.cases[name] ?? "(missing)"} vs ${b.arch} ${b.cases[name] ?? "(missing)"}`);
  }
  console.log(`${a.arch} (Node ${a.node}) vs ${b.arch} (Node ${b.node}), wasm sha256 ${a.wasmSha256.slice(0, 16)}…`);
  console.log(`${same}/${names.length} cases byte-identical` + (a.absent.length ? `; kernels absent from this build (placeholder hashed): ${a.absent.join(", ")}` : ""));
  for (const p of problems) console.log(`  DIFFERS: ${p}`);
  return problems.length === 0;
}

const args = process.argv.slice(2);
if (args[0] === "--compare") {
  const archIndex = args.indexOf("--arch");
  const arches = archIndex >= 0 ? args[archIndex + 1].split(",") : undefined;
  process.exitCode = compare(args[1], args[2], arches) ? 0 : 1;
} else {
  console.log(JSON.stringify(await report(), null, 2));
}
