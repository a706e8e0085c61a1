// Rebuilds the wasm and dist/ when sources are newer, so `npx vitest` works without `npm run build`.
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const wasm = "build/edgeseg.wasm";
  const built = existsSync(wasm) ? statSync(wasm).mtimeMs : 0;
  if (built < Math.max(newest("assembly"), statSync("asconfig.json").mtimeMs)) {
    execSync("npm run asbuild", { stdio: "inherit" });
  }
  const dist = "dist/index.js";
  const distBuilt = existsSync(dist) ? statSync(dist).mtimeMs : 0;
  if (distBuilt < newest("src")) execSync("npm run build:js", { stdio: "inherit" });
}
