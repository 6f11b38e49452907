/**
 * npm run bench -- ingest [--json]   (or: tsx bench/ingest.ts [--json])
 *
 * Ingest throughput of call-webhook at 100 keep-alive connections, side by side in one run:
 *   ceiling  the same server answering 200 {"status":"discarded"} without storing anything
 *            (INGEST_MODE=none, which also needs BENCHMARK_ONLY_DISCARD_EVENTS=yes)
 *   naive    one autocommit INSERT per request (INGEST_MODE=naive) on the webhook's pool of 10
 *            connections: InnoDB itself shares fsyncs between concurrent commits
 *   naive-1  the same on a single connection: one fsync per event (shown in the table only)
 *   durable  the production path: group commit, 200 only after COMMIT (INGEST_MODE=group-commit)
 *
 * One webhook process per variant, all on the same MariaDB (innodb_flush_log_at_trx_commit=1),
 * driven in turn by tgibf in a separate process (--mode concurrency --concurrency 100
 * --keep-alive). The machine is shared, so its load drifts: instead of one 10 s phase after
 * another, every variant is measured in ROUNDS rounds of SLICE_S seconds, the order rotating each
 * round, and the slices are added up: events/s = all 200s / all measured time, and p50 and p99 are
 * taken over every request of all the variant's slices (their latencies merged into one histogram:
 * a median of the slices' p99s would hide the worst slice). Each variant is warmed up first (JIT,
 * pool connections).
 */
import {
  runTgibf,
  startWebhookDatabase,
  startWebhookProcess,
  type WebhookProcess,
} from "./_ingest-processes";
import { mergedLatencies, runTgibfSampled, type SampledRun } from "./_tgibf-latencies";

const CONNECTIONS = 100;
const WARMUP = "2s";
const ROUNDS = 3;
const SLICE_S = 4;

type PhaseName = "ceiling" | "naive" | "naive-1" | "durable";

interface Phase {
  name: PhaseName;
  env: Record<string, string>;
}

const PHASES: readonly Phase[] = [
  // Discards every event: the webhook refuses this mode without the second variable.
  { name: "ceiling", env: { INGEST_MODE: "none", BENCHMARK_ONLY_DISCARD_EVENTS: "yes" } },
  { name: "naive", env: { INGEST_MODE: "naive", MYSQL_POOL_SIZE: "10" } },
  { name: "naive-1", env: { INGEST_MODE: "naive", MYSQL_POOL_SIZE: "1" } },
  { name: "durable", env: { INGEST_MODE: "group-commit", MYSQL_POOL_SIZE: "10" } },
];

const LOAD = [
  "--mode",
  "concurrency",
  "--concurrency",
  String(CONNECTIONS),
  "--keep-alive",
  "--progress",
  "0",
];

interface Measured {
  rps: number;
  /** Over every request of all the slices. */
  p50_ms: number;
  p99_ms: number;
  /** Each slice's own p99, in the order measured: how much the tail moved between slices. */
  slice_p99_ms: number[];
  non200: number;
  errors: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function combine(slices: SampledRun[]): Measured {
  const reports = slices.map((s) => s.report);
  const ok = reports.reduce((sum, r) => sum + r.ok, 0);
  const seconds = reports.reduce((sum, r) => sum + r.duration_s, 0);
  const latency = mergedLatencies(slices);
  return {
    rps: Math.round(ok / seconds),
    p50_ms: round1(latency.percentile(50)),
    p99_ms: round1(latency.percentile(99)),
    slice_p99_ms: reports.map((r) => round1(r.p99_ms)),
    non200: reports.reduce((sum, r) => sum + Object.values(r.statuses).reduce((a, b) => a + b, 0), 0),
    errors: reports.reduce((sum, r) => sum + r.errors, 0),
  };
}

export async function run(opts: { json: boolean }): Promise<Record<string, number>> {
  const db = await startWebhookDatabase();
  const servers = new Map<PhaseName, WebhookProcess>();
  const slices = new Map<PhaseName, SampledRun[]>(PHASES.map((p) => [p.name, []]));
  try {
    for (const phase of PHASES) servers.set(phase.name, await startWebhookProcess(db, phase.env));
    const target = (name: PhaseName) => `${servers.get(name)!.url}/webhook`;
    for (const phase of PHASES) await runTgibf(target(phase.name), [...LOAD, "--duration", WARMUP]);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < PHASES.length; i++) {
        const phase = PHASES[(round + i) % PHASES.length]!;
        process.stderr.write(`ingest: round ${round + 1}/${ROUNDS}, ${phase.name}, ${SLICE_S} s…\n`);
        slices
          .get(phase.name)!
          .push(await runTgibfSampled(target(phase.name), [...LOAD, "--duration", `${SLICE_S}s`]));
      }
    }
  } finally {
    for (const server of servers.values()) await server.stop();
    await db.mariadb.stop();
  }
  const results = new Map(PHASES.map((p) => [p.name, combine(slices.get(p.name)!)]));
  const ceiling = results.get("ceiling")!;
  const durable = results.get("durable")!;
  const naive = results.get("naive")!;
  const figures = {
    ceiling_rps: ceiling.rps,
    durable_rps: durable.rps,
    naive_rps: naive.rps,
    p99_ms: durable.p99_ms,
    // Extra: the worst slice's own p99, so a slow moment shows next to the whole run's p99.
    p99_worst_slice_ms: Math.max(...durable.slice_p99_ms),
  };
  if (!opts.json) {
    const rows = [
      ["server", "events/s (200s)", "p50 ms", "p99 ms", "slices' p99 ms", "non-200", "errors"],
      ...PHASES.map(({ name }) => {
        const r = results.get(name)!;
        const sliceP99 = r.slice_p99_ms.join(" / ");
        return [
          name,
          String(r.rps),
          String(r.p50_ms),
          String(r.p99_ms),
          sliceP99,
          String(r.non200),
          String(r.errors),
        ];
      }),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
    const ratio = (a: number, b: number) => (a / Math.max(1, b)).toFixed(1);
    console.log(
      `durable / ceiling = ${((durable.rps / ceiling.rps) * 100).toFixed(0)}% (target ≥ 50%), ` +
        `durable / naive = ${ratio(durable.rps, naive.rps)}× (target ≥ 10×; ` +
        `${ratio(durable.rps, results.get("naive-1")!.rps)}× a single-connection naive), ` +
        `durable p99 = ${durable.p99_ms} ms (target ≤ 50 ms)`,
    );
  }
  return figures;
}

if (require.main === module) {
  const json = process.argv.includes("--json");
  run({ json }).then(
    (figures) => {
      if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`ingest: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
