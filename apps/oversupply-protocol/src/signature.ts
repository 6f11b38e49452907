import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * HMAC-SHA256 request signing for calls between oversupply services (matcher → backend callback,
 * cruncher → backend weights). The signature covers `<timestamp>.<raw body>`, so a captured request
 * cannot be replayed outside the tolerance window or with another body.
 */
export const SIGNATURE_HEADER = "x-oversupply-signature";
export const TIMESTAMP_HEADER = "x-oversupply-timestamp";
/** How far a request's timestamp may be from the receiver's clock, in seconds. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

function digest(secret: string, timestamp: string, body: string): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest();
}

/** Headers to send with `body`; `nowMs` is injectable for tests. */
export function signatureHeaders(secret: string, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [SIGNATURE_HEADER]: `sha256=${digest(secret, timestamp, body).toString("hex")}`,
    [TIMESTAMP_HEADER]: timestamp,
  };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Verifies a signed request in constant time; the reason says what is wrong without leaking the expected value. */
export function verifySignature(
  secret: string,
  body: string,
  headers: Record<string, string | string[] | undefined>,
  nowMs = Date.now(),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): SignatureCheck {
  const signature = headers[SIGNATURE_HEADER];
  const timestamp = headers[TIMESTAMP_HEADER];
  if (typeof signature !== "string" || typeof timestamp !== "string")
    return { ok: false, reason: `${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER} headers are required` };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} must be unix seconds` };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds)
    return { ok: false, reason: `${TIMESTAMP_HEADER} is outside the ${toleranceSeconds}s tolerance` };
  const match = /^sha256=([0-9a-f]{64})$/.exec(signature);
  if (!match) return { ok: false, reason: `${SIGNATURE_HEADER} must be sha256=<64 hex digits>` };
  const given = Buffer.from(match[1]!, "hex");
  if (!timingSafeEqual(given, digest(secret, timestamp, body)))
    return { ok: false, reason: "signature does not match" };
  return { ok: true };
}
