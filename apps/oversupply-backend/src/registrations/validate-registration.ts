import {
  InvalidField,
  numberAt,
  objectAt,
  onlyKeys,
  stringAt,
} from "../../../oversupply-protocol/src/checks";
import { type GeoPoint, geoPointAt } from "../../../oversupply-protocol/src/messages";
import {
  CATEGORIES,
  type Category,
  isCategory,
  isUnit,
  UNITS,
  type Unit,
} from "../../../oversupply-protocol/src/vocabulary";

/** A registration of oversupply, as accepted by `POST /oversupply`. */
export interface Registration {
  partner: string;
  category: Category;
  item: string;
  quantity: number;
  unit: Unit;
  location: GeoPoint;
  bestBefore: string;
}

const FIELDS = ["partner", "category", "item", "quantity", "unit", "location", "bestBefore"] as const;
const MAX_QUANTITY = 1_000_000;
/** How far ahead a best-before date may be: beyond that it is a typo, not oversupply. */
const MAX_DAYS_AHEAD = 730;
const DAY_MS = 86_400_000;

/** Days since the epoch of a `YYYY-MM-DD` that names a real calendar day, else undefined. */
export function calendarDay(value: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  return time / DAY_MS;
}

/**
 * The earliest "today" anywhere on Earth (UTC-12). A date is in the past only when it is before that
 * day, so a partner late in the evening west of Greenwich is not told that today is yesterday.
 */
function earliestTodayOnEarth(nowMs: number): number {
  return Math.floor((nowMs - 12 * 3_600_000) / DAY_MS);
}

/** Checks a `POST /oversupply` body; throws InvalidField naming the first bad field. */
export function validateRegistration(body: unknown, nowMs = Date.now()): Registration {
  const raw = objectAt(body, "body");
  onlyKeys(raw, FIELDS);
  const partner = stringAt(raw.partner, "partner", 200);
  const category = stringAt(raw.category, "category", 32).toLowerCase();
  if (!isCategory(category)) throw new InvalidField("category", `must be one of ${CATEGORIES.join(", ")}`);
  const item = stringAt(raw.item, "item", 200);
  if (typeof raw.quantity !== "number" || !Number.isFinite(raw.quantity) || raw.quantity <= 0)
    throw new InvalidField("quantity", "must be a number > 0");
  const quantity = numberAt(raw.quantity, "quantity", 0, MAX_QUANTITY);
  const unit = stringAt(raw.unit, "unit", 16).toLowerCase();
  if (!isUnit(unit)) throw new InvalidField("unit", `must be one of ${UNITS.join(", ")}`);
  const locationFields = objectAt(raw.location, "location");
  onlyKeys(locationFields, ["lat", "lon"], "location.");
  const location = geoPointAt(locationFields, "location");
  const bestBefore = stringAt(raw.bestBefore, "bestBefore", 10);
  const day = calendarDay(bestBefore);
  if (day === undefined) throw new InvalidField("bestBefore", "must be a real date written YYYY-MM-DD");
  const today = earliestTodayOnEarth(nowMs);
  if (day < today) throw new InvalidField("bestBefore", "must not be in the past");
  if (day > today + MAX_DAYS_AHEAD)
    throw new InvalidField("bestBefore", `must be at most ${MAX_DAYS_AHEAD} days ahead`);
  return { partner, category, item, quantity, unit, location, bestBefore };
}
