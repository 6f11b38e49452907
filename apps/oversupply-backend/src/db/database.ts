import { createPool, type Pool, type PoolConnection } from "mysql2/promise";
import { type MysqlTls, mysqlSslPoolOption } from "../../../../lib/mysql/tls";
import { HttpError } from "../../../../lib/service-kit";

export interface MySqlConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Verified TLS (`MYSQL_TLS_MODE`, `MYSQL_TLS_CA`); absent when disabled. */
  tls?: MysqlTls;
}

/** Errors that mean "the database cannot be reached right now", as opposed to a bad query. */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_LOCK_WAIT_TIMEOUT",
  "POOL_CLOSED",
]);

export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; fatal?: boolean } | undefined;
  return e?.fatal === true || (typeof e?.code === "string" && UNAVAILABLE_CODES.has(e.code));
}

/** What a request that needs the database gets while it is down. */
export class DatabaseUnavailable extends HttpError {
  constructor() {
    super(503, "database unavailable, retry later", { "retry-after": "5" });
  }
}

/**
 * A mysql2 pool. The pool opens connections on demand, so after an outage the next query
 * reconnects by itself: no restart needed.
 */
export function createDatabasePool(config: MySqlConfig): Pool {
  const { tls, ...connection } = config;
  return createPool({
    ...connection,
    ...mysqlSslPoolOption(tls),
    charset: "utf8mb4_unicode_ci",
    connectionLimit: 10,
    connectTimeout: 5_000,
    enableKeepAlive: true,
    timezone: "Z",
    dateStrings: true,
    decimalNumbers: true,
  });
}

/** Runs `work` with the pool, turning connection failures into a 503 for the caller. */
export async function query<T>(pool: Pool, work: (pool: Pool) => Promise<T>): Promise<T> {
  try {
    return await work(pool);
  } catch (error) {
    if (isUnavailable(error)) throw new DatabaseUnavailable();
    throw error;
  }
}

/** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. */
export async function transaction<T>(
  pool: Pool,
  work: (connection: PoolConnection) => Promise<T>,
): Promise<T> {
  return query(pool, async () => {
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      const result = await work(connection);
      await connection.commit();
      return result;
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  });
}

/** A DATETIME read with `dateStrings` (UTC, "YYYY-MM-DD HH:MM:SS.fff") as an ISO-8601 timestamp. */
export function isoTimestamp(value: string): string {
  return new Date(`${value.replace(" ", "T")}Z`).toISOString();
}
