import { InvalidField, integerAt, isObject, numberAt, objectAt, stringAt } from "./checks";
import { type Category, isCategory, isUnit, type Unit } from "./vocabulary";
import { type FeatureValues, parseFeatureValues } from "./weights";

export interface GeoPoint {
  lat: number;
  lon: number;
}

/** What the backend asks the matcher for, on the match-requests queue. */
export interface MatchRequest {
  registrationId: string;
  category: Category;
  item: string;
  quantity: number;
  unit: Unit;
  location: GeoPoint;
  bestBefore: string;
}

/** The partner a recommendation names. */
export interface RecommendedPartner {
  id: string;
  name: string;
  location: GeoPoint;
}

/**
 * What the matcher posts back to the backend. `partner` is null when no demand partner accepts the
 * category and unit at all; `reason` then says so.
 */
export interface Recommendation {
  registrationId: string;
  partner: RecommendedPartner | null;
  score: number;
  distanceKm: number | null;
  features: FeatureValues | null;
  weightsVersion: number;
  alternatives: { partnerId: string; score: number }[];
  reason?: string;
  matchedAt: string;
}

const ID = /^[0-9a-f-]{36}$/;

export function registrationIdAt(value: unknown, field: string): string {
  if (typeof value !== "string" || !ID.test(value))
    throw new InvalidField(field, "must be a registration id");
  return value;
}

export function geoPointAt(value: unknown, field: string): GeoPoint {
  const raw = objectAt(value, field);
  return {
    lat: numberAt(raw.lat, `${field}.lat`, -90, 90),
    lon: numberAt(raw.lon, `${field}.lon`, -180, 180),
  };
}

export function parseMatchRequest(value: unknown): MatchRequest {
  const raw = objectAt(value, "message");
  if (!isCategory(raw.category)) throw new InvalidField("category", "is not a known category");
  if (!isUnit(raw.unit)) throw new InvalidField("unit", "is not a known unit");
  return {
    registrationId: registrationIdAt(raw.registrationId, "registrationId"),
    category: raw.category,
    item: stringAt(raw.item, "item", 200),
    quantity: numberAt(raw.quantity, "quantity", Number.MIN_VALUE, 1e9),
    unit: raw.unit,
    location: geoPointAt(raw.location, "location"),
    bestBefore: stringAt(raw.bestBefore, "bestBefore", 10),
  };
}

export function parseRecommendation(value: unknown): Recommendation {
  const raw = objectAt(value, "body");
  const partner =
    raw.partner === null
      ? null
      : (() => {
          const p = objectAt(raw.partner, "partner");
          return {
            id: stringAt(p.id, "partner.id", 64),
            name: stringAt(p.name, "partner.name", 200),
            location: geoPointAt(p.location, "partner.location"),
          };
        })();
  if (!Array.isArray(raw.alternatives) || raw.alternatives.length > 10)
    throw new InvalidField("alternatives", "must be an array of at most 10 entries");
  const alternatives = raw.alternatives.map((a, i) => {
    if (!isObject(a)) throw new InvalidField(`alternatives[${i}]`, "must be an object");
    return {
      partnerId: stringAt(a.partnerId, `alternatives[${i}].partnerId`, 64),
      score: numberAt(a.score, `alternatives[${i}].score`, 0, 1),
    };
  });
  const matchedAt = stringAt(raw.matchedAt, "matchedAt", 40);
  if (Number.isNaN(Date.parse(matchedAt))) throw new InvalidField("matchedAt", "must be an ISO timestamp");
  return {
    registrationId: registrationIdAt(raw.registrationId, "registrationId"),
    partner,
    score: numberAt(raw.score, "score", 0, 1),
    distanceKm: partner === null ? null : numberAt(raw.distanceKm, "distanceKm", 0, 25_000),
    features: partner === null ? null : parseFeatureValues(raw.features),
    weightsVersion: integerAt(raw.weightsVersion, "weightsVersion", 1),
    alternatives,
    ...(partner === null ? { reason: stringAt(raw.reason, "reason", 300) } : {}),
    matchedAt,
  };
}
