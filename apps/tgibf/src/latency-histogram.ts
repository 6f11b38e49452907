/**
 * Latencies in logarithmic buckets 1% wide, from 10 µs to about 10 minutes: constant memory at any
 * request count, and percentiles accurate to 1%.
 */
const MIN_MS = 0.01;
const GROWTH = 1.01;
const BUCKETS = Math.ceil(Math.log(600_000 / MIN_MS) / Math.log(GROWTH)) + 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private maxMs = 0;

  record(ms: number): void {
    const index =
      ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / Math.log(GROWTH)));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total += 1;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.total;
  }

  get max(): number {
    return this.maxMs;
  }

  /** The latency (ms) below which `p` percent of the recorded latencies fall; 0 when empty. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.maxMs, MIN_MS * GROWTH ** i);
    }
    return this.maxMs;
  }
}
