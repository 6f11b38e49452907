import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HttpError, REQUEST_ID_HEADER, type ServiceMetrics } from "../../../lib/service-kit";
import { StompUnavailableError } from "../../../lib/stomp";
import { BUFF_ID_HEADER, BUFF_ID_PATTERN, encodeBuffMessage, validateBuff } from "./buff";

export interface Publisher {
  /** Resolves once the broker has the message persisted (its RECEIPT); rejects when it cannot. */
  send(destination: string, body: string, headers?: Record<string, string>): Promise<void>;
}

export interface PublishRouteOptions {
  publisher: Publisher;
  destination: string;
  metrics: ServiceMetrics;
  /** Runs before validation: the bearer token check, when a token is configured. */
  authorize?: (request: FastifyRequest) => Promise<void>;
}

/**
 * A client that retries after a 503 (or a lost answer) can send the same `Idempotency-Key`: it
 * becomes the Buff's id, so the server stores the Buff once however often it was posted.
 */
function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const key = request.headers["idempotency-key"];
  if (key === undefined) return undefined;
  if (typeof key !== "string" || !BUFF_ID_PATTERN.test(key))
    throw new HttpError(400, "Idempotency-Key must be 1-191 printable ASCII characters without spaces");
  return key;
}

/** Seconds a client should wait before retrying while the broker is unreachable. */
const BROKER_RETRY_AFTER_SECONDS = "5";

/**
 * `POST /buff`: validates the Buff, stamps it with an id (which makes the server's storage
 * idempotent) and answers 200 only after the broker has persisted it.
 */
export function registerPublishRoute(app: FastifyInstance, options: PublishRouteOptions): void {
  const published = options.metrics.counter({
    name: "buffs_published_total",
    help: "Buffs accepted and persisted by the broker.",
  });
  const rejected = options.metrics.counter({
    name: "buffs_rejected_total",
    help: "Posted Buffs refused, by reason (invalid, unauthorized).",
    labelNames: ["reason"],
  });
  const publishFailures = options.metrics.counter({
    name: "buffs_publish_failures_total",
    help: "Valid Buffs that could not be handed to the broker (answered 503).",
  });

  const { authorize } = options;
  const onRequest = authorize
    ? async (request: FastifyRequest) => {
        try {
          await authorize(request);
        } catch (error) {
          rejected.inc({ reason: "unauthorized" });
          throw error;
        }
      }
    : undefined;

  app.post("/buff", onRequest ? { onRequest } : {}, async (request) => {
    const buff = validateBuff(request.body);
    if (!buff.ok) {
      rejected.inc({ reason: "invalid" });
      throw new HttpError(400, buff.reason);
    }
    const id = idempotencyKeyOf(request) ?? randomUUID();
    try {
      await options.publisher.send(options.destination, encodeBuffMessage({ id, ...buff.value }), {
        [BUFF_ID_HEADER]: id,
        [REQUEST_ID_HEADER]: request.id,
        "content-type": "application/json",
      });
    } catch (error) {
      publishFailures.inc();
      // Broker down is expected and already logged by the 503; anything else gets its details.
      if (!(error instanceof StompUnavailableError))
        request.log.warn({ err: error }, "could not publish the buff");
      throw new HttpError(503, "the message broker is unavailable; retry later", {
        "retry-after": BROKER_RETRY_AFTER_SECONDS,
      });
    }
    published.inc();
    request.log.info({ buffId: id }, "buff published");
    return { id, ...buff.value };
  });
}
