import { CircuitBreaker } from "./circuit-breaker";
import type { EventStore, ReceivedEvent } from "./event-store";
import { type BatchOutcome, type GroupCommitOptions, GroupCommitter } from "./group-commit";
import { IngestRefusedError } from "./refusal";

/**
 * How the webhook stores an event before answering 200. `group-commit` is the production strategy;
 * the other two exist for the benchmark, as its ceiling (`none`: nothing stored, every event
 * discarded) and its baseline (`naive`: one autocommit INSERT per request).
 */
export type IngestMode = "group-commit" | "naive" | "none";
export const INGEST_MODES: readonly IngestMode[] = ["group-commit", "naive", "none"];

/** The second variable `INGEST_MODE=none` needs, named after what it does. */
export const DISCARD_CONFIRMATION = { variable: "BENCHMARK_ONLY_DISCARD_EVENTS", value: "yes" } as const;

/**
 * `none` throws every event away, so it must never be on by accident: without the confirmation
 * the webhook refuses to start, with a message that says why and what would turn it on.
 */
export function refuseUnconfirmedDiscard(mode: IngestMode, confirmed: boolean): void {
  if (mode !== "none" || confirmed) return;
  const { variable, value } = DISCARD_CONFIRMATION;
  throw new Error(
    `INGEST_MODE=none stores nothing: every event would be thrown away (answered 200 {"status":"discarded"}). ` +
      `It exists for the ingest benchmark's ceiling only, so the webhook refuses to start with it alone; ` +
      `unset INGEST_MODE for the real service, or also set ${variable}=${value} for a benchmark`,
  );
}

export interface Ingestor {
  /** Resolves once the event is durably stored; rejects with IngestRefusedError otherwise. */
  ingest(event: ReceivedEvent): Promise<void>;
  /** Events waiting to be written. */
  backlog(): number;
  /** Whether the event counts are maintained (they are not in the benchmark-only modes). */
  readonly countsEvents: boolean;
  /** True in `none` only: ingest() resolves without storing anything, and the answer must say so. */
  readonly discards: boolean;
  /** Settles everything already accepted. */
  drain(): Promise<void>;
}

export function createIngestor(
  mode: IngestMode,
  store: EventStore,
  options: GroupCommitOptions & { breakerCooldownMs: number; now?: () => number },
  onBatch: (outcome: BatchOutcome, events: readonly ReceivedEvent[]) => void,
): Ingestor {
  switch (mode) {
    case "group-commit": {
      const breaker = new CircuitBreaker({
        cooldownMs: options.breakerCooldownMs,
        maxCooldownMs: options.breakerCooldownMs * 8,
        ...(options.now ? { now: options.now } : {}),
      });
      const committer = new GroupCommitter<ReceivedEvent>(
        (events) => store.insertBatch(events),
        options,
        breaker,
        onBatch,
        options.now,
      );
      return {
        ingest: (event) => committer.submit(event),
        backlog: () => committer.backlog,
        countsEvents: true,
        discards: false,
        drain: () => committer.drain(),
      };
    }
    case "naive":
      return {
        async ingest(event) {
          try {
            await store.insertOne(event);
          } catch {
            throw new IngestRefusedError("database_unavailable", "the database did not store the event", 1);
          }
        },
        backlog: () => 0,
        countsEvents: false,
        discards: false,
        drain: async () => {},
      };
    case "none":
      return {
        ingest: async () => {},
        backlog: () => 0,
        countsEvents: false,
        discards: true,
        drain: async () => {},
      };
  }
}
