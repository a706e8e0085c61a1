// The real-time loop: source → convert → processor → sinks, with every stage timed.
//
// Latency stays bounded: a live source keeps only the newest frame (latest-frame-wins, drops
// counted) while ffmpeg decodes the next one in its own process. The loop yields to the event
// loop once per frame so the pipe is drained while the previous frame is processed.
import { EdgesegError } from "../core/errors.js";
import type { FrameSource } from "../sources/types.js";
import type { FrameRecord, LiveStatus, Sink, SinkStats } from "../sinks/types.js";
import { Converter, type ProcessTimings, type Processor } from "./processors.js";
import { type LatencySummary, STAGES, type Stage, StageStats } from "./stats.js";

export interface RunPipelineOptions {
  source: FrameSource;
  processor: Processor;
  sinks?: Sink[];
  /** Stop after this many processed frames (0 = no limit). */
  maxFrames?: number;
  /** Stop after this many seconds (0 = no limit). */
  duration?: number;
  /** Seconds between `onStatus` calls. @default 1 */
  statusInterval?: number;
  /** Aborting stops the loop after the current frame; the summary says `signal`. */
  signal?: AbortSignal;
  /** Live figures once per status interval. */
  onStatus?: (status: LiveStatus) => void;
  /** Notices worth showing: a source reopened, a frame failed. */
  onEvent?: (message: string) => void;
  /** Stop after this many frames fail in a row. @default 25 */
  maxConsecutiveFailures?: number;
}

/** How the run ended. */
export type EndReason = "end" | "max-frames" | "duration" | "signal" | "error";

