import { CircuitBreaker } from "./circuit-breaker";
import type { EventStore, ReceivedEvent } from "./event-store";
import { type BatchOutcome, type GroupCommitOptions, GroupCommitter } from "./group-commit";
import { IngestRefusedError } from "./refusal";

/**
 * How the webhook stores an event before answering 200. `group-commit` is the production strategy;
 * the other two exist for the benchmark, as its ceiling (`none`: nothing stored) and its baseline
 * (`naive`: one autocommit INSERT per request).
 */
export type IngestMode = "group-commit" | "naive" | "none";
export const INGEST_MODES: readonly IngestMode[] = ["group-commit", "naive", "none"];

export interface Ingestor {
  /** Resolves once the event is durably stored; rejects with IngestRefusedError otherwise. */
  ingest(event: ReceivedEvent): Promise<void>;
  /** Events waiting to be written. */
  backlog(): number;
  /** Whether the event counts are maintained (they are not in the benchmark-only modes). */
  readonly countsEvents: boolean;
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
        drain: async () => {},
      };
    case "none":
      return { ingest: async () => {}, backlog: () => 0, countsEvents: false, drain: async () => {} };
  }
}
