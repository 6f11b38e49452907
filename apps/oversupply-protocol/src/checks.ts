/** Small field checks shared by every oversupply message and request parser. */

/** A value failed a check; `message` names the field, e.g. `quantity must be a number > 0`. */
export class InvalidField extends Error {
  override name = "InvalidField";
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function objectAt(value: unknown, field: string): Json {
  if (!isObject(value)) throw new InvalidField(field, "must be an object");
  return value;
}

export function stringAt(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== "string") throw new InvalidField(field, "must be a string");
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new InvalidField(field, "must not be empty");
  if (trimmed.length > maxLength) throw new InvalidField(field, `must be at most ${maxLength} characters`);
  return trimmed;
}

export function numberAt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new InvalidField(field, "must be a finite number");
  if (value < min || value > max) throw new InvalidField(field, `must be between ${min} and ${max}`);
  return value;
}

export function integerAt(value: unknown, field: string, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min)
    throw new InvalidField(field, `must be an integer ≥ ${min}`);
  return value;
}

/** Rejects keys outside `allowed`, so a misspelt field is reported instead of silently ignored. */
export function onlyKeys(value: Json, allowed: readonly string[], prefix = ""): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new InvalidField(`${prefix}${key}`, "is not a known field");
  }
}
