import type { FastifyBaseLogger } from "fastify";
import type { Counter } from "prom-client";
import type { OrdersRepository } from "./orders-repository";
import type { ProcessorClient } from "./processor-client";

export interface ReconcileReport {
  committed: number;
  released: number;
  failed: number;
}

/**
 * Settles stock holds that no request settled: an order-api instance crashed between reserving
 * and storing, or DynamoDB failed so that whether the order was stored was unknown. A hold whose
 * order is stored is committed; one without an order is released. Both are idempotent on the
 * processor, so several instances may reconcile at once. Holds younger than `staleAfterSeconds`
 * belong to requests still in flight and are left alone.
 */
export class HoldReconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReconcileReport> | undefined;

  constructor(
    private readonly processor: ProcessorClient,
    private readonly orders: OrdersRepository,
    private readonly log: FastifyBaseLogger,
    private readonly settled: Counter<"action" | "outcome">,
    private readonly staleAfterSeconds: number,
  ) {}

  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((error: unknown) => this.log.warn({ err: error }, "hold reconciliation failed"));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass; a pass already running is joined instead of overlapped. */
  runOnce(): Promise<ReconcileReport> {
    this.running ??= this.reconcile().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { committed: 0, released: 0, failed: 0 };
    for (const hold of await this.processor.staleHolds(this.staleAfterSeconds)) {
      try {
        if (await this.orders.find(hold.order_id, true)) {
          await this.processor.commit(hold.order_id, hold.product_id);
          report.committed++;
          this.settled.inc({ action: "commit", outcome: "reconciled" });
        } else {
          await this.processor.release(hold.order_id, hold.product_id);
          report.released++;
          this.settled.inc({ action: "release", outcome: "reconciled" });
          this.log.warn(
            { orderId: hold.order_id, productId: hold.product_id },
            "released an orphaned stock hold",
          );
        }
      } catch (error) {
        report.failed++;
        this.log.warn(
          { err: error, orderId: hold.order_id },
          "could not settle a stale hold; next pass retries",
        );
      }
    }
    return report;
  }
}
