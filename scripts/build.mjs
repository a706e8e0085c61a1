// Builds the JavaScript side: src/**/*.ts → dist/ (ESM, one file per module, so the
// wasm path ../../build/edgeseg.wasm resolves the same from src/core and dist/core),
// plus a browser bundle at dist/web/edgeseg.js.
import { build } from "esbuild";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

await build({
  entryPoints: tsFiles("src"),
  outdir: "dist",
  outbase: "src",
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
});

await build({
  entryPoints: ["src/index.ts"],
  outfile: "dist/web/edgeseg.js",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  external: ["node:*", "onnxruntime-node", "sharp", "mqtt", "node-webcam"],
  logLevel: "warning",
});
// The kernel cases of the Node-vs-browser bit-identity test, loadable by the page.
await build({
  entryPoints: ["test/browser/cases.ts"],
  outfile: "dist/test-browser/cases.js",
  format: "esm",
  platform: "browser",
  target: "es2022",
  logLevel: "warning",
});
console.log("built dist/ and dist/web/edgeseg.js");
