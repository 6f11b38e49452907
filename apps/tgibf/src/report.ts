import type { LoadRun, Progress, RoundResult } from "./load";
import type { LoadMode } from "./options";

/** The final figures of a run, as printed with --json. */
export interface LoadReport {
  mode: LoadMode;
  webhook: string;
  duration_s: number;
  sent: number;
  /** Answered 200: acknowledged, i.e. stored. */
  ok: number;
  /** Every other HTTP status, by code. */
  statuses: Record<string, number>;
  /** Requests that got no HTTP answer (connection refused/reset, timeout). */
  errors: number;
  error_kinds: Record<string, number>;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Answered requests per second over the run. */
  rate_per_s: number;
  rounds?: RoundResult[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function buildReport(run: LoadRun, mode: LoadMode): LoadReport {
  const { tally } = run;
  const seconds = Math.max(run.elapsedMs, 1) / 1000;
  const report: LoadReport = {
    mode,
    webhook: run.target,
    duration_s: round2(seconds),
    sent: tally.sent,
    ok: tally.ok,
    statuses: Object.fromEntries(
      [...tally.statuses].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v]),
    ),
    errors: tally.errors,
    error_kinds: Object.fromEntries(tally.errorKinds),
    p50_ms: round2(tally.latency.percentile(50)),
    p95_ms: round2(tally.latency.percentile(95)),
    p99_ms: round2(tally.latency.percentile(99)),
    max_ms: round2(tally.latency.max),
    rate_per_s: round2(tally.completed / seconds),
  };
  if (mode === "burst") report.rounds = run.rounds;
  return report;
}

/** The report as an aligned two-column table. */
export function formatTable(report: LoadReport): string {
  const rows: [string, string][] = [
    ["mode", report.mode],
    ["webhook", report.webhook],
    ["duration", `${report.duration_s} s`],
    ["sent", String(report.sent)],
    ["200 OK", String(report.ok)],
    ...Object.entries(report.statuses).map(([code, n]): [string, string] => [`HTTP ${code}`, String(n)]),
    ["network errors", String(report.errors)],
    ...Object.entries(report.error_kinds).map(([kind, n]): [string, string] => [`  ${kind}`, String(n)]),
    ["latency p50", `${report.p50_ms} ms`],
    ["latency p95", `${report.p95_ms} ms`],
    ["latency p99", `${report.p99_ms} ms`],
    ["latency max", `${report.max_ms} ms`],
    ["achieved rate", `${report.rate_per_s} req/s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (report.rounds && report.rounds.length > 0) {
    lines.push("", "round  events  200 OK  network errors");
    for (const r of report.rounds) {
      lines.push(
        `${String(r.round).padStart(5)}  ${String(r.events).padStart(6)}  ${String(r.ok).padStart(6)}  ${String(r.errors).padStart(14)}`,
      );
    }
  }
  return lines.join("\n");
}

/** One progress line: elapsed, counts so far, current rate. */
export function progressLine(progress: Progress, previousCompleted: number, intervalMs: number): string {
  const { tally } = progress;
  const other = tally.completed - tally.ok - tally.errors;
  const rate = ((tally.completed - previousCompleted) * 1000) / Math.max(intervalMs, 1);
  const round = progress.round === undefined ? "" : ` round ${progress.round}`;
  return `[${(progress.elapsedMs / 1000).toFixed(0).padStart(5)}s]${round} sent ${tally.sent} ok ${tally.ok} other ${other} errors ${tally.errors} in-flight ${progress.inFlight} ${rate.toFixed(0)} req/s p99 ${tally.latency.percentile(99).toFixed(1)} ms`;
}
