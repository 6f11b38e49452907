import type { ServiceMetrics } from "../../../lib/service-kit";
import type { ConsumerEvents } from "./buff-consumer";
import type { ReaderEvents } from "./buffs-reader";

/** The server's domain metrics, as the event sinks of the reader and the consumer. */
export function buffsServerMetrics(metrics: ServiceMetrics): {
  reader: ReaderEvents;
  consumer: ConsumerEvents;
  cacheError: (operation: string) => void;
} {
  const cacheRequests = metrics.counter({
    name: "buffs_cache_requests_total",
    help: "GET /buffs lookups in Redis, by result (hit or miss; an unreachable Redis counts as a miss).",
    labelNames: ["result"],
  });
  const cacheErrors = metrics.counter({
    name: "buffs_cache_errors_total",
    help: "Redis operations that failed, by operation (get, set, invalidate).",
    labelNames: ["operation"],
  });
  const databaseReads = metrics.counter({
    name: "buffs_database_reads_total",
    help: "Reads of the Buffs list from MySQL (concurrent cache misses share one).",
  });
  const consumed = metrics.counter({
    name: "buffs_consumed_total",
    help: "Buff messages acknowledged after commit, by outcome (stored, or duplicate for a redelivery).",
    labelNames: ["outcome"],
  });
  const queued = metrics.histogram({
    name: "buffs_queue_latency_seconds",
    help: "Time from the broker accepting a Buff to its commit in MySQL (consumer lag).",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  });
  const deadLettered = metrics.counter({
    name: "buffs_dead_lettered_total",
    help: "Poison messages moved to the dead-letter queue, by reason (invalid, unstorable).",
    labelNames: ["reason"],
  });
  const storeRetries = metrics.counter({
    name: "buffs_store_retries_total",
    help: "Store attempts that failed on a transient MySQL error and were retried.",
  });
  const waiting = metrics.gauge({
    name: "buffs_consumer_waiting_for_database",
    help: "1 while the consumer holds messages unacknowledged because MySQL does not answer.",
  });
  for (const result of ["hit", "miss"]) cacheRequests.inc({ result }, 0);
  for (const outcome of ["stored", "duplicate"]) consumed.inc({ outcome }, 0);
  for (const reason of ["invalid", "unstorable"]) deadLettered.inc({ reason }, 0);
  waiting.set(0);
  return {
    reader: {
      cacheHit: () => cacheRequests.inc({ result: "hit" }),
      cacheMiss: () => cacheRequests.inc({ result: "miss" }),
      databaseRead: () => databaseReads.inc(),
    },
    consumer: {
      stored: (outcome, queuedSeconds) => {
        consumed.inc({ outcome });
        if (outcome === "stored" && queuedSeconds !== undefined) queued.observe(queuedSeconds);
      },
      deadLettered: (reason) => deadLettered.inc({ reason }),
      storeRetried: () => storeRetries.inc(),
      waitingForDatabase: (isWaiting) => waiting.set(isWaiting ? 1 : 0),
    },
    cacheError: (operation) => cacheErrors.inc({ operation }),
  };
}
