import type { FastifyBaseLogger } from "fastify";
import type { Counter } from "prom-client";
import type { OrdersRepository } from "./orders-repository";
import type { ProcessorClient } from "./processor-client";

export interface ReconcileReport {
  committed: number;
  released: number;
  failed: number;
  /** Released-order tombstones the processor pruned in this pass. */
  tombstonesPruned: number;
}

/**
 * The longest an order request may still be working: the bound the reconciler already trusts for
 * holds (`HOLD_STALE_AFTER_SECONDS`), or the processor timeout plus DynamoDB's own timeouts (two
 * attempts of 2 s, and slack) when that is longer.
 */
export function inFlightBoundSeconds(holdStaleAfterSeconds: number, processorTimeoutMs: number): number {
  return Math.max(holdStaleAfterSeconds, Math.ceil(processorTimeoutMs / 1000) + 10);
}

/** Added to the in-flight bound before a tombstone may go: covers clock skew between processor instances and slow requests. */
export const TOMBSTONE_SAFETY_MARGIN_SECONDS = 600;

/**
 * Age after which a `released` tombstone can no longer refuse anything: the in-flight bound plus a
 * margin. With the defaults, 120 s + 600 s = 12 minutes.
 */
export function tombstoneRetentionSeconds(holdStaleAfterSeconds: number, processorTimeoutMs: number): number {
  return inFlightBoundSeconds(holdStaleAfterSeconds, processorTimeoutMs) + TOMBSTONE_SAFETY_MARGIN_SECONDS;
}

/**
 * Settles stock holds that no request settled: an order-api instance crashed between reserving
 * and storing, or DynamoDB failed so that whether the order was stored was unknown. A hold whose
 * order is stored is committed; one without an order is released. Both are idempotent on the
 * processor, so several instances may reconcile at once. Holds younger than `staleAfterSeconds`
 * belong to requests still in flight and are left alone.
 *
 * Each pass then asks the processor to prune `released` tombstones older than
 * `tombstoneRetentionSeconds` (see `InventoryRepository.pruneTombstones` for why that is safe), so
 * product items do not grow with every compensated timeout.
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
    private readonly tombstoneRetentionSeconds: number,
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
    const report: ReconcileReport = { committed: 0, released: 0, failed: 0, tombstonesPruned: 0 };
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
    try {
      const pruning = await this.processor.pruneTombstones(this.tombstoneRetentionSeconds);
      report.tombstonesPruned = pruning.pruned;
      if (pruning.pruned > 0)
        this.log.info({ pruned: pruning.pruned, largest: pruning.largest }, "pruned tombstones");
    } catch (error) {
      this.log.warn({ err: error }, "could not prune tombstones; next pass retries");
    }
    return report;
  }
}
