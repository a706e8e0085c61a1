// `edgeseg eval`: how good is a segmentation? Compares predicted masks (or the masks a model or
// pipeline makes from images) against ground truth, and writes CSV, JSON, overlays and an HTML report.
import { parseArgs } from "node:util";
import { join } from "node:path";
import { EdgesegError } from "../core/errors.js";
import type { Image } from "../core/image.js";
import { checkBinary, evaluatePair, type EvaluateOptions, type ImageResult, summarize } from "../eval/evaluate.js";
import { listImages, readImage } from "../eval/io.js";
import { errorOverlay, summaryLines, writeReport } from "../eval/report.js";
import type { EmptyPolicy } from "../kernels/metrics.js";
import { type Command, EXIT } from "./main.js";
import { mapLimit, ProgressBar } from "./progress.js";

const HELP = `Usage:
  edgeseg eval --pred DIR --truth DIR [options]
  edgeseg eval --images DIR --truth DIR [--model FILE.onnx] [options]

Compares masks with ground truth, pairing files by name (a.png ↔ a.png; any image extension).
Masks are binary PNGs (0 = background, one nonzero value = defect).

Input:
  --pred DIR            predicted masks
  --images DIR          images to segment first with a model (instead of --pred)
  --model FILE          ONNX model with its sidecar JSON (default: the bundled defect model)
  --backend wasm|native onnxruntime-web (default) or onnxruntime-node
  --truth DIR           ground-truth masks (required)

Metrics:
  --percentile P        Hausdorff percentile (default 95 → HD95)
  --tolerance PX        normalized surface Dice tolerance in pixels (default 2)
  --min-coverage F      a true defect is found when ≥ F of it is predicted (default 0.5)
  --min-area PX         ignore predicted regions smaller than PX pixels (default 1)
  --empty-policy P      one | zero | nan: value of a ratio with a zero denominator (default one)

Output:
  --out DIR             where results.csv, results.json, report.html and worst/ go (default eval-out)
  --worst N             overlays of the N worst images by Dice (default 12)
  --json                print the summary as JSON on stdout
  --concurrency N       images decoded in parallel (default 4)
  -h, --help            this help

Exit codes: 0 done, 2 bad arguments or inputs (missing pairs, size mismatch, non-binary masks), 3 unreadable files.
Overlays: green = true positive, red = false positive, blue = false negative.
`;

interface Pair {
  name: string;
  truth: string;
  pred?: string;
  image?: string;
}

function pairUp(left: Map<string, string>, leftWhat: string, truth: Map<string, string>): Array<{ name: string; left: string; truth: string }> {
  const missingTruth = [...left.keys()].filter((k) => !truth.has(k));
  const missingLeft = [...truth.keys()].filter((k) => !left.has(k));
  if (missingTruth.length || missingLeft.length) {
    const parts = [];
    if (missingTruth.length) parts.push(`${missingTruth.length} ${leftWhat} without ground truth (${missingTruth.slice(0, 5).join(", ")}${missingTruth.length > 5 ? ", …" : ""})`);
    if (missingLeft.length) parts.push(`${missingLeft.length} ground-truth masks without ${leftWhat} (${missingLeft.slice(0, 5).join(", ")}${missingLeft.length > 5 ? ", …" : ""})`);
    throw new EdgesegError("INVALID_ARGUMENT", `Missing pairs: ${parts.join("; ")}`);
  }
  return [...left.entries()].map(([name, path]) => ({ name, left: path, truth: truth.get(name)! }));
}

function numberFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new EdgesegError("INVALID_ARGUMENT", `Expected a number between ${min} and ${max} for --${name} but received "${value}"`);
  return n;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      pred: { type: "string" },
      images: { type: "string" },
      truth: { type: "string" },
      model: { type: "string" },
      backend: { type: "string" },
      out: { type: "string" },
      worst: { type: "string" },
      percentile: { type: "string" },
      tolerance: { type: "string" },
      "min-coverage": { type: "string" },
      "min-area": { type: "string" },
      "empty-policy": { type: "string" },
      concurrency: { type: "string" },
      json: { type: "boolean" },
    },
    strict: true,
  });
  if (!values.truth) throw new EdgesegError("INVALID_ARGUMENT", "Missing --truth DIR (the ground-truth masks)");
  if (!values.pred === !values.images) throw new EdgesegError("INVALID_ARGUMENT", "Give exactly one of --pred DIR (masks) or --images DIR (to segment with a model)");
  const policy = values["empty-policy"] ?? "one";
  if (!["one", "zero", "nan"].includes(policy)) throw new EdgesegError("INVALID_ARGUMENT", `Expected one, zero or nan for --empty-policy but received "${policy}"`);
  const options: EvaluateOptions = {
    percentile: numberFlag("percentile", values.percentile, 95, 0, 100),
    tolerance: numberFlag("tolerance", values.tolerance, 2, 0, 1e6),
    minCoverage: numberFlag("min-coverage", values["min-coverage"], 0.5, 0, 1),
    minArea: Math.round(numberFlag("min-area", values["min-area"], 1, 1, 1e9)),
    emptyPolicy: policy as EmptyPolicy,
  };
  const worstCount = Math.round(numberFlag("worst", values.worst, 12, 0, 1000));
  const concurrency = Math.round(numberFlag("concurrency", values.concurrency, 4, 1, 64));
  const outDir = values.out ?? "eval-out";

  const truthFiles = await listImages(values.truth, "ground-truth");
  const leftFiles = await listImages((values.pred ?? values.images)!, values.pred ? "prediction" : "image");
  const pairs: Pair[] = pairUp(leftFiles, values.pred ? "predictions" : "images", truthFiles).map((p) =>
    values.pred ? { name: p.name, pred: p.left, truth: p.truth } : { name: p.name, image: p.left, truth: p.truth },
  );

  // With --images, a model makes the predictions (segmentation runs one frame at a time).
  let segment: ((img: Image) => Promise<Image>) | null = null;
  let dispose = () => {};
  if (values.images) {
    const { Segmenter } = await import("../model/index.js");
    const segmenter = await Segmenter.create({ ...(values.model ? { model: values.model } : {}), ...(values.backend ? { backend: values.backend as "wasm" | "native" } : {}) });
    segment = async (img) => (await segmenter.segment(img)).mask;
    dispose = () => segmenter.dispose();
  }

  const started = performance.now();
  const bar = new ProgressBar(pairs.length, "eval");
  let results: ImageResult[];
  try {
    results = await mapLimit(
      pairs,
      segment ? 1 : concurrency,
      async (pair) => {
        const truth = await readImage(pair.truth, { gray: true });
        checkBinary(pair.truth, truth);
        let pred: Image;
        if (pair.pred) {
          pred = await readImage(pair.pred, { gray: true });
          checkBinary(pair.pred, pred);
        } else {
          const image = await readImage(pair.image!);
          pred = await segment!(image);
        }
        if (pred.width !== truth.width || pred.height !== truth.height) {
          throw new EdgesegError("INVALID_IMAGE", `Size mismatch for ${pair.name}: prediction is ${pred.width}×${pred.height}, ground truth ${truth.width}×${truth.height}`);
        }
        return evaluatePair(pair.name, pred, truth, options);
      },
      (done) => bar.update(done),
    );
  } finally {
    bar.done();
  }
  const summary = summarize(results, options);

  // Overlays of the worst images: re-read only those (keeps memory flat on big datasets).
  const worst = [...results].filter((r) => !Number.isNaN(r.dice)).sort((a, b) => a.dice - b.dice).slice(0, worstCount);
  const byName = new Map(pairs.map((p) => [p.name, p]));
  const worstOverlays = [];
  for (const w of worst) {
    const pair = byName.get(w.name)!;
    const truth = await readImage(pair.truth, { gray: true });
    const base = pair.image ? await readImage(pair.image) : null;
    const pred = pair.pred ? await readImage(pair.pred, { gray: true }) : await segment!(base!);
    worstOverlays.push({ name: w.name, dice: w.dice, overlay: errorOverlay(base, pred, truth) });
  }
  dispose();
  const settings = {
    pred: values.pred ?? `model ${values.model ?? "bundled"} on ${values.images}`,
    truth: values.truth,
    percentile: options.percentile!,
    tolerance: options.tolerance!,
    minCoverage: options.minCoverage!,
    minArea: options.minArea!,
    emptyPolicy: policy,
  };
  const files = await writeReport(outDir, { title: "edgeseg evaluation", results, summary, settings }, worstOverlays);
  const seconds = (performance.now() - started) / 1000;
  if (values.json) {
    process.stdout.write(JSON.stringify({ summary, seconds, files }, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 1) + "\n");
  } else {
    process.stdout.write(`${summaryLines(summary).join("\n")}\n\n${results.length} images in ${seconds.toFixed(1)} s → ${files.html}, ${files.csv}, ${files.json}, ${join(outDir, "worst")}/\n`);
  }
  return EXIT.OK;
}

export const command: Command = { summary: "score masks against ground truth (Dice, IoU, HD95, defects found) with a report", help: HELP, run };
