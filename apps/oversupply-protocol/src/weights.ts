import { InvalidField, integerAt, numberAt, objectAt, onlyKeys, stringAt } from "./checks";

/**
 * The matcher's model is linear: score = Σ weight[f] · feature[f], each feature in [0, 1].
 * - proximity:   1 next door, falling with road-less (great-circle) distance.
 * - categoryFit: 1 when the category is the partner's primary one, lower when merely accepted.
 * - capacityFit: the share of the quantity the partner can take (1 = all of it).
 * - freshness:   whether the partner can use the food before its best-before date.
 */
export const FEATURES = ["proximity", "categoryFit", "capacityFit", "freshness"] as const;
export type Feature = (typeof FEATURES)[number];
export type Weights = Record<Feature, number>;
export type FeatureValues = Record<Feature, number>;

/** A published set of weights; versions only ever increase. */
export interface WeightsVersion {
  version: number;
  weights: Weights;
  createdAt: string;
}

/** The weights every deployment starts with (version 1, seeded by the backend's migrations). */
export const INITIAL_WEIGHTS: Weights = {
  proximity: 0.4,
  categoryFit: 0.25,
  capacityFit: 0.2,
  freshness: 0.15,
};

/** Weights are non-negative and sum to 1, so scores stay comparable across versions. */
export function normalizeWeights(raw: Weights): Weights {
  const total = FEATURES.reduce((sum, f) => sum + Math.max(0, raw[f]), 0);
  if (!(total > 0)) throw new InvalidField("weights", "must have at least one positive weight");
  const out = {} as Weights;
  for (const f of FEATURES) out[f] = Math.max(0, raw[f]) / total;
  return out;
}

export function parseWeights(value: unknown, field = "weights"): Weights {
  const raw = objectAt(value, field);
  onlyKeys(raw, FEATURES, `${field}.`);
  const weights = {} as Weights;
  for (const f of FEATURES) weights[f] = numberAt(raw[f], `${field}.${f}`, 0, 1000);
  return normalizeWeights(weights);
}

export function parseFeatureValues(value: unknown, field = "features"): FeatureValues {
  const raw = objectAt(value, field);
  const features = {} as FeatureValues;
  for (const f of FEATURES) features[f] = numberAt(raw[f], `${field}.${f}`, 0, 1);
  return features;
}

export function parseWeightsVersion(value: unknown): WeightsVersion {
  const raw = objectAt(value, "message");
  return {
    version: integerAt(raw.version, "version", 1),
    weights: parseWeights(raw.weights),
    createdAt: stringAt(raw.createdAt, "createdAt", 40),
  };
}
