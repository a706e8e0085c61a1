// A progress bar for long offline jobs (eval, bench). Draws on stderr only when it is a terminal,
// so piped output and --json stay clean.

export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Boolean(stream.isTTY) && !process.env.CI;
  }

  /** Redraws at most every 80 ms (and always at the end). */
  update(done: number, detail = ""): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (done < this.total && now - this.lastDraw < 80) return;
    this.lastDraw = now;
    const width = 28;
    const fraction = this.total ? done / this.total : 1;
    const filled = Math.round(fraction * width);
    const elapsed = (now - this.started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : 0;
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const line = `${this.label} ${bar} ${done}/${this.total} ${(fraction * 100).toFixed(0)}% ${elapsed.toFixed(1)}s${done < this.total ? ` eta ${eta.toFixed(0)}s` : ""} ${detail}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns || 120) - 1)}`);
  }

  done(): void {
    if (this.enabled) this.stream.write("\r\x1b[2K");
  }
}

/** Runs `task` over `items` with at most `limit` in flight, preserving order of results. */
export async function mapLimit<T, R>(items: T[], limit: number, task: (item: T, index: number) => Promise<R>, onDone?: (count: number) => void): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
      onDone?.(++finished);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
