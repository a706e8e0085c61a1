// Latency statistics that cost nothing per frame: a fixed log-bucket histogram (1% wide buckets
// from 1 µs to ~100 s) per stage, exact max and mean, for the whole run and for a rolling window.

const MIN_MS = 0.001;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 1900; // 0.001 ms · 1.01^1900 ≈ 160 s

/** Percentile summary of one stage, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * A latency histogram with 1% relative resolution and an exact maximum. `record()` does no
 * allocation; percentiles are read from the buckets (upper bucket edge, so never optimistic).
 */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  record(ms: number): void {
    if (!(ms >= 0)) return;
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.counts[i]!++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** The `q`-quantile (0..1) in ms: the upper edge of the bucket holding it, capped at the max. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, i === 0 ? MIN_MS : MIN_MS * GROWTH ** i);
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      mean: this.count ? this.sum / this.count : 0,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: this.max,
    };
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }
}

/** The stages the loop times separately, in order. `total` is end to end: frame read → regions out. */
export const STAGES = ["capture", "convert", "preprocess", "inference", "postprocess", "sinks", "total"] as const;
export type Stage = (typeof STAGES)[number];

/** Histograms for every stage, for the whole run and for the current status window. */
export class StageStats {
  readonly run = Object.fromEntries(STAGES.map((s) => [s, new LatencyHistogram()])) as Record<Stage, LatencyHistogram>;
  readonly window = Object.fromEntries(STAGES.map((s) => [s, new LatencyHistogram()])) as Record<Stage, LatencyHistogram>;
  windowStart = performance.now();
  windowFrames = 0;

  record(stage: Stage, ms: number): void {
    this.run[stage].record(ms);
    this.window[stage].record(ms);
  }

  /** Frames per second in the window so far. */
  windowFps(now = performance.now()): number {
    const s = (now - this.windowStart) / 1000;
    return s > 0 ? this.windowFrames / s : 0;
  }

  resetWindow(now = performance.now()): void {
    for (const s of STAGES) this.window[s].reset();
    this.windowStart = now;
    this.windowFrames = 0;
  }

  summary(which: "run" | "window" = "run"): Record<Stage, LatencySummary> {
    const h = which === "run" ? this.run : this.window;
    return Object.fromEntries(STAGES.map((s) => [s, h[s].summary()])) as Record<Stage, LatencySummary>;
  }
}
