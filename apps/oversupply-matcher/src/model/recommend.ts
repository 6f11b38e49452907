import type { MatchRequest, Recommendation } from "../../../oversupply-protocol/src/messages";
import { FEATURES, type FeatureValues, type WeightsVersion } from "../../../oversupply-protocol/src/weights";
import type { DemandPartner } from "../partners/demand-partner";
import { featuresOf, isCandidate } from "./features";

export interface ScoredPartner {
  partner: DemandPartner;
  score: number;
  distanceKm: number;
  features: FeatureValues;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Candidates by descending score (the linear model Σ w·f); ties go to the partner id, for determinism. */
export function rankPartners(
  request: MatchRequest,
  partners: readonly DemandPartner[],
  weights: WeightsVersion,
  nowMs: number,
): ScoredPartner[] {
  return partners
    .filter((partner) => isCandidate(request, partner))
    .map((partner) => {
      const { features, distanceKm } = featuresOf(request, partner, nowMs);
      const score = FEATURES.reduce((sum, f) => sum + weights.weights[f] * features[f], 0);
      return { partner, score, distanceKm, features };
    })
    .sort((a, b) => b.score - a.score || a.partner.id.localeCompare(b.partner.id));
}

/** The recommendation for a request: the best-scoring partner and the next ones as alternatives. */
export function recommend(
  request: MatchRequest,
  partners: readonly DemandPartner[],
  weights: WeightsVersion,
  nowMs = Date.now(),
): Recommendation {
  const ranked = rankPartners(request, partners, weights, nowMs);
  const matchedAt = new Date(nowMs).toISOString();
  const best = ranked[0];
  if (!best) {
    return {
      registrationId: request.registrationId,
      partner: null,
      score: 0,
      distanceKm: null,
      features: null,
      weightsVersion: weights.version,
      alternatives: [],
      reason: `no demand partner takes ${request.category} in ${request.unit}`,
      matchedAt,
    };
  }
  const features = {} as FeatureValues;
  for (const f of FEATURES) features[f] = round(best.features[f], 4);
  return {
    registrationId: request.registrationId,
    partner: { id: best.partner.id, name: best.partner.name, location: best.partner.location },
    score: round(best.score, 4),
    distanceKm: round(best.distanceKm, 1),
    features,
    weightsVersion: weights.version,
    alternatives: ranked.slice(1, 4).map((s) => ({ partnerId: s.partner.id, score: round(s.score, 4) })),
    matchedAt,
  };
}
