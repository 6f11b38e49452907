import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { HttpError } from "../../../lib/service-kit";

export interface DynamoConnection {
  /** A DynamoDB-compatible endpoint (dynalite, DynamoDB Local); undefined means real AWS. */
  endpoint?: string;
}

/**
 * A DynamoDB client with tight timeouts, so a DynamoDB outage turns into a quick 503 instead of a
 * request hanging for the SDK's defaults. Against real AWS the region and credentials come from the
 * SDK's default chain; against a local endpoint, placeholders are used when none are configured.
 */
export function createDynamoClient({ endpoint }: DynamoConnection): DynamoDBClient {
  const local = endpoint !== undefined;
  const hasCredentials = process.env.AWS_ACCESS_KEY_ID !== undefined || process.env.AWS_PROFILE !== undefined;
  const client = new DynamoDBClient({
    ...(local ? { endpoint, region: process.env.AWS_REGION ?? "us-east-1" } : {}),
    ...(local && !hasCredentials ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  return client;
}

export function documentClientFor(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

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
