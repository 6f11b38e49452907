import assert from "node:assert/strict";
import { DEFAULT_BATCHING, webhookConfigFromEnv } from "../../apps/call-webhook/src/config";
import { readEnv } from "../../lib/service-kit";

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
    assert.deepEqual(config.mysql, {
      ...{ host: "db.internal", port: 3306 },
      user: "call_webhook",
      password: "secret",
      database: "call_events",
      connections: 10,
    });
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
});
