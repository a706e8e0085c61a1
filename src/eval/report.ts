// Writes what `edgeseg eval` produces: per-image CSV and JSON, overlays of the worst images and
// an HTML report.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Image } from "../core/image.js";
import { chart, escapeHtml, page, table } from "./html.js";
import { type EvaluationSummary, type ImageResult, SUMMARY_METRICS, type SummaryMetric } from "./evaluate.js";
import { writeImage } from "./io.js";

/** Overlay colours: true positives, false positives, false negatives. */
export const OVERLAY_COLORS = { tp: [40, 200, 60], fp: [235, 40, 40], fn: [40, 110, 255] } as const;

/**
 * Draws a prediction against its truth over a base image (gray or RGB; dimmed): true positives
 * green, false positives red, false negatives blue.
 */
export function errorOverlay(base: Image | null, pred: Image, truth: Image): Image {
  const { width, height } = pred;
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    let r: number, g: number, b: number;
    if (base) {
      const c = base.channels;
      r = base.data[i * c]!;
      g = c >= 3 ? base.data[i * c + 1]! : r;
      b = c >= 3 ? base.data[i * c + 2]! : r;
    } else r = g = b = truth.data[i] ? 90 : 30;
    const p = pred.data[i] !== 0;
    const t = truth.data[i] !== 0;
    const color = p && t ? OVERLAY_COLORS.tp : p ? OVERLAY_COLORS.fp : t ? OVERLAY_COLORS.fn : null;
    const o = i * 3;
    if (color) {
      out[o] = (r * 0.35 + color[0] * 0.65) | 0;
      out[o + 1] = (g * 0.35 + color[1] * 0.65) | 0;
      out[o + 2] = (b * 0.35 + color[2] * 0.65) | 0;
    } else {
      out[o] = (r * 0.8) | 0;
      out[o + 1] = (g * 0.8) | 0;
      out[o + 2] = (b * 0.8) | 0;
    }
  }
  return { width, height, channels: 3, data: out };
}

const fmt = (x: number, digits = 4) => (Number.isNaN(x) ? "NaN" : !Number.isFinite(x) ? String(x) : Number(x.toFixed(digits)).toString());

const CSV_COLUMNS: Array<keyof ImageResult> = [
  "name", "width", "height", "dice", "iou", "precision", "recall", "accuracy", "hausdorff", "hd", "assd", "surfaceDice",
  "truthRegions", "found", "missed", "predictedRegions", "falseAlarms", "defectFree", "tp", "fp", "fn", "tn",
];

export function toCsv(results: ImageResult[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of results) lines.push(CSV_COLUMNS.map((c) => (typeof r[c] === "number" ? fmt(r[c] as number, 6) : quote(String(r[c])))).join(","));
  return lines.join("\n") + "\n";
}

/** The summary as terminal lines (metric, mean, median, worst). */
export function summaryLines(s: EvaluationSummary): string[] {
  const label: Record<SummaryMetric, string> = {
    dice: "Dice", iou: "IoU", precision: "precision", recall: "recall", hausdorff: "Hausdorff px", hd: `HD${s.percentile} px`,
    assd: "ASSD px", surfaceDice: `surface Dice @${s.tolerance}px`,
  };
  const rows = SUMMARY_METRICS.map((k) => {
    const m = s.metrics[k];
    return [label[k].padEnd(20), fmt(m.mean).padStart(9), fmt(m.median).padStart(9), `${fmt(m.worst.value).padStart(9)}  ${m.worst.name}${m.nan ? `  (${m.nan} NaN)` : ""}`];
  });
  const d = s.detection;
  return [
    `${"metric".padEnd(20)}${"mean".padStart(9)}${"median".padStart(9)}${"worst".padStart(9)}`,
    ...rows.map((r) => r.join("")),
    `pooled over ${s.images} images: Dice ${fmt(s.pooled.dice)}, IoU ${fmt(s.pooled.iou)}, precision ${fmt(s.pooled.precision)}, recall ${fmt(s.pooled.recall)}`,
    `defects: ${d.found}/${d.truthRegions} found (recall ${fmt(d.instanceRecall, 3)}), ${d.falseAlarms} false-alarm regions; ` +
      `defect-free images with an alarm: ${d.defectFreeWithAlarm}/${d.defectFreeImages} (${fmt(d.falseAlarmImageRate * 100, 1)}%)`,
  ];
}

