import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceSpec } from "../../catalog/types";
import { type AwsEnvContext, resolveAwsEnv } from "../../platform/aws/env";

function resolved(input: pulumi.Input<string> | undefined): Promise<string> {
  return new Promise((resolve) => pulumi.output(input).apply((v) => resolve(String(v))));
}

const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;

const ctx: AwsEnvContext = {
  region: "eu-west-1",
  environment: "dev",
  logLevel: "info",
  mysql: { host: "db.internal", port: 3306, username: "battleready", secretArn: ARN("mysql") },
  redis: { host: "redis.internal", port: 6379, secretArn: ARN("redis") },
  activemq: { host: "b-1.mq.internal", username: "battleready", secretArn: ARN("mq") },
  secrets: { "api-token": ARN("api-token") },
  discoveryNamespace: "dev.battle-ready.internal",
  ports: { api: 8000, worker: 8100 },
};

function spec(env: ServiceSpec["env"], uses: ServiceSpec["uses"] = {}): ServiceSpec {
  return {
    name: "api",
    system: "demo",
    kind: "service",
    description: "a test service",
    entry: "apps/api/src/main.ts",
    port: 8000,
    health: { liveness: "/healthz", readiness: "/readyz" },
    metricsPath: "/metrics",
    publicRoutes: [],
    env,
    uses,
    calls: ["worker"],
    scaling: { min: 1, max: 2, cpuTarget: 60 },
    resources: { cpu: 256, memory: 256 },
  };
}

describe("AWS env resolution", () => {
  it("passes passwords and generated secrets by reference, everything else by value", async () => {
    const env = resolveAwsEnv(
      spec(
        {
          PORT: { from: "platform", field: "port" },
          LOG_LEVEL: { from: "platform", field: "logLevel" },
          ENVIRONMENT: { from: "platform", field: "environment" },
          MODE: { from: "literal", value: "fast" },
          DB_HOST: { from: "mysql", field: "host" },
          DB_USER: { from: "mysql", field: "user" },
          DB_NAME: { from: "mysql", field: "database" },
          DB_PASSWORD: { from: "mysql", field: "password" },
          REDIS_HOSTS: { from: "redis", field: "hosts" },
          REDIS_PASSWORD: { from: "redis", field: "password" },
          MQ_HOST: { from: "activemq", field: "host" },
          MQ_PORT: { from: "activemq", field: "port" },
          MQ_TLS: { from: "activemq", field: "tls" },
          MQ_PASSWORD: { from: "activemq", field: "password" },
          TOKEN: { from: "secret", name: "api-token" },
        },
        { mysql: { database: "shop" }, redis: { cache: true }, activemq: { destinations: ["/queue/x"] } },
      ),
      ctx,
    );
    assert.deepEqual(Object.keys(env.secrets).sort(), [
      "DB_PASSWORD",
      "MQ_PASSWORD",
      "REDIS_PASSWORD",
      "TOKEN",
    ]);
    assert.equal(await resolved(env.secrets.DB_PASSWORD), `${ARN("mysql")}:password::`);
    assert.equal(await resolved(env.secrets.TOKEN), `${ARN("api-token")}:password::`);
    assert.equal(await resolved(env.environment.REDIS_HOSTS), "redis.internal:6379");
    for (const name of Object.keys(env.secrets))
      assert.ok(!(name in env.environment), `${name} is not plain`);
    assert.deepEqual([...new Set(env.secretArns)].sort(), [
      ARN("api-token"),
      ARN("mq"),
      ARN("mysql"),
      ARN("redis"),
    ]);
    assert.deepEqual(
      {
        PORT: env.environment.PORT,
        LOG_LEVEL: env.environment.LOG_LEVEL,
        ENVIRONMENT: env.environment.ENVIRONMENT,
        MODE: env.environment.MODE,
        DB_HOST: env.environment.DB_HOST,
        DB_USER: env.environment.DB_USER,
        DB_NAME: env.environment.DB_NAME,
        MQ_HOST: env.environment.MQ_HOST,
        MQ_PORT: env.environment.MQ_PORT,
        MQ_TLS: env.environment.MQ_TLS,
      },
      {
        PORT: "8000",
        LOG_LEVEL: "info",
        ENVIRONMENT: "dev",
        MODE: "fast",
        DB_HOST: "db.internal",
        DB_USER: "battleready",
        DB_NAME: "shop",
        MQ_HOST: "b-1.mq.internal",
        MQ_PORT: "61614",
        MQ_TLS: "true",
      },
    );
    assert.equal(env.needsRdsCaBundle, false);
  });

  it("resolves service URLs to Service Connect aliases and SRV names, leaves the DynamoDB endpoint unset", () => {
    const env = resolveAwsEnv(
      spec(
        {
          WORKER_URL: { from: "service", service: "worker", field: "url" },
          WORKER_SRV: { from: "service", service: "worker", field: "srv" },
          DYNAMODB_ENDPOINT: { from: "dynamodb", field: "endpoint" },
          AWS_REGION: { from: "dynamodb", field: "region" },
        },
        { dynamodb: { tables: [{ name: "t", hashKey: "k", readCapacity: 1, writeCapacity: 1 }] } },
      ),
      ctx,
    );
    assert.deepEqual(env.environment, {
      WORKER_URL: "http://worker.dev.battle-ready.internal:8100",
      WORKER_SRV: "_worker._tcp.dev.battle-ready.internal",
      AWS_REGION: "eu-west-1",
    });
    assert.deepEqual(env.secrets, {});
  });

  it("gives a job (run outside Service Connect) its callee's public URL, filled in by the fleet", () => {
    const job: ServiceSpec = {
      name: "loadgen",
      system: "demo",
      kind: "job",
      description: "a test job",
      entry: "apps/loadgen/src/main.ts",
      args: ["--allow-remote"],
      publicRoutes: [],
      env: {
        TARGET: { from: "service", service: "api", field: "url" },
        LOG_LEVEL: { from: "platform", field: "logLevel" },
      },
      uses: {},
      calls: ["api"],
      scaling: { min: 0, max: 1, cpuTarget: 80 },
      resources: { cpu: 256, memory: 256 },
    };
    const env = resolveAwsEnv(job, { ...ctx, publicServices: ["api"] });
    assert.deepEqual(env.publicUrls, { TARGET: "api" });
    assert.deepEqual(env.environment, { LOG_LEVEL: "info" });
    assert.throws(
      () => resolveAwsEnv(job, ctx),
      /loadgen\.env\.TARGET: a job runs outside Service Connect .* api has no public routes/,
    );
    // A service still gets the Service Connect alias.
    assert.deepEqual(
      resolveAwsEnv(spec({ W: { from: "service", service: "worker", field: "url" } }), ctx).publicUrls,
      {},
    );
  });

  it("points tlsCa at the RDS CA bundle the task mounts", () => {
    const env = resolveAwsEnv(
      spec({ CA: { from: "mysql", field: "tlsCa" } }, { mysql: { database: "d", tls: true } }),
      ctx,
    );
    assert.equal(env.environment.CA, "/etc/rds-ca/global-bundle.pem");
    assert.equal(env.needsRdsCaBundle, true);
  });

  it("fails clearly when the stack lacks what a variable reads", () => {
    assert.throws(
      () =>
        resolveAwsEnv(spec({ DB: { from: "mysql", field: "host" } }, { mysql: { database: "d" } }), {
          ...ctx,
          mysql: undefined,
        }),
      /api\.env\.DB: the stack has no MySQL/,
    );
    assert.throws(() => resolveAwsEnv(spec({ S: { from: "secret", name: "nope" } }), ctx), /no secret nope/);
  });
});
