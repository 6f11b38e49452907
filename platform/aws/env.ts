import * as pulumi from "@pulumi/pulumi";
import { type EnvSource, isSecretSource, type ServiceSpec } from "../../catalog/types";
import { STOMP_TLS_PORT } from "../../components/queue-broker/endpoint";
import { secretRef } from "../../components/secrets/ref";
import { srvServiceName } from "../../components/service-fleet/aws-service";
import { RDS_CA_BUNDLE_PATH } from "../../components/service-fleet/container";

/** What the AWS realization offers a service's environment. */
export interface AwsEnvContext {
  region: pulumi.Input<string>;
  /** The deployment environment (the stack's name). */
  environment: string;
  logLevel: string;
  /** The RDS endpoint with the service's own account (never the master's). */
  mysql?: {
    host: pulumi.Input<string>;
    port: pulumi.Input<number>;
    username: string;
    secretArn: pulumi.Input<string>;
  };
  redis?: { host: pulumi.Input<string>; port: pulumi.Input<number>; secretArn: pulumi.Input<string> };
  activemq?: { host: pulumi.Input<string>; username: string; secretArn: pulumi.Input<string> };
  /** Catalog secret name → its Secrets Manager ARN. */
  secrets: Record<string, pulumi.Input<string>>;
  /** The private DNS namespace services are discovered in. */
  discoveryNamespace: string;
  /** Container port of every catalog service or worker. */
  ports: Record<string, number>;
  /** The services with public routes: what a job (outside Service Connect) can reach. @default none */
  publicServices?: readonly string[];
}

export interface ResolvedEnv {
  /** Plain values for the container's `environment`. */
  environment: Record<string, pulumi.Input<string>>;
  /** `valueFrom` references for the container's `secrets`. */
  secrets: Record<string, pulumi.Input<string>>;
  /** The secret ARNs behind `secrets` (the execution role reads only these). */
  secretArns: pulumi.Input<string>[];
  /** Whether the service verifies MySQL's TLS certificate against the RDS CA bundle. */
  needsRdsCaBundle: boolean;
  /**
   * A job's variables that take another service's public URL (variable → service): the fleet
   * fills them in from its load balancer (`FleetService.publicUrlEnvironment`).
   */
  publicUrls: Record<string, string>;
}

type Resolution =
  | { plain: pulumi.Input<string> }
  | { publicUrlOf: string }
  | { secret: pulumi.Input<string>; arn: pulumi.Input<string> }
  | { unset: true };

/**
 * Resolves a service's catalog environment for ECS: plain values go to `environment`; passwords
 * and `{from: "secret"}` always by reference to Secrets Manager (`<arn>:password::`), never by value.
 * `dynamodb.endpoint` is left unset (the SDK then uses the regional endpoint); `service.url` is the
 * Service Connect alias `http://<service>.<namespace>:<port>`, `service.srv` the Cloud Map SRV name.
 * A job is started with `aws ecs run-task`, outside Service Connect: its `service.url` is the
 * service's public URL through the load balancer (`http(s)://<alb or host><route>`, filled in by
 * the fleet), and the service must have public routes.
 */
export function resolveAwsEnv(spec: ServiceSpec, ctx: AwsEnvContext): ResolvedEnv {
  const resolved: ResolvedEnv = {
    environment: {},
    secrets: {},
    secretArns: [],
    needsRdsCaBundle: false,
    publicUrls: {},
  };
  for (const [variable, source] of Object.entries(spec.env)) {
    const at = `${spec.name}.env.${variable}`;
    const r = resolveSource(source, spec, ctx, at);
    if (isSecretSource(source) && !("secret" in r))
      throw new Error(`${at}: a secret must resolve to a reference`);
    if ("plain" in r) resolved.environment[variable] = r.plain;
    else if ("publicUrlOf" in r) resolved.publicUrls[variable] = r.publicUrlOf;
    else if ("secret" in r) {
      resolved.secrets[variable] = r.secret;
      resolved.secretArns.push(r.arn);
    }
    if (source.from === "mysql" && source.field === "tlsCa") resolved.needsRdsCaBundle = true;
  }
  return resolved;
}

function resolveSource(source: EnvSource, spec: ServiceSpec, ctx: AwsEnvContext, at: string): Resolution {
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${at}: the stack has no ${what}`);
    return value;
  };
  const byRef = (arn: pulumi.Input<string>, key = "password"): Resolution => ({
    secret: secretRef(arn, key),
    arn,
  });
  switch (source.from) {
    case "literal":
      return { plain: source.value };
    case "platform":
      switch (source.field) {
        case "port":
          return { plain: String(need(spec.port, "port for a job")) };
        case "logLevel":
          return { plain: ctx.logLevel };
        case "environment":
          return { plain: ctx.environment };
      }
      break;
    case "mysql": {
      const mysql = need(ctx.mysql, "MySQL");
      switch (source.field) {
        case "host":
          return { plain: mysql.host };
        case "port":
          return { plain: pulumi.output(mysql.port).apply(String) };
        case "user":
          return { plain: mysql.username };
        case "password":
          return byRef(mysql.secretArn);
        case "database":
          return { plain: need(spec.uses.mysql?.database, "database in uses.mysql") };
        case "tlsCa":
          return { plain: RDS_CA_BUNDLE_PATH };
      }
      break;
    }
    case "redis": {
      const redis = need(ctx.redis, "Redis");
      switch (source.field) {
        case "hosts":
          return { plain: pulumi.interpolate`${redis.host}:${redis.port}` };
        case "password":
          return byRef(redis.secretArn);
        case "tls":
          return { plain: "true" };
      }
      break;
    }
    case "activemq": {
      const mq = need(ctx.activemq, "ActiveMQ broker");
      switch (source.field) {
        case "host":
          return { plain: mq.host };
        case "port":
          return { plain: String(STOMP_TLS_PORT) };
        case "user":
          return { plain: mq.username };
        case "password":
          return byRef(mq.secretArn);
        case "tls":
          return { plain: "true" };
      }
      break;
    }
    case "dynamodb":
      return source.field === "region" ? { plain: ctx.region } : { unset: true };
    case "service": {
      if (spec.kind === "job" && source.field === "url") {
        if (!ctx.publicServices?.includes(source.service))
          throw new Error(
            `${at}: a job runs outside Service Connect (aws ecs run-task) and reaches a service only through the load balancer, but ${source.service} has no public routes`,
          );
        return { publicUrlOf: source.service };
      }
      const port = need(ctx.ports[source.service], `service ${source.service}`);
      return source.field === "url"
        ? { plain: `http://${source.service}.${ctx.discoveryNamespace}:${port}` }
        : { plain: `${srvServiceName(source.service)}.${ctx.discoveryNamespace}` };
    }
    case "secret":
      return byRef(need(ctx.secrets[source.name], `secret ${source.name}`));
  }
  throw new Error(`${at}: cannot resolve ${JSON.stringify(source)} on AWS`);
}
