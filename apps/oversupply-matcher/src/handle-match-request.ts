import type { FastifyBaseLogger } from "fastify";
import type { ServiceMetrics } from "../../../lib/service-kit";
import { PoisonMessageError, type StompMessage } from "../../../lib/stomp";
import { parseMatchRequest } from "../../oversupply-protocol/src/messages";
import { type DeliveryPolicy, deliverRecommendation } from "./delivery/deliver-recommendation";
import { recommend } from "./model/recommend";
import type { DemandPartner } from "./partners/demand-partner";
import type { CurrentWeights } from "./weights/current-weights";

export function matcherMetrics(metrics: ServiceMetrics) {
  return {
    requests: metrics.counter({
      name: "oversupply_match_requests_total",
      help: "Match requests handled, by result: delivered, duplicate (already applied), refused, undelivered, invalid.",
      labelNames: ["result"],
    }),
    retries: metrics.counter({
      name: "oversupply_callback_retries_total",
      help: "Callback attempts repeated after a transient failure.",
    }),
    duration: metrics.histogram({
      name: "oversupply_match_duration_seconds",
      help: "Time from receiving a match request to the backend accepting its recommendation.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    }),
    weightsVersion: metrics.gauge({
      name: "oversupply_weights_version",
      help: "The weights version this matcher scores with.",
    }),
  };
}

export interface MatchContext {
  weights: CurrentWeights;
  partners: readonly DemandPartner[];
  callbackUrl: string;
  secret: string;
  delivery: DeliveryPolicy;
  metrics: ReturnType<typeof matcherMetrics>;
  log: FastifyBaseLogger;
  signal: AbortSignal;
}

/**
 * Scores the demand partners for one match request and delivers the recommendation. Resolving
 * ACKs the message. A message that can never succeed (malformed, or refused by the backend) throws
 * PoisonMessageError: NACK, and the broker dead-letters it. Any other throw (the callback still
 * failing after the attempts of one handling, or shutdown) releases it: the client closes and
 * reopens the subscription with backoff and the broker redelivers it, however long the outage.
 */
export async function handleMatchRequest(message: StompMessage, context: MatchContext): Promise<void> {
  const { metrics } = context;
  const requestId = message.headers["x-request-id"];
  const log = context.log.child({ reqId: requestId });
  const started = process.hrtime.bigint();
  let request: ReturnType<typeof parseMatchRequest>;
  try {
    request = parseMatchRequest(JSON.parse(message.body));
  } catch (error) {
    metrics.requests.inc({ result: "invalid" });
    log.error({ err: error, body: message.body.slice(0, 500) }, "malformed match request");
    throw new PoisonMessageError(`malformed match request: ${(error as Error).message}`);
  }
  const weights = context.weights.get();
  if (!weights) throw new Error("no weights loaded yet");
  const recommendation = recommend(request, context.partners, weights);
  const result = await deliverRecommendation(
    context.callbackUrl,
    context.secret,
    recommendation,
    requestId,
    context.delivery,
    context.signal,
    (attempt, reason) => {
      metrics.retries.inc();
      log.warn({ registrationId: request.registrationId, attempt, reason }, "callback failed; retrying");
    },
  );
  const fields = {
    registrationId: request.registrationId,
    partnerId: recommendation.partner?.id ?? null,
    score: recommendation.score,
    weightsVersion: recommendation.weightsVersion,
    attempts: result.attempts,
    redelivered: message.redelivered,
  };
  switch (result.kind) {
    case "delivered":
      metrics.requests.inc({ result: result.applied ? "delivered" : "duplicate" });
      metrics.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      log.info({ ...fields, applied: result.applied }, "recommendation delivered");
      return;
    case "refused":
      metrics.requests.inc({ result: "refused" });
      log.error(
        { ...fields, status: result.status, reason: result.reason },
        "backend refused the recommendation",
      );
      throw new PoisonMessageError(`backend refused the recommendation: ${result.reason}`);
    case "gave-up":
      metrics.requests.inc({ result: "undelivered" });
      log.warn(
        { ...fields, reason: result.reason },
        "callback still failing; leaving the request to the broker",
      );
      throw new Error(`callback undelivered after ${result.attempts} attempts: ${result.reason}`);
  }
}
