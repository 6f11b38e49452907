/**
 * The words the oversupply system agrees on: food categories and units of quantity. The backend
 * validates registrations against them, the matcher's demand partners are described with them and
 * the page offers them as choices.
 */
export const CATEGORIES = [
  "produce",
  "bakery",
  "dairy",
  "meat",
  "fish",
  "prepared-meals",
  "dry-goods",
  "frozen",
  "beverages",
] as const;

export const UNITS = ["kg", "l", "crates", "portions", "items"] as const;

export type Category = (typeof CATEGORIES)[number];
export type Unit = (typeof UNITS)[number];

export function isCategory(value: unknown): value is Category {
  return typeof value === "string" && (CATEGORIES as readonly string[]).includes(value);
}

export function isUnit(value: unknown): value is Unit {
  return typeof value === "string" && (UNITS as readonly string[]).includes(value);
}
