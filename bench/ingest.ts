/**
 * npm run bench -- ingest [--json]   (or: tsx bench/ingest.ts [--json])
 *
 * Ingest throughput of call-webhook at 100 keep-alive connections, side by side in one run:
 *   ceiling  the same server answering 200 without storing anything (INGEST_MODE=none)
 *   naive    one autocommit INSERT per request (INGEST_MODE=naive) on the webhook's pool of 10
 *            connections: InnoDB itself shares fsyncs between concurrent commits
 *   naive-1  the same on a single connection: one fsync per event (shown in the table only)
 *   durable  the production path: group commit, 200 only after COMMIT (INGEST_MODE=group-commit)
 * Each phase starts a fresh webhook process against the same MariaDB
 * (innodb_flush_log_at_trx_commit=1) and drives it with tgibf in a separate process
 * (--mode concurrency --concurrency 100 --keep-alive): a short warm-up, then a measured run.
 * Events per second count 200 answers only.
 */
import type { LoadReport } from "../apps/tgibf/src/report";
import {
  runTgibf,
  startWebhookDatabase,
  startWebhookProcess,
  type WebhookDatabase,
} from "./_ingest-processes";

const CONNECTIONS = 100;
const WARMUP = "3s";
const MEASURE_S = 10;

interface Phase {
  name: "ceiling" | "naive" | "naive-1" | "durable";
  env: Record<string, string>;
}

const PHASES: readonly Phase[] = [
  { name: "ceiling", env: { INGEST_MODE: "none" } },
  { name: "naive", env: { INGEST_MODE: "naive", MYSQL_POOL_SIZE: "10" } },
  { name: "naive-1", env: { INGEST_MODE: "naive", MYSQL_POOL_SIZE: "1" } },
  { name: "durable", env: { INGEST_MODE: "group-commit", MYSQL_POOL_SIZE: "10" } },
];

async function measure(db: WebhookDatabase, phase: Phase): Promise<LoadReport> {
  const webhook = await startWebhookProcess(db, phase.env);
  try {
    const target = `${webhook.url}/webhook`;
    const load = [
      "--mode",
      "concurrency",
      "--concurrency",
      String(CONNECTIONS),
      "--keep-alive",
      "--progress",
      "0",
    ];
    await runTgibf(target, [...load, "--duration", WARMUP]);
    return await runTgibf(target, [...load, "--duration", `${MEASURE_S}s`]);
  } finally {
    await webhook.stop();
  }
}

const okPerSecond = (r: LoadReport) => Math.round(r.ok / r.duration_s);

export async function run(opts: { json: boolean }): Promise<Record<string, number>> {
  const db = await startWebhookDatabase();
  const reports: Partial<Record<Phase["name"], LoadReport>> = {};
  try {
    for (const phase of PHASES) {
      process.stderr.write(
        `ingest: measuring ${phase.name} (${JSON.stringify(phase.env)}) for ${MEASURE_S} s…\n`,
      );
      reports[phase.name] = await measure(db, phase);
    }
  } finally {
    await db.mariadb.stop();
  }
  const ceiling = reports.ceiling!;
  const naive = reports.naive!;
  const durable = reports.durable!;
  const figures = {
    ceiling_rps: okPerSecond(ceiling),
    durable_rps: okPerSecond(durable),
    naive_rps: okPerSecond(naive),
    p99_ms: durable.p99_ms,
  };
  if (!opts.json) {
    const rows = [
      ["server", "events/s (200s)", "p50 ms", "p99 ms", "non-200", "errors"],
      ...PHASES.map(({ name }) => {
        const r = reports[name]!;
        const non200 = Object.values(r.statuses).reduce((a, b) => a + b, 0);
        return [
          name,
          String(okPerSecond(r)),
          String(r.p50_ms),
          String(r.p99_ms),
          String(non200),
          String(r.errors),
        ];
      }),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
    console.log(
      `durable / ceiling = ${((figures.durable_rps / figures.ceiling_rps) * 100).toFixed(0)}% (target ≥ 50%), ` +
        `durable / naive = ${(figures.durable_rps / Math.max(1, figures.naive_rps)).toFixed(1)}× (target ≥ 10×; ` +
        `${(figures.durable_rps / Math.max(1, okPerSecond(reports["naive-1"]!))).toFixed(1)}× a single-connection naive), ` +
        `durable p99 = ${figures.p99_ms} ms (target ≤ 50 ms)`,
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
