/**
 * The call event a telephony provider posts to the webhook, and its validation. Every rule here is
 * part of the public contract (docs/services/call-events.md): an event that breaks one gets a 400
 * naming the field. Fields the contract does not know are ignored (not stored), so a provider adding
 * a field never makes us drop its events.
 */

export const CALL_EVENT_TYPES = [
  "call.new",
  "call.standby",
  "call.waiting",
  "actor.entered",
  "call.ongoing",
  "actor.left",
  "call.finished",
] as const;

export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

export const DIRECTIONS = ["inbound", "outbound"] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface CallEvent {
  call_id: string;
  code: string;
  type: CallEventType;
  direction: Direction;
  our_number: string;
  their_number: string;
  /** The provider's own time of the event, normalised to a Date (it is not used for counting). */
  timestamp: Date;
  /** Present on `actor.*` events. */
  actor?: string;
  number?: string;
}

/** Longest accepted value of each string field, in characters; the columns are sized to match. */
export const MAX_LENGTH = {
  call_id: 64,
  code: 32,
  our_number: 32,
  their_number: 32,
  actor: 128,
  number: 32,
  timestamp: 40,
} as const;

export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

const TYPES: ReadonlySet<string> = new Set(CALL_EVENT_TYPES);
const DIRECTION_SET: ReadonlySet<string> = new Set(DIRECTIONS);
// Printable characters only: no control characters (tabs, newlines, NUL) in identifiers or numbers.
const PRINTABLE = /^[^\p{Cc}]+$/u;
// ISO 8601 date-time with a zone: 2017-01-01T00:00:00Z, 2017-01-01T00:00:00.123-03:00.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

export function isActorEvent(type: CallEventType): boolean {
  return type.startsWith("actor.");
}

/** Returns the event, normalised, or throws an InvalidEventError whose message names the field. */
export function parseCallEvent(body: unknown): CallEvent {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InvalidEventError("body must be a JSON object");
  }
  const input = body as Record<string, unknown>;
  const type = input.type;
  if (typeof type !== "string" || !TYPES.has(type)) {
    throw new InvalidEventError(`type must be one of ${CALL_EVENT_TYPES.join(", ")} (got ${describe(type)})`);
  }
  const direction = input.direction;
  if (typeof direction !== "string" || !DIRECTION_SET.has(direction)) {
    throw new InvalidEventError(
      `direction must be one of ${DIRECTIONS.join(", ")} (got ${describe(direction)})`,
    );
  }
  const event: CallEvent = {
    call_id: text(input, "call_id"),
    code: text(input, "code"),
    type: type as CallEventType,
    direction: direction as Direction,
    our_number: text(input, "our_number"),
    their_number: text(input, "their_number"),
    timestamp: dateTime(input),
  };
  const actorEvent = isActorEvent(event.type);
  for (const field of ["actor", "number"] as const) {
    if (actorEvent) event[field] = text(input, field);
    else if (input[field] !== undefined && input[field] !== null) event[field] = text(input, field);
  }
  return event;
}

function text(input: Record<string, unknown>, field: keyof typeof MAX_LENGTH): string {
  const value = input[field];
  if (value === undefined || value === null) {
    const why = field === "actor" || field === "number" ? ` (required on actor.* events)` : "";
    throw new InvalidEventError(`${field} is required${why}`);
  }
  if (typeof value !== "string")
    throw new InvalidEventError(`${field} must be a string (got ${typeof value})`);
  if (value.length === 0) throw new InvalidEventError(`${field} must not be empty`);
  if (value.length > MAX_LENGTH[field]) {
    throw new InvalidEventError(
      `${field} must be at most ${MAX_LENGTH[field]} characters (got ${value.length})`,
    );
  }
  if (!PRINTABLE.test(value)) throw new InvalidEventError(`${field} must not contain control characters`);
  return value;
}

function dateTime(input: Record<string, unknown>): Date {
  const raw = text(input, "timestamp");
  const fields = ISO_DATE_TIME.exec(raw);
  if (!fields) {
    throw new InvalidEventError(
      `timestamp must be an ISO 8601 date-time such as 2017-01-01T00:00:00Z (got ${describe(raw)})`,
    );
  }
  const problem = impossibleField(fields.slice(1).map((field) => Number(field ?? 0)));
  // Date would roll an impossible field over (2017-02-30 becomes 2017-03-02): refuse it instead.
  if (problem) {
    throw new InvalidEventError(`timestamp is not a real date-time: ${problem} (got ${describe(raw)})`);
  }
  const parsed = new Date(raw);
  if (Number.isNaN(parsed.getTime())) {
    throw new InvalidEventError(`timestamp is not a real date-time (got ${describe(raw)})`);
  }
  const utcYear = parsed.getUTCFullYear();
  if (utcYear < 1970 || utcYear > 9999)
    throw new InvalidEventError("timestamp must be between 1970 and 9999");
  return parsed;
}

/** Why these date-time fields do not name a real instant, or undefined when they do. */
function impossibleField([year, month, day, hour, minute, second, offsetHour, offsetMinute]: number[]):
  | string
  | undefined {
  if (month! < 1 || month! > 12) return `month ${month} does not exist`;
  const days = daysInMonth(year!, month!);
  if (day! < 1 || day! > days)
    return `day ${day} does not exist in ${MONTHS[month! - 1]} ${year} (${days} days)`;
  if (hour! > 23) return `hour ${hour} does not exist (00 to 23)`;
  if (minute! > 59) return `minute ${minute} does not exist (00 to 59)`;
  if (second! > 59) return `second ${second} does not exist (00 to 59)`;
  if (offsetHour! > 23 || offsetMinute! > 59) return "the zone offset must be within ±23:59";
  return undefined;
}

const MONTHS = [
  ...["January", "February", "March", "April", "May", "June"],
  ...["July", "August", "September", "October", "November", "December"],
];

/** Days in a month (1 to 12) of the Gregorian calendar, leap years included. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}
