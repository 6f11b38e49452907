import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { DEFAULT_BATCHING, webhookConfigFromEnv } from "../../apps/call-webhook/src/config";
import { readEnv } from "../../lib/service-kit";

const REPO = join(__dirname, "..", "..");
const REFUSED_DISCARD = /INGEST_MODE=none stores nothing.*also set BENCHMARK_ONLY_DISCARD_EVENTS=yes/;

const BASE = {
  MYSQL_HOST: "db.internal",
  MYSQL_USER: "call_webhook",
  MYSQL_PASSWORD: "secret",
  MYSQL_DATABASE: "call_events",
};

describe("call-events: call-webhook configuration", () => {
  it("reads the database from MYSQL_* and defaults the rest", () => {
    const config = webhookConfigFromEnv(readEnv(BASE));
    assert.equal(config.port, 8090);
    // (tls, if the config has it, is checked where TLS is tested.)
    assert.deepEqual(
      { ...config.mysql, tls: undefined },
      {
        tls: undefined,
        ...{ host: "db.internal", port: 3306 },
        user: "call_webhook",
        password: "secret",
        database: "call_events",
        connections: 10,
      },
    );
    assert.deepEqual(config.batching, DEFAULT_BATCHING);
    assert.equal(config.ingestMode, "group-commit");
    assert.equal(config.statementTimeoutMs, 5000);
    assert.equal(config.breakerCooldownMs, 1000);
  });

  it("takes the tuning variables", () => {
    const config = webhookConfigFromEnv(
      readEnv({
        ...BASE,
        BATCH_MAX_SIZE: "100",
        BATCH_MAX_IN_FLIGHT: "4",
        MAX_BACKLOG: "20000",
        INGEST_MODE: "naive",
      }),
    );
    assert.equal(config.batching.maxBatchSize, 100);
    assert.equal(config.batching.maxInFlight, 4);
    assert.equal(config.batching.maxBacklog, 20_000);
    assert.equal(config.ingestMode, "naive");
  });

  it("fails at start with a message naming the bad variable", () => {
    assert.throws(
      () => webhookConfigFromEnv(readEnv({ ...BASE, MYSQL_HOST: undefined })),
      /MYSQL_HOST is required/,
    );
    assert.throws(
      () => webhookConfigFromEnv(readEnv({ ...BASE, MYSQL_PORT: "abc" })),
      /MYSQL_PORT must be an integer/,
    );
    assert.throws(
      () => webhookConfigFromEnv(readEnv({ ...BASE, BATCH_MAX_SIZE: "0" })),
      /BATCH_MAX_SIZE must be >= 1/,
    );
    assert.throws(
      () => webhookConfigFromEnv(readEnv({ ...BASE, INGEST_MODE: "yolo" })),
      /INGEST_MODE must be one of group-commit, naive, none/,
    );
  });

  it("refuses INGEST_MODE=none (store nothing) unless BENCHMARK_ONLY_DISCARD_EVENTS=yes says so too", () => {
    for (const confirmation of [undefined, "", "no", "true", "1", "YES please"]) {
      assert.throws(
        () =>
          webhookConfigFromEnv(
            readEnv({ ...BASE, INGEST_MODE: "none", BENCHMARK_ONLY_DISCARD_EVENTS: confirmation }),
          ),
        REFUSED_DISCARD,
        `BENCHMARK_ONLY_DISCARD_EVENTS=${confirmation}`,
      );
    }
    const benchmark = webhookConfigFromEnv(
      readEnv({ ...BASE, INGEST_MODE: "none", BENCHMARK_ONLY_DISCARD_EVENTS: "yes" }),
    );
    assert.equal(benchmark.ingestMode, "none");
    assert.equal(benchmark.benchmarkOnlyDiscardEvents, true);
    // The confirmation alone changes nothing: the real service still stores.
    const real = webhookConfigFromEnv(readEnv({ ...BASE, BENCHMARK_ONLY_DISCARD_EVENTS: "yes" }));
    assert.equal(real.ingestMode, "group-commit");
    assert.equal(real.benchmarkOnlyDiscardEvents, undefined);
  });

  it("the service process with INGEST_MODE=none alone exits 1 with that message, before touching the database", async function () {
    this.timeout(30_000);
    const tsx = join(REPO, "node_modules", "tsx", "dist", "cli.mjs");
    const main = join(REPO, "apps", "call-webhook", "src", "main.ts");
    const env = {
      PATH: process.env.PATH,
      ...BASE,
      MYSQL_HOST: "127.0.0.1",
      MYSQL_PORT: "1",
      INGEST_MODE: "none",
    };
    const failure = await promisify(execFile)(process.execPath, [tsx, main], { env, timeout: 25_000 }).then(
      () => assert.fail("call-webhook started with INGEST_MODE=none alone"),
      (error: { code?: number; stderr?: string }) => error,
    );
    assert.equal(failure.code, 1, String(failure.stderr));
    const fatal = JSON.parse(String(failure.stderr).trim().split("\n").at(-1)!) as Record<string, string>;
    assert.equal(fatal.level, "fatal");
    assert.match(fatal.msg!, REFUSED_DISCARD);
  });
});