/** The final summary of a run (what `edgeseg run` prints and `--json` emits). */
export interface RunSummary {
  source: string;
  pipeline: string;
  endedBy: EndReason;
  error?: string;
  errorCode?: string;
  frames: number;
  seconds: number;
  fps: number;
  /** Frames the source dropped because processing fell behind (latest-frame-wins). */
  dropped: number;
  /** Frames a live source delivered (and dropped) while the pipeline warmed up, before the run. */
  startupDropped: number;
  /** Frames the decoder reported damaged, or truncated frames skipped. */
  corrupt: number;
  reopens: number;
  /** Frames whose processing threw (skipped). */
  failed: number;
  /** Frames with at least one region. */
  defectFrames: number;
  regions: number;
  stages: Record<Stage, LatencySummary>;
  sinks: SinkStats[];
  memory: { rssStartMB: number; rssEndMB: number; rssPeakMB: number };
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

/**
 * Runs frames from `source` through `processor` into `sinks` until the source ends, a limit is
 * reached, or `signal` aborts. Never throws for a source or frame failure: the summary says how it ended.
 *
 * @example
 * const source = await openSource("file:clip.mp4", { accept: acceptedFormats(processor.input) });
 * const summary = await runPipeline({ source, processor, sinks: [new JsonlSink({ path: "-" })] });
 */
export async function runPipeline(options: RunPipelineOptions): Promise<RunSummary> {
  const { source, processor, signal } = options;
  const sinks = options.sinks ?? [];
  const stats = new StageStats();
  const converter = new Converter(processor.input);
  const timings: ProcessTimings = { preprocess: 0, inference: 0, postprocess: 0 };
  const maxFrames = options.maxFrames ?? 0;
  const durationMs = (options.duration ?? 0) * 1000;
  const statusMs = (options.statusInterval ?? 1) * 1000;
  const maxFailures = options.maxConsecutiveFailures ?? 25;
  const rssStart = process.memoryUsage.rss();
  let rssPeak = rssStart;

  let frames = 0;
  let failed = 0;
  let consecutiveFailures = 0;
  let defectFrames = 0;
  let regionCount = 0;
  let endedBy: EndReason = "end";
  let error: EdgesegError | Error | undefined;

  source.onEvent = (e) => options.onEvent?.(e.message);
  // Wakes a wait for the next frame when the signal aborts. A fresh promise per wait: racing one
  // long-lived promise would attach a reaction to it per frame and leak them all.
  let wakeOnAbort: (() => void) | null = null;
  const onAbort = () => wakeOnAbort?.();
  signal?.addEventListener("abort", onAbort, { once: true });

  // First-frame allocations (scratch buffers at this size, JIT) before the clock starts. Frames a
  // live source delivered meanwhile are reported apart from drops during the run.
  await processor.warmup(source.width, source.height);
  const droppedBefore = source.stats().dropped;

  const start = performance.now();
  let lastStatus = start;
  stats.resetWindow(start);

  const status = (now: number): LiveStatus => {
    const s = source.stats();
    const latency: LiveStatus["latency"] = {};
    for (const stage of STAGES) {
      const h = stats.window[stage].count > 0 ? stats.window[stage] : stats.run[stage];
      if (h.count === 0) continue;
      latency[stage] = { p50: h.quantile(0.5), p95: h.quantile(0.95), p99: h.quantile(0.99), max: h.max };
    }
    return {
      source: source.uri,
      pipeline: processor.description,
      frames,
      fps: stats.windowFps(now),
      dropped: s.dropped - droppedBefore,
      corrupt: s.corrupt,
      reopens: s.reopens,
      defects: defectFrames,
      elapsedSeconds: (now - start) / 1000,
      latency,
      sinks: sinks.map((k) => k.stats()),
    };
  };

  try {
    for (;;) {
      if (signal?.aborted) {
        endedBy = "signal";
        break;
      }
      if (maxFrames > 0 && frames >= maxFrames) {
        endedBy = "max-frames";
        break;
      }
      if (durationMs > 0 && performance.now() - start >= durationMs) {
        endedBy = "duration";
        break;
      }
      let frame;
      try {
        const aborted = new Promise<null>((resolve) => (wakeOnAbort = () => resolve(null)));
        frame = await Promise.race([source.next(), aborted]);
        wakeOnAbort = null;
      } catch (e) {
        endedBy = "error";
        error = e as Error;
        break;
      }
      if (!frame) {
        endedBy = signal?.aborted ? "signal" : "end";
        break;
      }
      stats.record("capture", frame.captureMs);
      try {
        const t0 = performance.now();
        const image = converter.convert(frame);
        const t1 = performance.now();
        const result = await processor.process(image, timings);
        const t2 = performance.now();
        stats.record("convert", t1 - t0);
        stats.record("preprocess", timings.preprocess);
        stats.record("inference", timings.inference);
        stats.record("postprocess", timings.postprocess);
        const total = t2 - frame.readAt;
        stats.record("total", total);
        const defect = result.regions.length > 0;
        if (defect) defectFrames++;
        regionCount += result.regions.length;
        if (sinks.length > 0) {
          const record: FrameRecord = {
            frame: frame.seq,
            pts: frame.pts,
            time: new Date(frame.wallTime).toISOString(),
            width: frame.width,
            height: frame.height,
            defect,
            regions: result.regions,
            latencyMs: {
              capture: frame.captureMs,
              convert: t1 - t0,
              preprocess: timings.preprocess,
              inference: timings.inference,
              postprocess: timings.postprocess,
              total,
            },
          };
          const view = { image, mask: result.mask };
          for (const sink of sinks) {
            try {
              sink.write(record, view);
            } catch (e) {
              options.onEvent?.(`sink ${sink.name} failed: ${(e as Error).message}`);
            }
          }
          stats.record("sinks", performance.now() - t2);
        }
        consecutiveFailures = 0;
        frames++;
        stats.windowFrames++;
      } catch (e) {
        failed++;
        consecutiveFailures++;
        options.onEvent?.(`frame ${frame.seq} failed: ${(e as Error).message}`);
        if (consecutiveFailures >= maxFailures) {
          endedBy = "error";
          error = e as Error;
          break;
        }
      }
      const now = performance.now();
      if (now - lastStatus >= statusMs) {
        const rss = process.memoryUsage.rss();
        if (rss > rssPeak) rssPeak = rss;
        const s = status(now);
        options.onStatus?.(s);
        for (const sink of sinks) sink.status?.(s);
        stats.resetWindow(now);
        lastStatus = now;
      }
      // Let pending pipe reads and sink I/O run before the next frame.
      await yieldToIo();
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    converter.dispose();
  }

  const seconds = (performance.now() - start) / 1000;
  await Promise.all(sinks.map((s) => s.flush().catch(() => undefined)));
  const rssEnd = process.memoryUsage.rss();
  const s = source.stats();
  return {
    source: source.uri,
    pipeline: processor.description,
    endedBy,
    error: error?.message,
    errorCode: error instanceof EdgesegError ? error.code : undefined,
    frames,
    seconds,
    fps: seconds > 0 ? frames / seconds : 0,
    dropped: s.dropped - droppedBefore,
    startupDropped: droppedBefore,
    corrupt: s.corrupt,
    reopens: s.reopens,
    failed,
    defectFrames,
    regions: regionCount,
    stages: stats.summary("run"),
    sinks: sinks.map((k) => k.stats()),
    memory: { rssStartMB: mb(rssStart), rssEndMB: mb(rssEnd), rssPeakMB: mb(Math.max(rssPeak, rssEnd)) },
  };
}
