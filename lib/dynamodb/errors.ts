import { HttpError } from "../service-kit";

const UNAVAILABLE_ERRORS = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "ResourceNotFoundException",
  "InternalServerError",
  "ServiceUnavailable",
  "TimeoutError",
  "RequestTimeout",
]);

/** True when an SDK error means DynamoDB cannot serve the request now (down, throttled, table missing). */
export function isDynamoUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (UNAVAILABLE_ERRORS.has(error.name)) return true;
  if (status !== undefined && status >= 500) return true;
  const code = (error as { code?: string }).code;
  return (
    code !== undefined && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE)$/.test(code)
  );
}

/** Rethrows a DynamoDB failure as 503 with Retry-After when it is an outage, unchanged otherwise. */
export function asServiceError(error: unknown): unknown {
  if (!isDynamoUnavailable(error)) return error;
  const reason = error instanceof Error ? error.name : "unknown error";
  return new HttpError(503, `DynamoDB unavailable (${reason})`, { "retry-after": "1" });
}

/**
 * Errors DynamoDB raises before applying a write. Not ConditionalCheckFailedException: when the
 * SDK retried a put whose first attempt landed, the retry fails its own condition.
 */
const NOT_APPLIED_ERRORS = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "ResourceNotFoundException",
  "ValidationException",
]);

/**
 * True when a failed write surely did not happen; false when it may have (a timeout or a 5xx after
 * the request was sent), in which case only reading the item back tells.
 */
export function writeSurelyNotApplied(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (NOT_APPLIED_ERRORS.has(error.name)) return true;
  const code = (error as { code?: string }).code;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH";
}
