import type { FastifyInstance } from "fastify";
import { HttpError, type ServiceMetrics } from "../../../../lib/service-kit";
import { parseRecommendation } from "../../../oversupply-protocol/src/messages";
import type { RegistrationStore } from "../registrations/registration-store";
import { validated } from "./bad-request";

/** Where the matcher delivers recommendations (signed, idempotent: the first delivery wins). */
export const RECOMMENDATION_CALLBACK_PATH = "/callbacks/recommendation";

export function registerCallbackRoutes(
  app: FastifyInstance,
  store: RegistrationStore,
  metrics: ServiceMetrics,
): void {
  const deliveries = metrics.counter({
    name: "oversupply_recommendation_deliveries_total",
    help: "Recommendations delivered by matchers: applied (first delivery) or duplicate (a retry, ignored).",
    labelNames: ["result"],
  });

  app.post(RECOMMENDATION_CALLBACK_PATH, async (request) => {
    const recommendation = validated(() => parseRecommendation(request.body));
    const result = await store.applyRecommendation(recommendation);
    if (result === "unknown")
      throw new HttpError(404, `no registration with id ${recommendation.registrationId}`);
    deliveries.inc({ result });
    request.log.info(
      {
        registrationId: recommendation.registrationId,
        result,
        weightsVersion: recommendation.weightsVersion,
      },
      "recommendation delivered",
    );
    return { registrationId: recommendation.registrationId, applied: result === "applied" };
  });
}
