import { type MysqlTls, readMysqlTls } from "../../../lib/mysql/tls";
import { readEnv } from "../../../lib/service-kit";

/** TLS to the database (lib/mysql/tls.ts): DB_TLS_MODE `verify-ca` or `verify-identity` with the CA in DB_TLS_CA. */
export type DatabaseTls = MysqlTls;

export interface DatabaseConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Absent when TLS is disabled. */
  tls?: DatabaseTls;
  /** Most connections one instance opens; the instance count times this must fit max_connections. */
  poolSize: number;
  /** How long to wait for a connection to be established before giving up, per attempt. */
  connectTimeoutMs: number;
  /** Longest a query may run; a hung database then answers 503 instead of holding requests. */
  queryTimeoutMs: number;
}

export interface TodoConfig {
  /** 0 picks a free port (tests). */
  port: number;
  db: DatabaseConfig;
  /** How long start-up keeps retrying an unreachable database before giving up. */
  startupTimeoutMs: number;
}

/** Reads the whole configuration from the environment; throws an EnvError naming a bad variable. */
export function loadTodoConfig(env: NodeJS.ProcessEnv = process.env): TodoConfig {
  const read = readEnv(env);
  return {
    port: read.int("PORT", 3000, { min: 0, max: 65535 }),
    db: {
      host: read.string("DB_HOST"),
      port: read.int("DB_PORT", 3306, { min: 1, max: 65535 }),
      user: read.string("DB_USER"),
      password: read.string("DB_PASSWORD"),
      database: read.string("DB_NAME"),
      // DB_TLS_MODE defaults to verify-identity when DB_TLS_CA is given, to disabled otherwise.
      tls: readMysqlTls(read, { mode: "DB_TLS_MODE", ca: "DB_TLS_CA" }),
      poolSize: read.int("DB_POOL_SIZE", 10, { min: 1, max: 1000 }),
      connectTimeoutMs: read.int("DB_CONNECT_TIMEOUT_MS", 5000, { min: 100, max: 120_000 }),
      queryTimeoutMs: read.int("DB_QUERY_TIMEOUT_MS", 5000, { min: 100, max: 600_000 }),
    },
    startupTimeoutMs: read.int("DB_STARTUP_TIMEOUT_MS", 60_000, { min: 0, max: 3_600_000 }),
  };
}
