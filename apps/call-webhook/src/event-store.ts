import type { ResultSetHeader, RowDataPacket } from "mysql2";
import { createPool, format, type Pool } from "mysql2/promise";
import { type MysqlTls, mysqlSslPoolOption } from "../../../lib/mysql/tls";
import { CALL_EVENT_TYPES, type CallEvent, type CallEventType } from "./call-event";
import { bucketOf } from "./count-window";

/** An event as the webhook received it: the parsed body and the instant it arrived. */
export interface ReceivedEvent {
  event: CallEvent;
  /** Epoch milliseconds, from the service's clock. */
  receivedAt: number;
}

export interface MySqlConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Connections in the pool. */
  connections: number;
  /** Verified TLS (`MYSQL_TLS_MODE`, `MYSQL_TLS_CA`); absent when disabled. */
  tls?: MysqlTls;
}

/** Longest a write may take before its connection is dropped and the batch counted as failed. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;

const COLUMNS =
  "call_id, code, type, direction, our_number, their_number, actor, number, event_time, received_at";

export function createMySqlPool(config: MySqlConfig): Pool {
  return createPool({
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    ...mysqlSslPoolOption(config.tls),
    connectionLimit: config.connections,
    maxIdle: config.connections,
    connectTimeout: 2000,
    enableKeepAlive: true,
    timezone: "Z",
    charset: "utf8mb4_unicode_ci",
    // A batch is sent as one round trip (BEGIN; INSERT; upsert; COMMIT). Every value in it is
    // escaped by mysql2's format(); no SQL is ever built from raw input.
    multipleStatements: true,
  });
}

/** DATETIME(3) literal in UTC, e.g. 2017-01-01 00:00:00.000 (cheaper than letting the driver convert a Date). */
function utcDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace("T", " ");
}

function row(r: ReceivedEvent): (string | null)[] {
  const e = r.event;
  return [
    e.call_id,
    e.code,
    e.type,
    e.direction,
    e.our_number,
    e.their_number,
    e.actor ?? null,
    e.number ?? null,
    utcDateTime(e.timestamp.getTime()),
    utcDateTime(r.receivedAt),
  ];
}

/** Per (bucket, type), how many of the events arrived in it. */
function countByBucket(events: readonly ReceivedEvent[]): [number, CallEventType, number][] {
  const counts = new Map<string, [number, CallEventType, number]>();
  for (const r of events) {
    const bucket = bucketOf(r.receivedAt);
    const key = `${bucket}|${r.event.type}`;
    const entry = counts.get(key);
    if (entry) entry[2] += 1;
    else counts.set(key, [bucket, r.event.type, 1]);
  }
  // Rows in primary-key order, so concurrent batches lock them in the same order (no deadlock cycle).
  const typeOrder = (type: CallEventType) => CALL_EVENT_TYPES.indexOf(type);
  return [...counts.values()].sort((a, b) => a[0] - b[0] || typeOrder(a[1]) - typeOrder(b[1]));
}

/** InnoDB rolled the whole transaction back and says it may simply be run again. */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "ER_LOCK_DEADLOCK" || code === "ER_LOCK_WAIT_TIMEOUT";
}

const ATTEMPTS_ON_DEADLOCK = 3;

/** The webhook's MySQL persistence. Every write is committed before its promise resolves. */
export class EventStore {
  constructor(
    readonly pool: Pool,
    private readonly statementTimeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS,
  ) {}

  /**
   * Stores a batch in ONE transaction: one multi-row INSERT of the events and one upsert of their
   * bucket counts. Resolves after COMMIT returned, i.e. (with innodb_flush_log_at_trx_commit=1)
   * after the redo log is flushed to disk. On any error the transaction is rolled back (or the
   * connection dropped, which rolls it back on the server) and the promise rejects. A deadlock or
   * lock wait timeout (the server rolled back everything) is retried a couple of times first.
   */
  async insertBatch(events: readonly ReceivedEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.insertBatchOnce(events);
        return;
      } catch (error) {
        if (!isRetryable(error) || attempt >= ATTEMPTS_ON_DEADLOCK) throw error;
      }
    }
  }

  private async insertBatchOnce(events: readonly ReceivedEvent[]): Promise<void> {
    const sql = format(
      `START TRANSACTION;
      INSERT INTO call_events (${COLUMNS}) VALUES ?;
      INSERT INTO event_counts (bucket_start_epoch, type, events) VALUES ?
        ON DUPLICATE KEY UPDATE events = events + VALUES(events);
      COMMIT`,
      [events.map(row), countByBucket(events)],
    );
    const conn = await this.pool.getConnection();
    try {
      // The server runs the statements in order and stops at the first error, so COMMIT runs
      // only when both writes succeeded; its OK arrives after the redo log was flushed.
      await conn.query({ sql, timeout: this.statementTimeoutMs });
    } catch (error) {
      if (isRetryable(error))
        await conn.query("ROLLBACK").then(
          () => conn.release(),
          () => conn.destroy(),
        );
      else conn.destroy(); // the server rolls back a transaction whose connection is gone
      throw error;
    }
    conn.release();
  }

  /** The naive baseline: one autocommit INSERT for one event (no batching, no counts). */
  async insertOne(event: ReceivedEvent): Promise<void> {
    await this.pool.query({
      sql: `INSERT INTO call_events (${COLUMNS}) VALUES (?)`,
      values: [row(event)],
      timeout: this.statementTimeoutMs,
    });
  }

  /** Events per type received in buckets starting at or after `startEpoch` (epoch seconds). */
  async countsSince(startEpoch: number): Promise<Record<CallEventType, number>> {
    const [rows] = await this.pool.query<RowDataPacket[]>({
      sql: "SELECT type, SUM(events) AS events FROM event_counts WHERE bucket_start_epoch >= ? GROUP BY type",
      values: [startEpoch],
      timeout: this.statementTimeoutMs,
    });
    const counts = Object.fromEntries(CALL_EVENT_TYPES.map((t) => [t, 0])) as Record<CallEventType, number>;
    for (const r of rows) counts[r.type as CallEventType] = Number(r.events);
    return counts;
  }

  /** Deletes count buckets that no window reads any more. */
  async pruneCounts(beforeEpoch: number): Promise<number> {
    const [result] = await this.pool.query<ResultSetHeader>({
      sql: "DELETE FROM event_counts WHERE bucket_start_epoch < ?",
      values: [beforeEpoch],
      timeout: this.statementTimeoutMs,
    });
    return result.affectedRows;
  }

  async ping(): Promise<void> {
    await this.pool.query({ sql: "SELECT 1", timeout: 2000 });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
