import { HttpError } from "../../../lib/service-kit";

/** The largest quantity one order may ask for; larger values are a client error, not a stock question. */
export const MAX_QUANTITY = 10_000;
export const MAX_ID_LENGTH = 128;

export interface ProcessOrderRequest {
  product_id: string;
  quantity: number;
  customer_id: string;
  /** Idempotency key sent by order-api: the id of the order this reservation is for. */
  order_id?: string;
}

const CONTROL_CHARACTERS = /\p{Cc}/u;
const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Answers 422 with the reason when a JSON body does not match the schema (as FastAPI did). */
function invalid(reason: string): never {
  throw new HttpError(422, reason);
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) invalid("body must be a JSON object");
  return body as Record<string, unknown>;
}

export function requireId(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) invalid(`${field} is required`);
  if (typeof value !== "string") invalid(`${field} must be a string`);
  if (value.trim() === "") invalid(`${field} must not be empty`);
  if (value.length > MAX_ID_LENGTH) invalid(`${field} must be at most ${MAX_ID_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(value)) invalid(`${field} must not contain control characters`);
  return value;
}

export function requireQuantity(body: Record<string, unknown>): number {
  const value = body.quantity;
  if (value === undefined || value === null) invalid("quantity is required");
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_QUANTITY)
    invalid(`quantity must be an integer from 1 to ${MAX_QUANTITY}`);
  return value;
}

export function requireOrderId(body: Record<string, unknown>, required: boolean): string | undefined {
  const value = body.order_id;
  if (value === undefined || value === null) return required ? invalid("order_id is required") : undefined;
  if (typeof value !== "string" || !ORDER_ID.test(value))
    invalid("order_id must be 1-64 letters, digits, dashes or underscores");
  return value;
}

export function parseProcessOrder(body: unknown): ProcessOrderRequest {
  const fields = requireObject(body);
  const request: ProcessOrderRequest = {
    product_id: requireId(fields, "product_id"),
    quantity: requireQuantity(fields),
    customer_id: requireId(fields, "customer_id"),
  };
  const orderId = requireOrderId(fields, false);
  if (orderId !== undefined) request.order_id = orderId;
  return request;
}

export interface OrderReference {
  order_id: string;
  product_id: string;
}

/** The body of `/release-order` and `/commit-order`. */
export function parseOrderReference(body: unknown): OrderReference {
  const fields = requireObject(body);
  return { order_id: requireOrderId(fields, true)!, product_id: requireId(fields, "product_id") };
}

/** Tombstones younger than this are never pruned, whatever a caller asks: the processor's own floor. */
export const MIN_TOMBSTONE_AGE_SECONDS = 60;
export const MAX_PRUNE_LIMIT = 10_000;

export interface PruneRequest {
  older_than_seconds: number;
  limit: number;
}

/** The body of `/prune-tombstones`: `{"older_than_seconds": int >= 60, "limit"?: int}`. */
export function parsePruneRequest(body: unknown): PruneRequest {
  const fields = requireObject(body);
  const age = fields.older_than_seconds;
  if (typeof age !== "number" || !Number.isInteger(age) || age < MIN_TOMBSTONE_AGE_SECONDS)
    invalid(`older_than_seconds must be a whole number of seconds, at least ${MIN_TOMBSTONE_AGE_SECONDS}`);
  const limit = fields.limit ?? 1_000;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_PRUNE_LIMIT)
    invalid(`limit must be an integer from 1 to ${MAX_PRUNE_LIMIT}`);
  return { older_than_seconds: age, limit };
}
