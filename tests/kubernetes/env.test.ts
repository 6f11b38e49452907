import assert from "node:assert/strict";
import { catalog, isSecretSource, isServing, serviceNamed } from "../../catalog";
import {
  type KubernetesEnvContext,
  type KubernetesEnvVar,
  resolveKubernetesEnv,
  serviceHost,
} from "../../platform/kubernetes/env";

const ctx: KubernetesEnvContext = {
  namespace: "apps",
  environment: "local-cluster",
  logLevel: "debug",
  mysql: {
    host: "mysql.apps.svc.cluster.local",
    port: 3306,
    username: "battleready",
    password: { name: "mysql-credentials", key: "password" },
    caFile: "/etc/mysql-ca/ca.crt",
  },
  redis: {
    host: "redis.apps.svc.cluster.local",
    port: 6379,
    password: { name: "redis-credentials", key: "password" },
  },
  activemq: {
    host: "activemq.apps.svc.cluster.local",
    port: 61613,
    username: "battleready",
    password: { name: "activemq-credentials", key: "password" },
  },
  dynamodb: {
    endpoint: "http://dynamodb.apps.svc.cluster.local:8000",
    region: "us-east-1",
    accessKeyId: { name: "dynamodb-credentials", key: "access-key-id" },
    secretAccessKey: { name: "dynamodb-credentials", key: "secret-access-key" },
  },
  secrets: {
    "buffs-dashboard-token": { name: "buffs-dashboard-token", key: "password" },
    "oversupply-callback-secret": { name: "oversupply-callback-secret", key: "password" },
  },
  ports: Object.fromEntries(catalog.filter(isServing).map((s) => [s.name, s.port])),
};

const byName = (env: KubernetesEnvVar[]) => Object.fromEntries(env.map((e) => [e.name, e]));

describe("kubernetes env resolution", () => {
  it("resolves dependencies to their Service DNS names and passwords to secretKeyRefs", () => {
    const env = byName(resolveKubernetesEnv(serviceNamed("buffs-server"), ctx).env);
    assert.deepEqual(env.DBHOST, { name: "DBHOST", value: "mysql.apps.svc.cluster.local" });
    assert.deepEqual(env.DBPORT, { name: "DBPORT", value: "3306" });
    assert.deepEqual(env.DBNAME, { name: "DBNAME", value: "buffs" });
    assert.deepEqual(env.DBPASS, {
      name: "DBPASS",
      valueFrom: { secretKeyRef: { name: "mysql-credentials", key: "password" } },
    });
    assert.deepEqual(env.REDISHOSTS, { name: "REDISHOSTS", value: "redis.apps.svc.cluster.local:6379" });
    assert.deepEqual(env.MQPASSWORD, {
      name: "MQPASSWORD",
      valueFrom: { secretKeyRef: { name: "activemq-credentials", key: "password" } },
    });
    assert.deepEqual(env.MQPORT, { name: "MQPORT", value: "61613" });
    assert.deepEqual(env.PORT, { name: "PORT", value: "8081" });
    assert.deepEqual(env.LOG_LEVEL, { name: "LOG_LEVEL", value: "debug" });
  });

  it("resolves services to http://<svc>.<ns>.svc.cluster.local:<port> and SRV names", () => {
    const env = byName(resolveKubernetesEnv(serviceNamed("order-api"), ctx).env);
    assert.deepEqual(env.ORDER_PROCESSOR_URL, {
      name: "ORDER_PROCESSOR_URL",
      value: "http://order-processor.apps.svc.cluster.local:8001",
    });
    assert.deepEqual(env.SRV_ENDPOINT, {
      name: "SRV_ENDPOINT",
      value: "_http._tcp.order-processor.apps.svc.cluster.local",
    });
    assert.deepEqual(env.DYNAMODB_ENDPOINT, {
      name: "DYNAMODB_ENDPOINT",
      value: "http://dynamodb.apps.svc.cluster.local:8000",
    });
    assert.deepEqual(env.AWS_SECRET_ACCESS_KEY, {
      name: "AWS_SECRET_ACCESS_KEY",
      valueFrom: { secretKeyRef: { name: "dynamodb-credentials", key: "secret-access-key" } },
    });
    assert.equal(serviceHost("todo", "apps"), "todo.apps.svc.cluster.local");
  });

  it("gives a service that verifies MySQL's certificate the CA file and asks for its mount", () => {
    const resolved = resolveKubernetesEnv(serviceNamed("todo"), ctx);
    assert.equal(resolved.needsMysqlCa, true);
    assert.deepEqual(byName(resolved.env).DB_TLS_CA, { name: "DB_TLS_CA", value: "/etc/mysql-ca/ca.crt" });
    // Every MySQL user verifies it (tests/kubernetes/mysql-tls.test.ts); a service without MySQL mounts nothing.
    assert.equal(resolveKubernetesEnv(serviceNamed("buffs-server"), ctx).needsMysqlCa, true);
    assert.equal(resolveKubernetesEnv(serviceNamed("buffs-dashboard"), ctx).needsMysqlCa, false);
  });

  it("never gives a secret of the catalog as a plain value", () => {
    for (const spec of catalog) {
      const env = byName(resolveKubernetesEnv(spec, ctx).env);
      for (const [variable, source] of Object.entries(spec.env))
        if (isSecretSource(source))
          assert.ok("valueFrom" in env[variable]!, `${spec.name}.${variable} must be a secretKeyRef`);
    }
    const oversupply = byName(resolveKubernetesEnv(serviceNamed("oversupply-matcher"), ctx).env);
    assert.deepEqual(oversupply.CALLBACK_SECRET, {
      name: "CALLBACK_SECRET",
      valueFrom: { secretKeyRef: { name: "oversupply-callback-secret", key: "password" } },
    });
  });

  it("names the variable when the stack lacks a dependency", () => {
    assert.throws(
      () => resolveKubernetesEnv(serviceNamed("buffs-server"), { ...ctx, redis: undefined }),
      /buffs-server\.env\.REDISHOSTS: the stack has no Redis/,
    );
    assert.throws(
      () => resolveKubernetesEnv(serviceNamed("buffs-dashboard"), { ...ctx, secrets: {} }),
      /buffs-dashboard\.env\.DASHBOARD_TOKEN: the stack has no secret buffs-dashboard-token/,
    );
  });
});
