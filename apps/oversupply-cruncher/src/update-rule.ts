import {
  FEATURES,
  type FeatureValues,
  normalizeWeights,
  type Weights,
} from "../../oversupply-protocol/src/weights";

export interface LabelledOutcome {
  outcome: "accepted" | "rejected";
  features: FeatureValues;
}

/** No weight drops below this, so a feature can always come back if later outcomes favour it. */
export const MIN_WEIGHT = 0.02;

/**
 * One step of the delta rule (least mean squares) on a batch of outcomes:
 *
 *   w[f] ← w[f] + rate · mean over outcomes of (target − score) · feature[f]
 *
 * with target 1 for an accepted match and 0 for a rejected one, and score = Σ w·feature (the
 * model's own prediction). A feature that was high in matches partners accepted gains weight; one
 * that was high in matches they rejected loses weight. The result is floored at MIN_WEIGHT and
 * rescaled to sum to 1, so only the features' relative importance changes.
 */
export function updateWeights(current: Weights, outcomes: readonly LabelledOutcome[], rate: number): Weights {
  if (outcomes.length === 0) return current;
  const step = {} as Weights;
  for (const f of FEATURES) step[f] = 0;
  for (const { outcome, features } of outcomes) {
    const score = FEATURES.reduce((sum, f) => sum + current[f] * features[f], 0);
    const error = (outcome === "accepted" ? 1 : 0) - score;
    for (const f of FEATURES) step[f] += (error * features[f]) / outcomes.length;
  }
  const next = {} as Weights;
  for (const f of FEATURES) next[f] = Math.max(MIN_WEIGHT, current[f] + rate * step[f]);
  return normalizeWeights(next);
}
