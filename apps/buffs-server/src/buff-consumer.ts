import type { FastifyBaseLogger } from "fastify";
import type { BuffMessage } from "../../buffs-dashboard/src/buff";
import { decodeBuffMessage } from "./buff-message";
import { type InsertOutcome, isTransientDbError } from "./buff-repository";

export interface QueueMessage {
  body: string;
  headers: Record<string, string>;
  redelivered: boolean;
}

export interface ConsumerEvents {
  /** `queuedSeconds`: from the broker accepting the message to its commit, when the broker said when. */
  stored(outcome: InsertOutcome, queuedSeconds: number | undefined): void;
  deadLettered(reason: "invalid" | "unstorable"): void;
  storeRetried(): void;
  waitingForDatabase(waiting: boolean): void;
}

export interface ConsumerDeps {
  insert(buff: BuffMessage): Promise<InsertOutcome>;
  /** Runs after each commit: drops the cached list. */
  afterStore(): Promise<void>;
  /** Publishes a poison message to the dead-letter destination; resolves once the broker has it. */
  deadLetter(body: string, headers: Record<string, string>): Promise<void>;
  events: ConsumerEvents;
  log: FastifyBaseLogger;
  /** Backoff between store attempts while MySQL fails: first and largest delay, in ms. */
  retryDelayMs?: { first: number; max: number };
}

/** Seconds since a broker `timestamp` header (ms since the epoch), if there is a sane one. */
function secondsSince(timestamp: string | undefined): number | undefined {
  const at = Number(timestamp);
  if (!Number.isFinite(at) || at <= 0) return undefined;
  return Math.max(0, (Date.now() - at) / 1000);
}

/**
 * The service is stopping before the Buff was stored: the STOMP client hands the message back
 * (no NACK, so it is not dead-lettered) and the broker redelivers it to the next consumer.
 */
export class ConsumerStoppedError extends Error {
  override name = "ConsumerStoppedError";
}

/**
 * Handles one Buff from the queue; the STOMP client ACKs when this resolves. So it resolves only
 * once the Buff is committed (or was already: a redelivery), or once a poison message is safely on
 * the dead-letter queue. While MySQL is down it keeps retrying instead of resolving or throwing:
 * the message stays unacknowledged, and with the subscription's prefetch full the broker holds the
 * rest back, so consumption pauses until the database answers again.
 */
export class BuffConsumer {
  private stopping = false;
  private readonly wakeSleepers = new Set<() => void>();
  private failingSince: number | undefined;

  constructor(private readonly deps: ConsumerDeps) {}

  readonly handle = async (message: QueueMessage): Promise<void> => {
    const decoded = decodeBuffMessage(message.body, message.headers);
    if (!decoded.ok) return this.deadLetter(message, "invalid", decoded.reason);
    const buff = decoded.value;
    const stored = await this.storeUntilCommitted(buff);
    if (stored.outcome === "unstorable") return this.deadLetter(message, "unstorable", stored.reason);
    this.deps.events.stored(stored.outcome, secondsSince(message.headers.timestamp));
    this.deps.log.info(
      {
        buffId: buff.id,
        outcome: stored.outcome,
        redelivered: message.redelivered,
        reqId: message.headers["x-request-id"],
      },
      stored.outcome === "stored" ? "buff stored" : "buff already stored: redelivery acknowledged",
    );
    await this.deps.afterStore();
  };

  /** Stops retrying: pending handlers give up without acknowledging (see ConsumerStoppedError). */
  stop(): void {
    this.stopping = true;
    for (const wake of this.wakeSleepers) wake();
  }

  private async storeUntilCommitted(
    buff: BuffMessage,
  ): Promise<{ outcome: InsertOutcome } | { outcome: "unstorable"; reason: string }> {
    const { first, max } = this.deps.retryDelayMs ?? { first: 200, max: 5000 };
    let delay = first;
    for (;;) {
      if (this.stopping) throw new ConsumerStoppedError("stopping before the buff was stored");
      try {
        const outcome = await this.deps.insert(buff);
        this.databaseAnswered();
        return { outcome };
      } catch (error) {
        if (!isTransientDbError(error)) {
          this.databaseAnswered();
          return { outcome: "unstorable", reason: (error as Error).message };
        }
        this.databaseFailed(error);
        this.deps.events.storeRetried();
        await this.sleep(delay);
        delay = Math.min(delay * 2, max);
      }
    }
  }

  private async deadLetter(
    message: QueueMessage,
    kind: "invalid" | "unstorable",
    reason: string,
  ): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers)) {
      // Broker-assigned headers belong to the original delivery; the rest travels with the message.
      if (
        !["message-id", "subscription", "ack", "destination", "redelivered", "content-length"].includes(name)
      )
        headers[name] = value;
    }
    headers["dead-letter-reason"] = reason.slice(0, 500);
    headers["original-destination"] = message.headers.destination ?? "";
    await this.deps.deadLetter(message.body, headers);
    this.deps.events.deadLettered(kind);
    this.deps.log.warn(
      { reason, kind, reqId: message.headers["x-request-id"] },
      "poison message dead-lettered",
    );
  }

  private databaseFailed(error: unknown): void {
    if (this.failingSince !== undefined) return;
    this.failingSince = Date.now();
    this.deps.events.waitingForDatabase(true);
    this.deps.log.warn({ err: error }, "mysql unavailable: holding messages unacknowledged until it is back");
  }

  private databaseAnswered(): void {
    if (this.failingSince === undefined) return;
    this.deps.log.info({ downForMs: Date.now() - this.failingSince }, "mysql answers again: storing resumes");
    this.failingSince = undefined;
    this.deps.events.waitingForDatabase(false);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeSleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleepers.add(done);
    });
  }
}
