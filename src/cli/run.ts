// `edgeseg run`: segment a camera, stream, video or image folder in real time.
import { EdgesegError } from "../core/errors.js";
import { type RunConfig, loadConfig, validateConfig } from "../pipeline/config.js";
import { type RunSummary, runPipeline } from "../pipeline/loop.js";
import { acceptedFormats, createProcessor } from "../pipeline/processors.js";
import { STAGES } from "../pipeline/stats.js";
import { createSinks } from "../sinks/index.js";
import type { LiveStatus, Sink } from "../sinks/types.js";
import { builtin } from "../sources/node.js";
import { SOURCE_SCHEMES, openSource, parseSourceUri } from "../sources/open.js";
import type { FrameSource } from "../sources/types.js";
import { type Command, EXIT } from "./main.js";
import { type FlagSpec, StatusLine, fmtMs, parseArgs, printJson, table } from "./util.js";

const FLAGS: Record<string, FlagSpec> = {
  config: { type: "string", short: "c" },
  pipeline: { type: "string", choices: ["classical", "model"] },
  threshold: { type: "string" },
  invert: { type: "boolean" },
  open: { type: "integer" },
  close: { type: "integer" },
  "fill-holes": { type: "boolean" },
  "remove-small": { type: "integer" },
  "min-area": { type: "integer" },
  "max-area": { type: "number" },
  connectivity: { type: "integer" },
  features: { type: "string" },
  model: { type: "string" },
  backend: { type: "string", choices: ["auto", "wasm", "native"] },
  threads: { type: "integer" },
  prob: { type: "number" },
  size: { type: "string" },
  fps: { type: "number" },
  realtime: { type: "boolean" },
  loop: { type: "boolean" },
  retry: { type: "integer" },
  "every-frame": { type: "boolean" },
  latest: { type: "boolean" },
  "max-frames": { type: "integer", short: "n" },
  duration: { type: "number" },
  jsonl: { type: "string" },
  overlays: { type: "string", short: "o" },
  "overlay-every": { type: "integer" },
  "overlay-format": { type: "string", choices: ["png", "jpeg"] },
  mqtt: { type: "string" },
  "mqtt-prefix": { type: "string" },
  "mqtt-device": { type: "string" },
  preview: { type: "boolean", optionalValue: "integer" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
};

const HELP = `Usage: edgeseg run [SOURCE] [options]

Segments frames from SOURCE in real time and reports regions (defects) as they appear.

SOURCE (a URI; a bare path is a file):
${SOURCE_SCHEMES.map((s) => `  ${s}`).join("\n")}
  webcam: takes stills with fswebcam (one process per shot): for triggers and slow intervals, not video rate.

Configuration:
  -c, --config FILE       JSON config (see samples/demo.json); flags below override it.
                          Paths in it are relative to the current directory.
  --pipeline KIND         classical | model                     (default: classical, or the config's)
Classical pipeline (gray frames):
  --threshold T           0-255 (pixels > T are foreground), otsu, or adaptive
  --invert                dark objects on a bright background are the foreground
Model pipeline (RGB frames, the Segmenter):
  --model FILE.onnx       default: the bundled defect model
  --backend B             auto (default: onnxruntime-node where installed, else web), wasm, native
  --threads N             inference threads (default 2)
  --prob P                probability threshold 0-1 (default: the model's)
Refinement and regions (both pipelines):
  --open N, --close N     morphological opening/closing with an N×N square (odd N)
  --fill-holes            fill holes in the mask
  --remove-small A        remove mask regions smaller than A pixels
  --min-area A, --max-area A   report only regions within this area range
  --connectivity 4|8      (default 8)
  --features LIST         extra region features: all, or e.g. perimeter,circularity
Source:
  --size WxH              scale frames (ffmpeg sources); camera capture size
  --fps N                 camera/synthetic frame rate
  --realtime              play a file at its frame rate, like a camera
  --loop                  start a file again at its end
  --retry N               reopen a failed camera or stream up to N times in a row, with backoff
                          (default 3 for cameras and streams, 0 for files)
  --every-frame           process every frame, never drop (default for files)
  --latest                drop stale frames when processing falls behind (default for cameras, streams)
  -n, --max-frames N      stop after N frames
  --duration S            stop after S seconds
Sinks:
  --jsonl PATH|-          one JSON record per frame (regions, features, stage latencies)
  -o, --overlays DIR      overlay images with mask and outlines (every 30th frame and defects)
  --overlay-every N       every Nth frame (0: defect frames only)
  --overlay-format F      jpeg (default) or png
  --mqtt URL              publish defects and stats (topics <prefix>/<device>/{defect,stats,status}, QoS 1)
  --mqtt-prefix P, --mqtt-device D   topic parts (default edgeseg, cam0)
  --preview [PORT]        live page with the overlaid stream on http://127.0.0.1:PORT/ (default 8080)
Output:
  --json                  print the final summary as JSON on stdout
  -q, --quiet             no live status line and no summary table

Exit codes: 0 the run ended (end of input or a limit); 1 frames kept failing; 2 bad command line
or config; 3 the source, model or a tool could not be used; 130 stopped by SIGINT/SIGTERM (cleanly).

Examples:
  edgeseg run /usr/share/doc/opencv-doc/examples/data/vtest.avi --threshold otsu --invert --min-area 50
  edgeseg run v4l2:///dev/video0 --size 640x480 --fps 30 --pipeline model --preview
  edgeseg run --config samples/demo.json --jsonl out/records.jsonl
`;

function parseSize(value: string): [number, number] {
  const m = /^(\d+)x(\d+)$/i.exec(value);
  if (!m) throw new EdgesegError("INVALID_ARGUMENT", `Expected WIDTHxHEIGHT (e.g. 640x480) for --size but received "${value}"`);
  return [Number(m[1]), Number(m[2])];
}

/** Merges flags into a config object (raw JSON shape), then validates it. Exported for tests. */
export function buildConfig(values: Record<string, unknown>, positionals: string[], base: RunConfig | null): RunConfig {
  if (positionals.length > 1) throw new EdgesegError("INVALID_ARGUMENT", `Expected one SOURCE but received ${positionals.length}: ${positionals.join(" ")}`);
  const raw = structuredClone(base ?? { source: undefined, pipeline: undefined, sinks: {}, loop: {} }) as Record<string, Record<string, unknown> | undefined>;
  const get = (k: string) => values[k];
  let source = (raw.source ?? {}) as Record<string, unknown>;
  if (positionals[0]) source = { uri: positionals[0] };
  if (source.uri === undefined) throw new EdgesegError("INVALID_ARGUMENT", "Expected a SOURCE (e.g. edgeseg run clip.mp4, or --config FILE); see edgeseg run --help");
  if (get("size") !== undefined) [source.width, source.height] = parseSize(String(get("size")));
  if (get("fps") !== undefined) source.fps = get("fps");
  if (get("realtime") !== undefined) source.realtime = get("realtime");
  if (get("loop") !== undefined) source.loop = get("loop");
  if (get("retry") !== undefined) source.retry = get("retry");
  if (get("every-frame") && get("latest")) throw new EdgesegError("INVALID_ARGUMENT", "--every-frame and --latest contradict each other");
  if (get("every-frame")) source.mode = "every";
  if (get("latest")) source.mode = "latest";
  raw.source = source;

  const kind = (get("pipeline") as string | undefined) ?? (raw.pipeline?.kind as string | undefined) ?? "classical";
  let pipeline = (raw.pipeline?.kind === kind ? raw.pipeline : { kind }) as Record<string, unknown>;
  if (kind === "classical") {
    const t = get("threshold");
    if (t !== undefined) {
      const s = String(t);
      if (s === "otsu" || s === "adaptive") pipeline.threshold = { kind: s };
      else if (/^-?\d+(\.\d+)?$/.test(s)) pipeline.threshold = { kind: "fixed", value: Number(s) };
      else throw new EdgesegError("INVALID_ARGUMENT", `Expected a number 0-255, otsu or adaptive for --threshold but received "${s}"`);
    }
    pipeline.threshold ??= { kind: "otsu" };
    if (get("invert") !== undefined) {
      if (typeof pipeline.threshold !== "object") pipeline.threshold = pipeline.threshold === "otsu" || pipeline.threshold === "adaptive" ? { kind: pipeline.threshold } : { kind: "fixed", value: pipeline.threshold };
      (pipeline.threshold as Record<string, unknown>).inverse = get("invert");
    }
  } else {
    for (const flag of ["threshold", "invert"]) if (get(flag) !== undefined) throw new EdgesegError("INVALID_ARGUMENT", `--${flag} applies to the classical pipeline; use --prob for a model`);
    if (get("model") !== undefined) pipeline.model = get("model");
    if (get("backend") !== undefined) pipeline.backend = get("backend");
    if (get("threads") !== undefined) pipeline.threads = get("threads");
    if (get("prob") !== undefined) pipeline.threshold = get("prob");
  }
  if (kind === "classical") for (const flag of ["model", "backend", "threads", "prob"]) if (get(flag) !== undefined) throw new EdgesegError("INVALID_ARGUMENT", `--${flag} applies to --pipeline model`);
  const refine = { ...((pipeline.refine as object) ?? {}) } as Record<string, unknown>;
  if (get("open") !== undefined) refine.open = get("open");
  if (get("close") !== undefined) refine.close = get("close");
  if (get("fill-holes") !== undefined) refine.fillHoles = get("fill-holes");
  if (get("remove-small") !== undefined) refine.minArea = get("remove-small");
  if (Object.keys(refine).length) pipeline.refine = refine;
  const regions = { ...((pipeline.regions as object) ?? {}) } as Record<string, unknown>;
  if (get("min-area") !== undefined) regions.minArea = get("min-area");
  if (get("max-area") !== undefined) regions.maxArea = get("max-area");
  if (get("connectivity") !== undefined) regions.connectivity = get("connectivity");
  if (get("features") !== undefined) regions.features = get("features") === "all" ? "all" : String(get("features")).split(",").filter(Boolean);
  if (Object.keys(regions).length) pipeline.regions = regions;
  raw.pipeline = pipeline;

  const sinks = (raw.sinks ?? {}) as Record<string, unknown>;
  if (get("jsonl") !== undefined) sinks.jsonl = { path: get("jsonl") };
  if (get("overlays") !== undefined || get("overlay-every") !== undefined || get("overlay-format") !== undefined) {
    const o = { ...((sinks.overlays as object) ?? {}) } as Record<string, unknown>;
    if (get("overlays") !== undefined) o.dir = get("overlays");
    if (get("overlay-every") !== undefined) o.every = get("overlay-every");
    if (get("overlay-format") !== undefined) o.format = get("overlay-format");
    if (o.dir === undefined) throw new EdgesegError("INVALID_ARGUMENT", "--overlay-every/--overlay-format need --overlays DIR");
    sinks.overlays = o;
  }
  if (get("mqtt") !== undefined || get("mqtt-prefix") !== undefined || get("mqtt-device") !== undefined) {
    const o = { ...((sinks.mqtt as object) ?? {}) } as Record<string, unknown>;
    if (get("mqtt") !== undefined) o.url = get("mqtt");
    if (get("mqtt-prefix") !== undefined) o.prefix = get("mqtt-prefix");
    if (get("mqtt-device") !== undefined) o.device = get("mqtt-device");
    if (o.url === undefined) throw new EdgesegError("INVALID_ARGUMENT", "--mqtt-prefix/--mqtt-device need --mqtt URL");
    sinks.mqtt = o;
  }
  const preview = get("preview");
  if (preview === false) delete sinks.preview;
  else if (preview !== undefined) sinks.preview = { ...((sinks.preview as object) ?? {}), ...(typeof preview === "number" ? { port: preview } : {}) };
  raw.sinks = sinks;

  const loop = (raw.loop ?? {}) as Record<string, unknown>;
  if (get("max-frames") !== undefined) loop.maxFrames = get("max-frames");
  if (get("duration") !== undefined) loop.duration = get("duration");
  raw.loop = loop;
  return validateConfig(raw, "command line");
}

function statusText(s: LiveStatus): string {
  const total = s.latency.total;
  const inf = s.latency.inference;
  return (
    `${s.elapsedSeconds.toFixed(0)}s  ${s.frames} frames  ${s.fps.toFixed(1)} fps  ` +
    `latency p50 ${fmtMs(total?.p50 ?? NaN)} / p99 ${fmtMs(total?.p99 ?? NaN)} ms` +
    (inf ? `  (inference ${fmtMs(inf.p50)})` : "") +
    `  dropped ${s.dropped}  defects ${s.defects}` +
    (s.corrupt ? `  corrupt ${s.corrupt}` : "") +
    (s.reopens ? `  reopens ${s.reopens}` : "")
  );
}

/** The human summary printed at the end of a run. */
export function formatSummary(s: RunSummary): string {
  const lines = [
    `edgeseg run: ${s.endedBy === "end" ? "end of input" : s.endedBy === "signal" ? "stopped by signal" : s.endedBy === "error" ? `failed: ${s.error}` : `stopped (${s.endedBy})`}`,
    `  source    ${s.source}`,
    `  pipeline  ${s.pipeline}`,
    `  frames    ${s.frames} in ${s.seconds.toFixed(1)} s = ${s.fps.toFixed(1)} fps; dropped ${s.dropped}${s.startupDropped ? ` (+${s.startupDropped} while warming up)` : ""}, corrupt ${s.corrupt}, failed ${s.failed}, reopens ${s.reopens}`,
    `  defects   ${s.defectFrames} frames with defects, ${s.regions} regions`,
    `  memory    RSS ${s.memory.rssStartMB} → ${s.memory.rssEndMB} MB (peak ${s.memory.rssPeakMB})`,
    "",
  ];
  const rows: (string | number)[][] = [["stage (ms)", "p50", "p95", "p99", "max", "mean"]];
  for (const stage of STAGES) {
    const h = s.stages[stage];
    if (h.count === 0) continue;
    rows.push([stage === "total" ? "total (read→regions)" : stage, fmtMs(h.p50), fmtMs(h.p95), fmtMs(h.p99), fmtMs(h.max), fmtMs(h.mean)]);
  }
  lines.push(
    table(rows, ["l", "r", "r", "r", "r", "r"])
      .split("\n")
      .map((l) => "  " + l)
      .join("\n"),
  );
  if (s.sinks.length) {
    lines.push("");
    for (const k of s.sinks) {
      lines.push(`  sink ${k.name}: ${k.written} written, ${k.dropped} dropped${k.errors ? `, ${k.errors} errors (${k.lastError})` : ""}`);
    }
  }
  return lines.join("\n") + "\n";
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs(argv, FLAGS, "run");
  const fs = builtin("node:fs");
  const base = values.config !== undefined ? loadConfig(String(values.config), (p) => fs.readFileSync(p, "utf8")) : null;
  const config = buildConfig(values, positionals, base);
  const json = values.json === true;
  const quiet = values.quiet === true;
  if (json && config.sinks.jsonl?.path === "-") throw new EdgesegError("INVALID_ARGUMENT", "--json and --jsonl - both write to stdout; write the records to a file instead");
  const line = new StatusLine(process.stderr, !quiet && process.stderr.isTTY === true);
  const say = (text: string) => (quiet ? undefined : line.log(text));

  const spec = parseSourceUri(config.source.uri);
  const live = spec.kind === "ffmpeg" && spec.input?.kind !== "file";
  const processor = await createProcessor(config.pipeline);
  let source: FrameSource | null = null;
  const sinks: Sink[] = createSinks(config.sinks);
  const opened: Sink[] = [];
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`\nedgeseg run: second ${sig}, exiting now\n`);
      process.exit(EXIT.INTERRUPTED);
    }
    say(`edgeseg run: ${sig} received, stopping after this frame (again to force)`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let summary: RunSummary;
  try {
    source = await openSource(config.source.uri, {
      accept: acceptedFormats(processor.input),
      width: config.source.width,
      height: config.source.height,
      fps: config.source.fps,
      realtime: config.source.realtime,
      loop: config.source.loop,
      retry: config.source.retry ?? (live ? 3 : 0),
      retryDelayMs: config.source.retryDelayMs,
      mode: config.source.mode,
    });
    for (const sink of sinks) {
      await sink.open?.();
      opened.push(sink);
      const url = (sink as { url?: string }).url;
      if (url) say(`edgeseg run: preview at ${url}`);
    }
    if (!quiet) say(`edgeseg run: ${source.uri} (${source.width}×${source.height} ${source.format}${source.fps ? ` @ ${+source.fps.toFixed(2)} fps` : ""}, ${source.live ? "live" : "file"}, ${(source as { mode?: string }).mode === "every" ? "every frame" : "latest frame wins"}) → ${processor.description}`);
    summary = await runPipeline({
      source,
      processor,
      sinks: opened,
      maxFrames: config.loop.maxFrames,
      duration: config.loop.duration,
      statusInterval: config.loop.statusInterval ?? (line.enabled ? 0.25 : 1),
      signal: controller.signal,
      onStatus: (s) => line.update(statusText(s)),
      onEvent: (m) => say(`edgeseg run: ${m}`),
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    line.clear();
    await source?.close();
    for (const sink of opened) await sink.close().catch((e: Error) => say(`edgeseg run: closing ${sink.name} failed: ${e.message}`));
    await processor.dispose();
  }
  // Sink figures after close (flushed, final counts).
  summary.sinks = opened.map((s) => s.stats());
  if (json) printJson(summary);
  else if (!quiet) process.stderr.write(formatSummary(summary));
  if (summary.endedBy === "signal") return EXIT.INTERRUPTED;
  if (summary.endedBy === "error") {
    if (!json) process.stderr.write(`edgeseg run: ${summary.error}${summary.errorCode ? ` [${summary.errorCode}]` : ""}\n`);
    return summary.errorCode === "SOURCE_FAILED" || summary.errorCode === "MISSING_TOOL" ? EXIT.UNAVAILABLE : EXIT.FAILED;
  }
  return EXIT.OK;
}

export const command: Command = {
  summary: "segment a camera, stream, video or image folder in real time",
  help: HELP,
  run,
};
