import type { MatchRequest } from "../../../oversupply-protocol/src/messages";
import type { FeatureValues } from "../../../oversupply-protocol/src/weights";
import type { DemandPartner } from "../partners/demand-partner";
import { distanceKm } from "./geo";

/** Distance at which proximity is one half. */
const HALF_PROXIMITY_KM = 25;
const DAY_MS = 86_400_000;

/** A partner can be recommended only if it accepts the category and can take that unit at all. */
export function isCandidate(request: MatchRequest, partner: DemandPartner): boolean {
  return partner.categories.includes(request.category) && (partner.capacity[request.unit] ?? 0) > 0;
}

/** Whole days from `today` (UTC) to the best-before date; 0 when it is today or already past. */
export function daysLeft(bestBefore: string, nowMs: number): number {
  const due = Date.parse(`${bestBefore}T00:00:00Z`);
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return Math.max(0, Math.round((due - today) / DAY_MS));
}

/** The model's inputs for one candidate, each in [0, 1] (see the protocol's weights module). */
export function featuresOf(
  request: MatchRequest,
  partner: DemandPartner,
  nowMs: number,
): { features: FeatureValues; distanceKm: number } {
  const km = distanceKm(request.location, partner.location);
  const rank = partner.categories.indexOf(request.category);
  const capacity = partner.capacity[request.unit] ?? 0;
  const left = daysLeft(request.bestBefore, nowMs);
  return {
    distanceKm: km,
    features: {
      proximity: 1 / (1 + km / HALF_PROXIMITY_KM),
      categoryFit: rank < 0 ? 0 : Math.max(0.4, 1 - 0.2 * rank),
      capacityFit: Math.min(1, capacity / request.quantity),
      freshness: left >= partner.leadTimeDays ? 1 : (left + 1) / (partner.leadTimeDays + 1),
    },
  };
}
