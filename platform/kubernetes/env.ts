import type * as pulumi from "@pulumi/pulumi";
import { type EnvSource, isSecretSource, type ServiceSpec } from "../../catalog/types";

/** A key of a Kubernetes Secret. */
export interface SecretKey {
  name: pulumi.Input<string>;
  key: string;
}

/** One container environment variable: a plain value, or a reference to a Secret's key. */
export type KubernetesEnvVar =
  | { name: string; value: pulumi.Input<string> }
  | { name: string; valueFrom: { secretKeyRef: SecretKey } };

/** What the kubernetes realization offers a service's environment. */
export interface KubernetesEnvContext {
  /** Namespace of the services (their DNS names are `<service>.<namespace>.svc.cluster.local`). */
  namespace: string;
  environment: string;
  logLevel: string;
  mysql?: { host: string; port: number; username: string; password: SecretKey; caFile?: string };
  redis?: { host: string; port: number; password: SecretKey };
  activemq?: { host: string; port: number; username: string; password: SecretKey };
  /** dynamodb-local: its URL, a region name and the (ignored, but required by the SDK) credentials. */
  dynamodb?: { endpoint: string; region: string; accessKeyId: SecretKey; secretAccessKey: SecretKey };
  /** Catalog secret name → the Secret key holding it. */
  secrets: Record<string, SecretKey>;
  /** Container port of every catalog service. */
  ports: Record<string, number>;
}

export interface ResolvedKubernetesEnv {
  env: KubernetesEnvVar[];
  /** The service verifies MySQL's certificate: mount the CA at `mysql.caFile`. */
  needsMysqlCa: boolean;
}

/** The cluster DNS name of a Service. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** The name of the Service port every service's HTTP port carries (the SRV record's `_http._tcp`). */
export const HTTP_PORT_NAME = "http";

/**
 * Resolves a service's catalog environment for a pod: services to their Service DNS names
 * (`http://<svc>.<ns>.svc.cluster.local:<port>`, SRV `_http._tcp.<svc>.<ns>.svc.cluster.local`),
 * dependencies to theirs, and every password or `{from: "secret"}` to a `secretKeyRef`, never a value.
 * Pure: no resources are created.
 */
export function resolveKubernetesEnv(spec: ServiceSpec, ctx: KubernetesEnvContext): ResolvedKubernetesEnv {
  const env: KubernetesEnvVar[] = [];
  let needsMysqlCa = false;
  for (const [name, source] of Object.entries(spec.env)) {
    const at = `${spec.name}.env.${name}`;
    const resolved = resolveSource(source, spec, ctx, at);
    if (isSecretSource(source) && !("secretKeyRef" in resolved))
      throw new Error(`${at}: a secret must resolve to a secretKeyRef`);
    if ("value" in resolved) env.push({ name, value: resolved.value });
    else env.push({ name, valueFrom: { secretKeyRef: keyRef(resolved.secretKeyRef) } });
    if (source.from === "mysql" && source.field === "tlsCa") needsMysqlCa = true;
  }
  // The AWS SDK refuses to sign without credentials; dynamodb-local accepts any, kept in a Secret.
  if (spec.uses.dynamodb && ctx.dynamodb) {
    env.push({ name: "AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: keyRef(ctx.dynamodb.accessKeyId) } });
    env.push({
      name: "AWS_SECRET_ACCESS_KEY",
      valueFrom: { secretKeyRef: keyRef(ctx.dynamodb.secretAccessKey) },
    });
  }
  return { env, needsMysqlCa };
}

/**
 * Exactly `{name, key}`: the objects handed in may carry more (the generated password itself), which
 * must never reach a manifest, and which the API server would reject as an unknown field.
 */
function keyRef(ref: SecretKey): SecretKey {
  return { name: ref.name, key: ref.key };
}

type Resolution = { value: pulumi.Input<string> } | { secretKeyRef: SecretKey };

function resolveSource(
  source: EnvSource,
  spec: ServiceSpec,
  ctx: KubernetesEnvContext,
  at: string,
): Resolution {
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${at}: the stack has no ${what}`);
    return value;
  };
  switch (source.from) {
    case "literal":
      return { value: source.value };
    case "platform":
      switch (source.field) {
        case "port":
          return { value: String(spec.port) };
        case "logLevel":
          return { value: ctx.logLevel };
        case "environment":
          return { value: ctx.environment };
      }
      break;
    case "mysql": {
      const mysql = need(ctx.mysql, "MySQL");
      switch (source.field) {
        case "host":
          return { value: mysql.host };
        case "port":
          return { value: String(mysql.port) };
        case "user":
          return { value: mysql.username };
        case "password":
          return { secretKeyRef: mysql.password };
        case "database":
          return { value: need(spec.uses.mysql?.database, "database in uses.mysql") };
        case "tlsCa":
          return { value: need(mysql.caFile, "MySQL CA file") };
      }
      break;
    }
    case "redis": {
      const redis = need(ctx.redis, "Redis");
      switch (source.field) {
        case "hosts":
          return { value: `${redis.host}:${redis.port}` };
        case "password":
          return { secretKeyRef: redis.password };
        case "tls":
          return { value: "false" };
      }
      break;
    }
    case "activemq": {
      const mq = need(ctx.activemq, "ActiveMQ broker");
      switch (source.field) {
        case "host":
          return { value: mq.host };
        case "port":
          return { value: String(mq.port) };
        case "user":
          return { value: mq.username };
        case "password":
          return { secretKeyRef: mq.password };
        case "tls":
          return { value: "false" };
      }
      break;
    }
    case "dynamodb": {
      const dynamodb = need(ctx.dynamodb, "DynamoDB");
      return { value: source.field === "region" ? dynamodb.region : dynamodb.endpoint };
    }
    case "service": {
      const port = need(ctx.ports[source.service], `service ${source.service}`);
      const host = serviceHost(source.service, ctx.namespace);
      return source.field === "url"
        ? { value: `http://${host}:${port}` }
        : { value: `_${HTTP_PORT_NAME}._tcp.${host}` };
    }
    case "secret":
      return { secretKeyRef: need(ctx.secrets[source.name], `secret ${source.name}`) };
  }
  throw new Error(`${at}: cannot resolve ${JSON.stringify(source)} on Kubernetes`);
}
