/**
 * tgibf with every request's latency kept, for benchmarks that measure one variant in several
 * slices (separate tgibf runs) and want one true percentile over all of them: a p99 cannot be
 * combined from the slices' p99s (their median hides the worst slice).
 *
 * As a process (`tsx bench/_tgibf-latencies.ts <tgibf options>`), it runs tgibf's own load loop
 * (runLoad, the same options and --json report as apps/tgibf/src/main.ts), times each
 * Sender.post around the same call tgibf times, and writes the latencies (ms, float64, in
 * completion order) to the file named by BENCH_LATENCY_FILE. tgibf's report carries only
 * percentiles, so this is the way to the samples without changing tgibf.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LatencyHistogram } from "../apps/tgibf/src/latency-histogram";
import { runLoad } from "../apps/tgibf/src/load";
import { parseOptions } from "../apps/tgibf/src/options";
import { buildReport, type LoadReport } from "../apps/tgibf/src/report";
import { Sender } from "../apps/tgibf/src/sender";
import { throwAwayDir } from "../local/deps";
import { runTgibf } from "./_ingest-processes";

const LATENCY_FILE_ENV = "BENCH_LATENCY_FILE";

export interface SampledRun {
  report: LoadReport;
  /** Every request's latency in ms, answered or not (as tgibf counts them). */
  latencies: Float64Array;
}

/** Runs tgibf (in its own process, like runTgibf) and returns its report and every latency. */
export async function runTgibfSampled(webhook: string, args: string[]): Promise<SampledRun> {
  const file = join(throwAwayDir("tgibf-latencies"), `latencies-${process.pid}-${Date.now()}.f64`);
  try {
    const report = await runTgibf(webhook, args, undefined, {
      entry: "bench/_tgibf-latencies.ts",
      env: { [LATENCY_FILE_ENV]: file },
    });
    const bytes = readFileSync(file);
    const latencies = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    const answered = report.ok + report.errors + Object.values(report.statuses).reduce((a, b) => a + b, 0);
    if (latencies.length !== answered) {
      throw new Error(`tgibf answered ${answered} requests but ${latencies.length} latencies were recorded`);
    }
    return { report, latencies };
  } finally {
    rmSync(file, { force: true });
  }
}

/** One histogram (tgibf's, 1 % buckets) over the latencies of all the runs given. */
export function mergedLatencies(runs: readonly SampledRun[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const run of runs) for (const ms of run.latencies) histogram.record(ms);
  return histogram;
}

async function main(): Promise<void> {
  const file = process.env[LATENCY_FILE_ENV];
  if (!file) throw new Error(`set ${LATENCY_FILE_ENV} to the file that receives the latencies`);
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options === "help") throw new Error("see tgibf --help for the options");
  const latencies: number[] = [];
  const post = Sender.prototype.post;
  Sender.prototype.post = function (this: Sender, body: string) {
    const t0 = performance.now();
    return post.call(this, body).then((outcome) => {
      latencies.push(performance.now() - t0);
      return outcome;
    });
  };
  const report = buildReport(await runLoad(options), options.mode);
  writeFileSync(file, new Float64Array(latencies));
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`tgibf-latencies: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
