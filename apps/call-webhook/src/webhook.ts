import { createService, type Service } from "../../../lib/service-kit";
import { CALL_EVENT_TYPES } from "./call-event";
import type { WebhookConfig } from "./config";
import { createMySqlPool, EventStore } from "./event-store";
import { createIngestor, type Ingestor, refuseUnconfirmedDiscard } from "./ingest";
import { registerRoutes } from "./routes";
import { migrate } from "./schema";

export interface CallWebhook {
  url: string;
  service: Service;
  store: EventStore;
  ingestor: Ingestor;
  close(): Promise<void>;
}

/** Count buckets are kept a day (for looking back by hand), then pruned. */
const COUNT_RETENTION_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 10 * 60 * 1000;
const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

/** Builds the webhook, applies the schema, and starts listening. */
export async function startCallWebhook(config: WebhookConfig): Promise<CallWebhook> {
  refuseUnconfirmedDiscard(config.ingestMode, config.benchmarkOnlyDiscardEvents === true);
  const now = config.now ?? Date.now;
  const store = new EventStore(createMySqlPool(config.mysql), config.statementTimeoutMs);
  await migrateWithRetry(store, 30_000);

  const service = createService({
    name: "call-webhook",
    port: config.port,
    ...(config.host ? { host: config.host } : {}),
    bodyLimit: 16 * 1024,
    ...(config.logLevel ? { logLevel: config.logLevel } : {}),
    ...(config.logStream ? { logStream: config.logStream } : {}),
    readiness: { mysql: () => store.ping() },
  });
  const { metrics } = service;
  const stored = metrics.counter({
    name: "call_events_stored_total",
    help: "Events acknowledged with 200 after their batch was committed, by type.",
    labelNames: ["type"],
  });
  for (const type of CALL_EVENT_TYPES) stored.inc({ type }, 0);
  const discarded = metrics.counter({
    name: "call_events_discarded_total",
    help: "Events answered 200 {status: discarded} and NOT stored (INGEST_MODE=none, benchmark only), by type.",
    labelNames: ["type"],
  });
  const refused = metrics.counter({
    name: "call_events_refused_total",
    help: "Events answered 503 (not stored), by reason.",
    labelNames: ["reason"],
  });
  const batchSize = metrics.histogram({
    name: "call_event_batch_size_events",
    help: "Events per group-commit transaction.",
    buckets: BATCH_SIZE_BUCKETS,
  });
  const batchDuration = metrics.histogram({
    name: "call_event_batch_duration_seconds",
    help: "Time to write and commit one batch.",
    labelNames: ["outcome"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

  const ingestor = createIngestor(
    config.ingestMode,
    store,
    { ...config.batching, breakerCooldownMs: config.breakerCooldownMs, now },
    (outcome) => {
      const seconds = outcome.durationMs / 1000;
      batchDuration.observe({ outcome: outcome.ok ? "committed" : "failed" }, seconds);
      if (outcome.ok) batchSize.observe(outcome.size);
      else
        service.log.warn({ err: outcome.error, size: outcome.size }, "batch failed: its events were refused");
    },
  );
  if (ingestor.discards) {
    service.log.warn(
      { ingestMode: config.ingestMode },
      "INGEST_MODE=none: EVERY EVENT IS DISCARDED, NOTHING IS STORED (answers are 200 {status: discarded}); benchmark only, never serve a provider with this",
    );
  }
  metrics.gauge({
    name: "call_event_backlog_events",
    help: "Events waiting for a group-commit batch.",
    collect() {
      this.set(ingestor.backlog());
    },
  });

  registerRoutes(service.app, {
    ingestor,
    store,
    now,
    onStored: (type) => stored.inc({ type }),
    onDiscarded: (type) => discarded.inc({ type }),
    onRefused: (reason) => refused.inc({ reason }),
  });

  const pruneTimer = setInterval(() => {
    store.pruneCounts(Math.floor((now() - COUNT_RETENTION_MS) / 1000)).catch((error: unknown) => {
      service.log.warn({ err: error }, "could not prune old event counts");
    });
  }, PRUNE_EVERY_MS);
  pruneTimer.unref();

  // Runs after in-flight requests finished: the last batches commit before the pool closes.
  service.onClose(async () => {
    clearInterval(pruneTimer);
    await ingestor.drain();
    await store.close();
  });

  const url = await service.listen();
  return { url, service, store, ingestor, close: () => service.close() };
}

async function migrateWithRetry(store: EventStore, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 3000)) {
    try {
      await migrate(store.pool);
      return;
    } catch (error) {
      if (Date.now() + delay > deadline) {
        throw new Error(`could not apply the schema within ${timeoutMs} ms: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
