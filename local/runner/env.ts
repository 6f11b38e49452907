import type { EnvSource, ServiceSpec } from "../../catalog/types";

/** What the local realization knows when it resolves a service's environment. */
export interface LocalEnvContext {
  mysql?: { host: string; port: number; caFile?: string };
  /** The MySQL account the runner created for this service. */
  mysqlAccount?: (service: ServiceSpec) => { user: string; password: string };
  redis?: { host: string; port: number; password?: string };
  activemq?: { host: string; port: number; user: string; password: string };
  dynamodb?: { endpoint: string; region: string };
  /** The local port of a catalog service. */
  servicePort: (name: string) => number;
  /** A generated secret's value; undefined for an optional one the user did not set. */
  secret: (name: string, variable: string, optionalLocally: boolean) => string | undefined;
  logLevel: string;
}

/** The resolved environment, and the variables deliberately left unset. */
export interface ResolvedEnv {
  env: Record<string, string>;
  unset: string[];
}

/**
 * Turns every EnvSource of `service` into a concrete value for a process on this machine.
 * Throws, naming the service and variable, when a source needs a dependency that is not running.
 */
export function resolveServiceEnv(service: ServiceSpec, context: LocalEnvContext): ResolvedEnv {
  const env: Record<string, string> = {};
  const unset: string[] = [];
  for (const [variable, source] of Object.entries(service.env)) {
    const value = resolveSource(source, variable, service, context);
    if (value === undefined) unset.push(variable);
    else env[variable] = value;
  }
  return { env, unset };
}

function resolveSource(
  source: EnvSource,
  variable: string,
  service: ServiceSpec,
  context: LocalEnvContext,
): string | undefined {
  const missing = (what: string): never => {
    throw new Error(`${service.name}.env.${variable}: ${what} is not running locally`);
  };
  switch (source.from) {
    case "literal":
      return source.value;
    case "platform":
      if (source.field === "port") return String(context.servicePort(service.name));
      if (source.field === "logLevel") return context.logLevel;
      return "local";
    case "mysql": {
      const mysql = context.mysql ?? missing("MySQL");
      const database = service.uses.mysql?.database ?? missing("a MySQL database for this service");
      const account = context.mysqlAccount?.(service) ?? missing("a MySQL account");
      switch (source.field) {
        case "host":
          return mysql.host;
        case "port":
          return String(mysql.port);
        case "user":
          return account.user;
        case "password":
          return account.password;
        case "database":
          return database;
        case "tlsCa":
          return mysql.caFile ?? missing("MySQL with TLS");
      }
      break;
    }
    case "redis": {
      const redis = context.redis ?? missing("Redis");
      if (source.field === "hosts") return `${redis.host}:${redis.port}`;
      if (source.field === "password") return redis.password ?? "";
      return "false";
    }
    case "activemq": {
      const broker = context.activemq ?? missing("ActiveMQ");
      if (source.field === "host") return broker.host;
      if (source.field === "port") return String(broker.port);
      if (source.field === "user") return broker.user;
      if (source.field === "password") return broker.password;
      return "false";
    }
    case "dynamodb": {
      const dynamodb = context.dynamodb ?? missing("DynamoDB (dynalite)");
      return source.field === "endpoint" ? dynamodb.endpoint : dynamodb.region;
    }
    case "service": {
      // No SRV records locally: `srv` stays unset and services fall back to the URL.
      if (source.field === "srv") return undefined;
      return `http://127.0.0.1:${context.servicePort(source.service)}`;
    }
    case "secret":
      return context.secret(source.name, variable, source.optionalLocally ?? false);
  }
  return undefined;
}

/** Environment variable a user sets to supply a secret by hand, e.g. BATTLE_READY_SECRET_BUFFS_DASHBOARD_TOKEN. */
export function secretVariable(name: string): string {
  return `BATTLE_READY_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** The MySQL account name of a service: its name, DNS dashes made underscores. */
export function mysqlUserName(service: ServiceSpec): string {
  return service.name.replace(/-/g, "_");
}
