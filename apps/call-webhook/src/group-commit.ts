import type { CircuitBreaker } from "./circuit-breaker";
import { IngestRefusedError } from "./refusal";

export interface GroupCommitOptions {
  /** Most items written in one batch (one transaction). */
  maxBatchSize: number;
  /** How long a batch waits for company when a write slot is free, in ms. */
  lingerMs: number;
  /** Batches written at the same time (each on its own connection). */
  maxInFlight: number;
  /** Most items waiting for a batch; beyond it submissions are refused (bounded memory). */
  maxBacklog: number;
  /** An item that waited this long without being written is refused: the database is too slow. */
  maxWaitMs: number;
}

export interface BatchOutcome {
  size: number;
  durationMs: number;
  ok: boolean;
  error?: unknown;
}

interface Waiting<T> {
  item: T;
  enqueuedAt: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Group commit: concurrent submissions are collected into batches, each written by ONE call of
 * `write` (one transaction). A submission's promise resolves only after its batch's write resolved
 * (committed), and rejects with IngestRefusedError if the batch failed, the backlog is full, the
 * circuit breaker is open, or it waited longer than `maxWaitMs`. While a batch is being written the
 * next one fills up, so the batch size grows with the load and the commits per second stay bounded.
 */
export class GroupCommitter<T> {
  private queue: Waiting<T>[] = [];
  private inFlight = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  private closing = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly options: GroupCommitOptions,
    private readonly breaker: CircuitBreaker,
    private readonly onBatch: (outcome: BatchOutcome, items: readonly T[]) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.sweepTimer = setInterval(() => this.refuseStale(), Math.max(50, Math.floor(options.maxWaitMs / 4)));
    this.sweepTimer.unref();
  }

  /** Items waiting for a batch (not yet being written). */
  get backlog(): number {
    return this.queue.length;
  }

  get batchesInFlight(): number {
    return this.inFlight;
  }

  submit(item: T): Promise<void> {
    if (this.closing) {
      return Promise.reject(new IngestRefusedError("shutting_down", "the webhook is shutting down", 1));
    }
    if (!this.breaker.allows()) {
      return Promise.reject(this.unavailable());
    }
    if (this.queue.length >= this.options.maxBacklog) {
      return Promise.reject(
        new IngestRefusedError(
          "backlog_full",
          `too many events waiting to be stored (${this.queue.length})`,
          1,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, enqueuedAt: this.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Stops taking submissions and resolves once everything already submitted is settled. */
  async drain(): Promise<void> {
    this.closing = true;
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    this.flush();
    if (this.queue.length > 0 || this.inFlight > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    clearInterval(this.sweepTimer);
  }

  private schedule(): void {
    if (this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    if (this.queue.length >= this.options.maxBatchSize) {
      this.flush();
      return;
    }
    if (!this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.flush();
      }, this.options.lingerMs);
    }
  }

  private flush(): void {
    if (!this.breaker.allows()) {
      this.refuseAll(this.unavailable());
    }
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatchSize);
      const items = batch.map((w) => w.item);
      this.inFlight += 1;
      const started = this.now();
      this.write(items).then(
        () => {
          this.breaker.recordSuccess();
          this.onBatch({ size: batch.length, durationMs: this.now() - started, ok: true }, items);
          for (const w of batch) w.resolve();
          this.afterBatch();
        },
        (error: unknown) => {
          this.breaker.recordFailure();
          this.onBatch({ size: batch.length, durationMs: this.now() - started, ok: false, error }, items);
          const refusal = new IngestRefusedError(
            "batch_failed",
            "the database did not confirm the write; the event was not stored",
            this.breaker.retryAfterSeconds(),
          );
          for (const w of batch) w.reject(refusal);
          this.afterBatch();
        },
      );
    }
  }

  private afterBatch(): void {
    this.inFlight -= 1;
    // Whatever queued up while the batch was being written goes now: it has waited long enough.
    if (this.queue.length > 0) this.flush();
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.queue.length === 0 && this.inFlight === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private refuseStale(): void {
    if (this.queue.length === 0) return;
    const oldestAllowed = this.now() - this.options.maxWaitMs;
    if (this.queue[0]!.enqueuedAt > oldestAllowed) return;
    const stale = this.queue.filter((w) => w.enqueuedAt <= oldestAllowed);
    this.queue = this.queue.filter((w) => w.enqueuedAt > oldestAllowed);
    const refusal = new IngestRefusedError(
      "database_slow",
      `the database is too slow: the event waited over ${this.options.maxWaitMs} ms and was not stored`,
      1,
    );
    for (const w of stale) w.reject(refusal);
    this.notifyIfIdle();
  }

  private refuseAll(error: IngestRefusedError): void {
    for (const w of this.queue.splice(0)) w.reject(error);
  }

  private unavailable(): IngestRefusedError {
    return new IngestRefusedError(
      "database_unavailable",
      "the database is unavailable; the event was not stored",
      this.breaker.retryAfterSeconds(),
    );
  }
}
