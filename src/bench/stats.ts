// Latency statistics shared by `edgeseg bench` and its reports.

export interface LatencyStats {
  /** The first sample, reported apart (cold caches, JIT, lazy allocation). */
  first: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  runs: number;
}

/** Nearest-rank percentile of ascending samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** Stats of `samples` (ms) where `first` was measured before warm-up. */
export function latencyStats(first: number, samples: number[]): LatencyStats {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    first,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
    runs: sorted.length,
  };
}
