import type { FastifyInstance } from "fastify";
import { HttpError } from "../../../../lib/service-kit";
import { integerAt, objectAt, onlyKeys } from "../../../oversupply-protocol/src/checks";
import { parseWeights } from "../../../oversupply-protocol/src/weights";
import type { RegistrationStore } from "../registrations/registration-store";
import type { WeightsStore } from "../weights/weights-store";
import { validated } from "./bad-request";

const MAX_PAGE = 1000;

function queryInteger(value: unknown, name: string, def: number, min: number, max: number): number {
  if (value === undefined) return def;
  if (typeof value !== "string" || !/^\d{1,15}$/.test(value) || Number(value) < min || Number(value) > max)
    throw new HttpError(400, `${name} must be an integer in ${min}-${max}`);
  return Number(value);
}

/** Internal routes for the cruncher (outcomes in, weights out) and the matcher (current weights). */
export function registerOutcomeRoutes(
  app: FastifyInstance,
  store: RegistrationStore,
  weights: WeightsStore,
): void {
  app.get("/outcomes", async (request) => {
    const q = request.query as Record<string, unknown>;
    const after = queryInteger(q.after, "after", 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = queryInteger(q.limit, "limit", 500, 1, MAX_PAGE);
    const outcomes = await store.outcomesAfter(after, limit);
    return { outcomes, next: outcomes.at(-1)?.id ?? after };
  });

  app.get("/weights/current", async () => weights.current());
}

/** `POST /weights` (signed): the cruncher appends a version computed from `basedOnVersion`. */
export function registerWeightsRoutes(app: FastifyInstance, weights: WeightsStore): void {
  app.post("/weights", async (request, reply) => {
    const body = validated(() => {
      const raw = objectAt(request.body, "body");
      onlyKeys(raw, ["basedOnVersion", "weights", "outcomesThrough"]);
      return {
        basedOnVersion: integerAt(raw.basedOnVersion, "basedOnVersion", 1),
        weights: parseWeights(raw.weights),
        outcomesThrough: integerAt(raw.outcomesThrough, "outcomesThrough", 0),
      };
    });
    const stored = await weights.append(body.basedOnVersion, body.weights, body.outcomesThrough);
    if (!stored) throw new HttpError(409, `version ${body.basedOnVersion} is no longer the current weights`);
    request.log.info({ version: stored.version, weights: stored.weights }, "weights version stored");
    return reply.code(201).send(stored);
  });
}
