import type { ResultSetHeader, RowDataPacket } from "mysql2";
import { createPool, type Pool } from "mysql2/promise";
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
}

/** Longest a statement may take before the connection is dropped and the batch counted as failed. */
const STATEMENT_TIMEOUT_MS = 5000;

const COLUMNS =
  "call_id, code, type, direction, our_number, their_number, actor, number, event_time, received_at";

export function createMySqlPool(config: MySqlConfig): Pool {
  return createPool({
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    connectionLimit: config.connections,
    maxIdle: config.connections,
    connectTimeout: 2000,
    enableKeepAlive: true,
    timezone: "Z",
    dateStrings: false,
    charset: "utf8mb4_unicode_ci",
  });
}

function row(r: ReceivedEvent): unknown[] {
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
    e.timestamp,
    new Date(r.receivedAt),
  ];
}

/** Per (bucket, type), how many of the events arrived in it. */
function countByBucket(events: readonly ReceivedEvent[]): unknown[][] {
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
  constructor(readonly pool: Pool) {}

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
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      await conn.query({
        sql: `INSERT INTO call_events (${COLUMNS}) VALUES ?`,
        values: [events.map(row)],
        timeout: STATEMENT_TIMEOUT_MS,
      });
      await conn.query({
        sql: "INSERT INTO event_counts (bucket_start_epoch, type, events) VALUES ? ON DUPLICATE KEY UPDATE events = events + VALUES(events)",
        values: [countByBucket(events)],
        timeout: STATEMENT_TIMEOUT_MS,
      });
      await conn.query({ sql: "COMMIT", timeout: STATEMENT_TIMEOUT_MS });
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
      timeout: STATEMENT_TIMEOUT_MS,
    });
  }

  /** Events per type received in buckets starting at or after `startEpoch` (epoch seconds). */
  async countsSince(startEpoch: number): Promise<Record<CallEventType, number>> {
    const [rows] = await this.pool.query<RowDataPacket[]>({
      sql: "SELECT type, SUM(events) AS events FROM event_counts WHERE bucket_start_epoch >= ? GROUP BY type",
      values: [startEpoch],
      timeout: STATEMENT_TIMEOUT_MS,
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
      timeout: STATEMENT_TIMEOUT_MS,
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
