import assert from "node:assert/strict";
import type { ServiceSpec } from "../../catalog/types";
import { runnerConfig } from "../../local/runner/config";
import {
  type LocalEnvContext,
  mysqlUserName,
  resolveServiceEnv,
  secretVariable,
} from "../../local/runner/env";
import { levelOf, toJsonLine } from "../../local/runner/logs";

const service: ServiceSpec = {
  name: "sample-api",
  system: "sample",
  kind: "service",
  description: "A sample service for the env resolution tests.",
  entry: "apps/sample/src/main.ts",
  port: 9000,
  health: { liveness: "/healthz", readiness: "/readyz" },
  metricsPath: "/metrics",
  publicRoutes: [],
  env: {
    PORT: { from: "platform", field: "port" },
    LOG_LEVEL: { from: "platform", field: "logLevel" },
    ENVIRONMENT: { from: "platform", field: "environment" },
    MODE: { from: "literal", value: "fast" },
    DB_HOST: { from: "mysql", field: "host" },
    DB_PORT: { from: "mysql", field: "port" },
    DB_USER: { from: "mysql", field: "user" },
    DB_PASSWORD: { from: "mysql", field: "password" },
    DB_NAME: { from: "mysql", field: "database" },
    DB_CA: { from: "mysql", field: "tlsCa" },
    REDIS: { from: "redis", field: "hosts" },
    REDIS_TLS: { from: "redis", field: "tls" },
    MQ_PORT: { from: "activemq", field: "port" },
    MQ_TLS: { from: "activemq", field: "tls" },
    DYNAMO: { from: "dynamodb", field: "endpoint" },
    OTHER_URL: { from: "service", service: "other-api", field: "url" },
    OTHER_SRV: { from: "service", service: "other-api", field: "srv" },
    API_KEY: { from: "secret", name: "sample-api-key" },
    PARTNER_TOKEN: { from: "secret", name: "sample-partner-token", optionalLocally: true },
  },
  uses: {
    mysql: { database: "sample", tls: true },
    redis: { cache: true },
    activemq: { destinations: [] },
    dynamodb: { tables: [] },
  },
  calls: ["other-api"],
  scaling: { min: 1, max: 1, cpuTarget: 50 },
  resources: { cpu: 64, memory: 64 },
};

const context: LocalEnvContext = {
  mysql: { host: "127.0.0.1", port: 13306, caFile: "/state/mysql/tls/ca.pem" },
  mysqlAccount: (s) => ({ user: mysqlUserName(s), password: "db-pw" }),
  redis: { host: "127.0.0.1", port: 16379, password: "r-pw" },
  activemq: { host: "127.0.0.1", port: 16613, user: "battle", password: "mq-pw" },
  dynamodb: { endpoint: "http://127.0.0.1:18000", region: "us-east-1" },
  servicePort: (name) => ({ "sample-api": 9000, "other-api": 9001 })[name] ?? 0,
  secret: (name, _variable, optional) => (optional ? undefined : `generated-${name}`),
  logLevel: "debug",
};

describe("local runner: resolving a service's environment", () => {
  it("turns every source into a local value, and leaves optional secrets and SRV unset", () => {
    const { env, unset } = resolveServiceEnv(service, context);
    assert.deepEqual(env, {
      PORT: "9000",
      LOG_LEVEL: "debug",
      ENVIRONMENT: "local",
      MODE: "fast",
      DB_HOST: "127.0.0.1",
      DB_PORT: "13306",
      DB_USER: "sample_api",
      DB_PASSWORD: "db-pw",
      DB_NAME: "sample",
      DB_CA: "/state/mysql/tls/ca.pem",
      REDIS: "127.0.0.1:16379",
      REDIS_TLS: "false",
      MQ_PORT: "16613",
      MQ_TLS: "false",
      DYNAMO: "http://127.0.0.1:18000",
      OTHER_URL: "http://127.0.0.1:9001",
      API_KEY: "generated-sample-api-key",
    });
    assert.deepEqual(unset.sort(), ["OTHER_SRV", "PARTNER_TOKEN"]);
  });

  it("names the service and variable when a dependency is not running", () => {
    assert.throws(
      () => resolveServiceEnv(service, { ...context, redis: undefined }),
      /sample-api\.env\.REDIS: Redis is not running locally/,
    );
  });

  it("names the variable a user sets to supply a secret", () => {
    assert.equal(secretVariable("buffs-dashboard-token"), "BATTLE_READY_SECRET_BUFFS_DASHBOARD_TOKEN");
  });
});

describe("local runner: log lines", () => {
  it("keeps JSON lines as they are and reads pino's numeric level", () => {
    const line = '{"level":50,"time":1,"service":"todo","msg":"boom"}';
    assert.deepEqual(toJsonLine("todo", "stdout", line), { text: line, level: "error" });
  });

  it("wraps other lines into JSON with the process name, stream and a level guessed from the text", () => {
    const { text, level } = toJsonLine(
      "mysql",
      "stderr",
      "2026-11-21 10:31:21 0 [Warning] Could not increase",
    );
    const parsed = JSON.parse(text) as Record<string, string>;
    assert.equal(level, "warn");
    assert.equal(parsed.service, "mysql");
    assert.equal(parsed.stream, "stderr");
    assert.equal(parsed.level, "warn");
    assert.equal(parsed.msg, "2026-11-21 10:31:21 0 [Warning] Could not increase");
    assert.ok(!Number.isNaN(Date.parse(parsed.time!)));
  });

  it("recognises the servers' own level words", () => {
    assert.equal(levelOf("2026-11-21 10:33:07,353 ERROR [BrokerService] Failed to start", false), "error");
    assert.equal(levelOf("2026-11-21 10:33:07,353 INFO  [BrokerService] started", false), "info");
    assert.equal(levelOf("28280:M 21 Nov 2026 # WARNING overcommit_memory is set to 0", false), "warn");
    assert.equal(levelOf('{"level":"warning","msg":"x"}', true), "warn");
  });
});

describe("local runner: Redis maxmemory", () => {
  it("defaults to 64mb, takes BATTLE_READY_REDIS_MAXMEMORY, and refuses what Redis would not", () => {
    assert.equal(runnerConfig({}).redisMaxMemory, "64mb");
    assert.equal(runnerConfig({ BATTLE_READY_REDIS_MAXMEMORY: " 1GB " }).redisMaxMemory, "1gb");
    assert.equal(runnerConfig({ BATTLE_READY_REDIS_MAXMEMORY: "100000000" }).redisMaxMemory, "100000000");
    for (const bad of ["0", "64 mb", "64tb", "-1mb", "lots"]) {
      assert.throws(
        () => runnerConfig({ BATTLE_READY_REDIS_MAXMEMORY: bad }),
        /BATTLE_READY_REDIS_MAXMEMORY must be a Redis memory size/,
        bad,
      );
    }
  });
});
