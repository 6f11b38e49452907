import { createPool, type Pool, type PoolOptions } from "mysql2/promise";
import { mysqlSslPoolOption } from "../../../lib/mysql/tls";
import type { DatabaseConfig } from "./config";

export function poolOptions(config: DatabaseConfig): PoolOptions {
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    ...mysqlSslPoolOption(config.tls),
    connectionLimit: config.poolSize,
    maxIdle: config.poolSize,
    idleTimeout: 60_000,
    connectTimeout: config.connectTimeoutMs,
    // Bounded, so a request fails fast with 503 instead of queueing forever behind an outage.
    queueLimit: config.poolSize * 20,
    enableKeepAlive: true,
    charset: "utf8mb4_unicode_ci",
    // DATETIME columns hold UTC; read and write them as such whatever the host's zone.
    timezone: "Z",
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
  };
}

export function createDatabasePool(config: DatabaseConfig): Pool {
  return createPool(poolOptions(config));
}

/** Error codes meaning "the database cannot be reached right now", as opposed to a bad query. */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_CONNECTION_KILLED",
  "ER_QUERY_INTERRUPTED",
  "ER_LOCK_WAIT_TIMEOUT",
  "ER_OPTION_PREVENTS_STATEMENT",
]);

interface DriverError {
  code?: string;
  fatal?: boolean;
  message?: string;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as DriverError | undefined;
  if (!e || typeof e !== "object") return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  if (e.fatal === true) return true;
  return /queue limit reached|pool is closed/i.test(e.message ?? "");
}

/**
 * Errors that make start-up give up at once with a clear message instead of retrying: an
 * untrusted certificate, a server without TLS, refused credentials, a missing database.
 */
export function startupFailure(error: unknown, config: DatabaseConfig): Error | undefined {
  const e = error as DriverError;
  const code = e?.code ?? "";
  const message = e?.message ?? String(error);
  const where = `${config.host}:${config.port}`;
  if (code === "HANDSHAKE_NO_SSL_SUPPORT") {
    return new Error(
      `database TLS: the server at ${where} does not offer TLS; refusing to connect in plain text`,
    );
  }
  // mysql2 reports every TLS failure as HANDSHAKE_SSL_ERROR, keeping Node's message.
  if (code === "HANDSHAKE_SSL_ERROR") {
    if (/altnames|does not match/i.test(message)) {
      return new Error(
        `database TLS: the server certificate does not name the host ${config.host} (DB_TLS_MODE=verify-ca checks the chain only): ${message}`,
      );
    }
    if (/certificate|self.signed|issuer/i.test(message)) {
      return new Error(
        `database TLS: the server certificate is not trusted by the CA bundle ${config.tls?.caSource}: ${message}`,
      );
    }
    return new Error(`database TLS: handshake with ${where} failed: ${message}`);
  }
  if (/insecure transport/i.test(message)) {
    return new Error(
      `database: the server at ${where} requires TLS; set DB_TLS_CA (and DB_TLS_MODE): ${message}`,
    );
  }
  if (code === "ER_ACCESS_DENIED_ERROR" || code === "ER_DBACCESS_DENIED_ERROR") {
    // MariaDB refuses plain text under require_secure_transport with this same error.
    const hint = config.tls ? "" : " (if the server or the account requires TLS, set DB_TLS_CA)";
    return new Error(`database: access denied for user ${config.user} at ${where}${hint}: ${message}`);
  }
  if (code === "ER_BAD_DB_ERROR") return new Error(`database: ${message} at ${where}`);
  return undefined;
}
