import type { FastifyInstance } from "fastify";
import { HttpError } from "../../../lib/service-kit";
import { type CallEventType, InvalidEventError, parseCallEvent } from "./call-event";
import { BUCKET_SECONDS, WINDOW_MINUTES, windowStartBucket } from "./count-window";
import type { EventStore } from "./event-store";
import type { Ingestor } from "./ingest";
import { IngestRefusedError } from "./refusal";

export interface RouteDeps {
  ingestor: Ingestor;
  store: EventStore;
  now: () => number;
  onStored: (type: CallEventType) => void;
  /** An event answered without being stored (INGEST_MODE=none, benchmark only). */
  onDiscarded: (type: CallEventType) => void;
  onRefused: (reason: string) => void;
}

export interface LastThirtyMinutes {
  window_minutes: number;
  bucket_seconds: number;
  total: number;
  by_type: Record<CallEventType, number>;
  as_of: string;
}

export const WEBHOOK_PATH = "/webhook";
/** Under the webhook's own path, so one ingress prefix (/webhook) routes both. */
export const COUNT_PATH = "/webhook/last-30-minutes";

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post(WEBHOOK_PATH, async (request) => {
    const receivedAt = deps.now();
    let event: ReturnType<typeof parseCallEvent>;
    try {
      event = parseCallEvent(request.body);
    } catch (error) {
      if (error instanceof InvalidEventError) throw new HttpError(400, error.message);
      throw error;
    }
    try {
      await deps.ingestor.ingest({ event, receivedAt });
    } catch (error) {
      if (error instanceof IngestRefusedError) {
        deps.onRefused(error.reason);
        throw new HttpError(503, error.message, { "retry-after": String(error.retryAfterSeconds) });
      }
      throw error;
    }
    if (deps.ingestor.discards) {
      deps.onDiscarded(event.type);
      return { status: "discarded" };
    }
    deps.onStored(event.type);
    return { status: "stored" };
  });

  app.get(COUNT_PATH, async (): Promise<LastThirtyMinutes> => {
    const now = deps.now();
    let byType: Record<CallEventType, number>;
    try {
      byType = await deps.store.countsSince(windowStartBucket(now));
    } catch (error) {
      app.log.warn({ err: error }, "could not read the event counts");
      throw new HttpError(503, "the database is unavailable; try again shortly", { "retry-after": "1" });
    }
    const total = Object.values(byType).reduce((sum, n) => sum + n, 0);
    return {
      window_minutes: WINDOW_MINUTES,
      bucket_seconds: BUCKET_SECONDS,
      total,
      by_type: byType,
      as_of: new Date(now).toISOString(),
    };
  });
}
