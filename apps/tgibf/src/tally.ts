import { LatencyHistogram } from "./latency-histogram";

/** The outcome of one request: an HTTP status, or a network error's code (ECONNRESET, TIMEOUT…). */
export type Outcome = { status: number } | { error: string };

/** Running totals of a load run. */
export class Tally {
  sent = 0;
  ok = 0;
  errors = 0;
  readonly statuses = new Map<number, number>();
  readonly errorKinds = new Map<string, number>();
  readonly latency = new LatencyHistogram();

  record(outcome: Outcome, latencyMs: number): void {
    this.latency.record(latencyMs);
    if ("status" in outcome) {
      if (outcome.status === 200) this.ok += 1;
      else this.statuses.set(outcome.status, (this.statuses.get(outcome.status) ?? 0) + 1);
    } else {
      this.errors += 1;
      this.errorKinds.set(outcome.error, (this.errorKinds.get(outcome.error) ?? 0) + 1);
    }
  }

  get completed(): number {
    return this.ok + this.errors + [...this.statuses.values()].reduce((a, b) => a + b, 0);
  }
}