export interface ReportInput {
  title: string;
  results: ImageResult[];
  summary: EvaluationSummary;
  /** Overlay files (relative to the output folder) of the worst images, worst first. */
  worst: Array<{ name: string; file: string; dice: number }>;
  settings: Record<string, string | number | boolean>;
}

export function htmlReport(input: ReportInput): string {
  const { summary: s, results } = input;
  const metricRows = SUMMARY_METRICS.map((k) => [k, fmt(s.metrics[k].mean), fmt(s.metrics[k].median), fmt(s.metrics[k].worst.value), s.metrics[k].worst.name]);
  const d = s.detection;
  const bins = 20;
  const hist = new Array<number>(bins).fill(0);
  for (const r of results) if (!Number.isNaN(r.dice)) hist[Math.min(bins - 1, Math.floor(r.dice * bins))]!++;
  const legend = Object.entries({ "true positive": "tp", "false positive": "fp", "false negative": "fn" } as const)
    .map(([label, key]) => `<span style="background:rgb(${OVERLAY_COLORS[key].join(",")})"></span>${label}`)
    .join("");
  return page(
    input.title,
    `<p>${escapeHtml(Object.entries(input.settings).map(([k, v]) => `${k}: ${v}`).join(" · "))}</p>
<h2>Summary over ${s.images} images</h2>
${table(["metric", "mean", "median", "worst", "worst image"], metricRows)}
${table(["pooled Dice", "pooled IoU", "pooled precision", "pooled recall"], [[fmt(s.pooled.dice), fmt(s.pooled.iou), fmt(s.pooled.precision), fmt(s.pooled.recall)]])}
<h2>Defects</h2>
${table(["true regions", "found", "missed", "instance recall", "predicted regions", "false-alarm regions", "defect-free images", "with an alarm", "false-alarm image rate"],
  [[d.truthRegions, d.found, d.missed, fmt(d.instanceRecall, 3), d.predictedRegions, d.falseAlarms, d.defectFreeImages, d.defectFreeWithAlarm, fmt(d.falseAlarmImageRate, 3)]])}
<h2>Dice per image</h2>
${chart("dice-hist", {
  type: "bar",
  data: { labels: hist.map((_, i) => `${(i / bins).toFixed(2)}–${((i + 1) / bins).toFixed(2)}`), datasets: [{ label: "images", data: hist, backgroundColor: "#4a78c2" }] },
  options: { maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: "Dice" } }, y: { title: { display: true, text: "images" } } } },
})}
<h2>Worst images</h2>
<p class="legend">${legend}</p>
${input.worst.map((w) => `<figure><img src="${escapeHtml(w.file)}" alt="${escapeHtml(w.name)}"><figcaption>${escapeHtml(w.name)} — Dice ${fmt(w.dice)}</figcaption></figure>`).join("\n")}`,
  );
}

/** Writes results.csv, results.json, report.html and the worst overlays into `dir`. */
export async function writeReport(
  dir: string,
  input: Omit<ReportInput, "worst">,
  worstOverlays: Array<{ name: string; dice: number; overlay: Image }>,
): Promise<{ csv: string; json: string; html: string; overlays: string[] }> {
  await mkdir(join(dir, "worst"), { recursive: true });
  const worst: ReportInput["worst"] = [];
  const overlays: string[] = [];
  for (const [i, w] of worstOverlays.entries()) {
    const file = `worst/${String(i + 1).padStart(2, "0")}-${w.name.replace(/[^\w.-]+/g, "_")}.png`;
    await writeImage(join(dir, file), w.overlay);
    worst.push({ name: w.name, file, dice: w.dice });
    overlays.push(join(dir, file));
  }
  const csv = join(dir, "results.csv");
  const json = join(dir, "results.json");
  const html = join(dir, "report.html");
  await writeFile(csv, toCsv(input.results));
  await writeFile(json, JSON.stringify({ settings: input.settings, summary: input.summary, images: input.results }, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 1));
  await writeFile(html, htmlReport({ ...input, worst }));
  return { csv, json, html, overlays };
}
