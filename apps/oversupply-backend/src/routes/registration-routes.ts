import type { FastifyInstance } from "fastify";
import { HttpError, type ServiceMetrics } from "../../../../lib/service-kit";
import { InvalidField, objectAt, onlyKeys } from "../../../oversupply-protocol/src/checks";
import { CATEGORIES, UNITS } from "../../../oversupply-protocol/src/vocabulary";
import type { OutboxRelay } from "../outbox/outbox-relay";
import type { Outcome, RegistrationStore } from "../registrations/registration-store";
import { validateRegistration } from "../registrations/validate-registration";
import { registrationIdParam, validated } from "./bad-request";

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._-]{1,128}$/;

function outcomeFrom(body: unknown): Outcome {
  const raw = objectAt(body, "body");
  onlyKeys(raw, ["outcome"]);
  if (raw.outcome !== "accepted" && raw.outcome !== "rejected")
    throw new InvalidField("outcome", 'must be "accepted" or "rejected"');
  return raw.outcome;
}

/** The partner-facing API: register oversupply, follow its status, report the outcome. */
export function registerRegistrationRoutes(
  app: FastifyInstance,
  store: RegistrationStore,
  relay: OutboxRelay,
  metrics: ServiceMetrics,
): void {
  const registrations = metrics.counter({
    name: "oversupply_registrations_total",
    help: "Oversupply registrations stored (each with a match request in the outbox).",
  });
  const outcomes = metrics.counter({
    name: "oversupply_outcomes_total",
    help: "Outcomes reported by partners for recommended matches.",
    labelNames: ["outcome"],
  });

  app.get("/oversupply/options", async () => ({ categories: CATEGORIES, units: UNITS }));

  app.post("/oversupply", async (request, reply) => {
    const key = request.headers["idempotency-key"];
    if (key !== undefined && (typeof key !== "string" || !IDEMPOTENCY_KEY.test(key)))
      throw new HttpError(400, "idempotency-key must be 1-128 letters, digits, '-', '_' or '.'");
    const registration = validated(() => validateRegistration(request.body));
    const { id, created } = await store.create(registration, request.id, key);
    if (created) {
      registrations.inc();
      relay.wake();
    }
    return reply.code(202).send({ id });
  });

  app.get("/oversupply/:id", async (request) => {
    const id = registrationIdParam(request.params);
    const view = await store.view(id);
    if (!view) throw new HttpError(404, `no registration with id ${id}`);
    return view;
  });

  app.post("/oversupply/:id/outcome", async (request) => {
    const id = registrationIdParam(request.params);
    const outcome = validated(() => outcomeFrom(request.body));
    const result = await store.recordOutcome(id, outcome);
    switch (result) {
      case "unknown":
        throw new HttpError(404, `no registration with id ${id}`);
      case "pending":
        throw new HttpError(409, "the registration has no recommendation yet");
      case "unmatched":
        throw new HttpError(409, "the registration was not matched to a partner");
      case "conflict":
        throw new HttpError(409, "a different outcome was already recorded");
      case "recorded":
        outcomes.inc({ outcome });
    }
    return { id, outcome };
  });
}
