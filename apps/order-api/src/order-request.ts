import { HttpError } from "../../../lib/service-kit";
import { KEY_RECORD_PREFIX } from "./idempotency";

/** The largest quantity one order may ask for. */
export const MAX_QUANTITY = 10_000;
export const MAX_ID_LENGTH = 128;

/** The body of `POST /orders`: `{"product_id": str, "quantity": int, "customer_id": str}`. */
export interface OrderRequest {
  product_id: string;
  quantity: number;
  customer_id: string;
}

const CONTROL_CHARACTERS = /\p{Cc}/u;

/** A well-formed JSON body that breaks the schema answers 422, as FastAPI did. */
function invalid(reason: string): never {
  throw new HttpError(422, reason);
}

function requireId(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) invalid(`${field} is required`);
  if (typeof value !== "string") invalid(`${field} must be a string`);
  if (value.trim() === "") invalid(`${field} must not be empty`);
  if (value.length > MAX_ID_LENGTH) invalid(`${field} must be at most ${MAX_ID_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(value)) invalid(`${field} must not contain control characters`);
  return value;
}

/** Validates an order body; unknown fields are ignored, as the original did. */
export function parseOrderRequest(body: unknown): OrderRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) invalid("body must be a JSON object");
  const fields = body as Record<string, unknown>;
  const product_id = requireId(fields, "product_id");
  const quantity = fields.quantity;
  if (quantity === undefined || quantity === null) invalid("quantity is required");
  if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY)
    invalid(`quantity must be an integer from 1 to ${MAX_QUANTITY}`);
  const customer_id = requireId(fields, "customer_id");
  return { product_id, quantity, customer_id };
}

/** Order ids are UUIDs; anything else cannot name an order (nor may a key record be read as one). */
export function isPlausibleOrderId(value: string): boolean {
  return (
    value.length > 0 &&
    value.length <= MAX_ID_LENGTH &&
    !CONTROL_CHARACTERS.test(value) &&
    !value.startsWith(KEY_RECORD_PREFIX)
  );
}
