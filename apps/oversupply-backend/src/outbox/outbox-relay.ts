import type { FastifyBaseLogger } from "fastify";
import type { Pool, RowDataPacket } from "mysql2/promise";
import type { ServiceMetrics } from "../../../../lib/service-kit";

/** The part of the STOMP client the relay needs. */
export interface MessagePublisher {
  readonly connected: boolean;
  send(destination: string, body: string, headers?: Record<string, string>): Promise<unknown>;
}

const BATCH = 100;
const CLEANUP_EVERY_MS = 10 * 60_000;

/**
 * Publishes outbox rows to the broker, oldest first, and marks them published. Runs when woken
 * (right after a registration is stored), when the broker connects, and every `pollMs` as a safety
 * net. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several backend replicas share the work
 * without publishing a row twice at the same time. Delivery is at least once: if the process dies
 * between the broker's receipt and the UPDATE, the row is published again and the matcher's
 * callback is idempotent.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastCleanup = Date.now();
  private readonly published;
  private readonly failures;

  constructor(
    private readonly pool: Pool,
    private readonly bus: MessagePublisher,
    private readonly log: FastifyBaseLogger,
    metrics: ServiceMetrics,
    private readonly pollMs: number,
  ) {
    this.published = metrics.counter({
      name: "oversupply_outbox_published_total",
      help: "Match requests published from the outbox to the broker.",
    });
    this.failures = metrics.counter({
      name: "oversupply_outbox_publish_failures_total",
      help: "Attempts to publish an outbox row that failed (broker down or refused).",
    });
    metrics.gauge({
      name: "oversupply_outbox_pending",
      help: "Outbox rows not yet published (match requests waiting for the broker).",
      collect: async function (this: { set(value: number): void }) {
        const [rows] = await pool
          .query<RowDataPacket[]>("SELECT COUNT(*) AS pending FROM outbox WHERE published_at IS NULL")
          .catch(() => [[{ pending: -1 }]] as unknown as [RowDataPacket[]]);
        this.set(Number(rows[0]?.pending ?? -1));
      },
    });
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.wake();
      this.timer = setTimeout(tick, this.pollMs);
      this.timer.unref();
    };
    tick();
  }

  /** Runs a pass now, or right after the one in progress. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error) => this.log.warn({ err: error }, "outbox relay pass failed; retrying on the next poll"))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.bus.connected && (await this.publishBatch()) === BATCH) {
      // a full batch: there may be more waiting
    }
    if (Date.now() - this.lastCleanup > CLEANUP_EVERY_MS) {
      this.lastCleanup = Date.now();
      await this.pool.query(
        "DELETE FROM outbox WHERE published_at < NOW(3) - INTERVAL 1 DAY ORDER BY id LIMIT 10000",
      );
    }
  }

  /** Publishes up to one batch; returns how many rows it claimed. */
  private async publishBatch(): Promise<number> {
    const connection = await this.pool.getConnection();
    try {
      await connection.beginTransaction();
      const [rows] = await connection.query<RowDataPacket[]>(
        `SELECT id, destination, body, request_id AS requestId FROM outbox
          WHERE published_at IS NULL ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
      );
      const sent: number[] = [];
      for (const row of rows) {
        try {
          const headers: Record<string, string> = {
            "content-type": "application/json",
            "outbox-id": String(row.id),
          };
          if (row.requestId) headers["x-request-id"] = row.requestId;
          await this.bus.send(row.destination, row.body, headers);
          sent.push(Number(row.id));
        } catch (error) {
          this.failures.inc();
          this.log.warn(
            { err: error, outboxId: row.id },
            "could not publish a match request; it stays in the outbox",
          );
          await connection.query("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", [row.id]);
          break;
        }
      }
      if (sent.length > 0) {
        await connection.query("UPDATE outbox SET published_at = NOW(3) WHERE id IN (?)", [sent]);
        this.published.inc(sent.length);
      }
      await connection.commit();
      return sent.length === rows.length ? rows.length : 0;
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  }
}
