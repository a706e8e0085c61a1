// Self-contained HTML reports: tables plus charts drawn by Chart.js, inlined so a report opens
// offline from a file:// URL or a CI artifact.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let chartJs: string | null = null;
function chartLibrary(): string {
  // chart.js's exports map hides dist/; its main entry sits beside the UMD build.
  chartJs ??= readFileSync(join(dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.min.js"), "utf8");
  return chartJs;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A table from rows of cells (already formatted). */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

/** A Chart.js chart; `config` is Chart.js's configuration object. */
export function chart(id: string, config: { options?: Record<string, unknown> } & Record<string, unknown>, height = 280): string {
  // No animation: a report is read (and screenshotted, printed) as it is.
  const still = { ...config, options: { animation: false, ...config.options } };
  return `<div class="chart" style="height:${height}px"><canvas id="${id}"></canvas></div>
<script>new Chart(document.getElementById(${JSON.stringify(id)}), ${JSON.stringify(still)});</script>`;
}

/** A whole page with the chart library inlined once in the head. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<script>${chartLibrary()}</script>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.chart{position:relative;margin:10px 0 24px}
figure{display:inline-block;margin:6px;vertical-align:top}figure img{max-width:320px;border:1px solid #aaa}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
</style></head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}
