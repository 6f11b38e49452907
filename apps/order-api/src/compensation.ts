import type { FastifyBaseLogger } from "fastify";
import type { Counter } from "prom-client";
import type { ProcessorClient } from "./processor-client";

export interface RetryPolicy {
  /** Delays before each retry; the number of attempts is one more than this list's length. */
  delaysMs: readonly number[];
}

/** Background work: up to 7 attempts over about 15 s, long enough to ride out a processor restart. */
export const BACKGROUND_RETRY: RetryPolicy = { delaysMs: [250, 500, 1_000, 2_000, 4_000, 8_000] };

/** Work a client is waiting for: 3 attempts within half a second, then it moves to the background. */
export const IN_REQUEST_RETRY: RetryPolicy = { delaysMs: [100, 300] };

/**
 * Undoes or finalizes stock holds on the processor, retrying until they settle. Both calls are
 * idempotent on the processor, so a retry after an ambiguous failure is always safe. Work started
 * in the background is tracked so shutdown waits for it.
 */
export class HoldSettler {
  private readonly pending = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(
    private readonly processor: ProcessorClient,
    private readonly log: FastifyBaseLogger,
    private readonly settled: Counter<"action" | "outcome">,
    private readonly background: RetryPolicy = BACKGROUND_RETRY,
    private readonly inRequest: RetryPolicy = IN_REQUEST_RETRY,
  ) {}

  /**
   * Returns the order's stock while the client waits; resolves true when the processor confirmed.
   * When it could not, the release continues in the background.
   */
  async release(orderId: string, productId: string): Promise<boolean> {
    if (await this.settle("release", orderId, productId, this.inRequest)) return true;
    this.releaseLater(orderId, productId);
    return false;
  }

  /** Returns the order's stock in the background (after an ambiguous processor failure). */
  releaseLater(orderId: string, productId: string): void {
    this.track(this.settle("release", orderId, productId, this.background));
  }

  /** Makes the sale final in the background; a failure leaves only a hold entry, never lost stock. */
  commitLater(orderId: string, productId: string): void {
    this.track(this.settle("commit", orderId, productId, this.background));
  }

  /** Waits for background work, at most `timeoutMs`; then stops retrying. */
  async drain(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.pending]), deadline]);
    clearTimeout(timer);
    this.stopping = true;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  private track(work: Promise<unknown>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async settle(
    action: "release" | "commit",
    orderId: string,
    productId: string,
    retry: RetryPolicy,
  ): Promise<boolean> {
    const call =
      action === "release"
        ? () => this.processor.release(orderId, productId)
        : () => this.processor.commit(orderId, productId);
    for (let attempt = 0; ; attempt++) {
      try {
        await call();
        this.settled.inc({ action, outcome: "done" });
        return true;
      } catch (error) {
        const delay = retry.delaysMs[attempt];
        if (delay === undefined || this.stopping) {
          this.settled.inc({ action, outcome: "not_yet" });
          // The hold stays recorded on the product item under this order id; the reconciler settles it.
          this.log.warn(
            { err: error, orderId, productId, action },
            `stock ${action} did not settle after ${attempt + 1} attempts; left to the reconciler`,
          );
          return false;
        }
        this.log.warn(
          { err: error, orderId, productId, action, attempt: attempt + 1 },
          `stock ${action} failed; retrying`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
