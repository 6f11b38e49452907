import type { Recommendation } from "../../../oversupply-protocol/src/messages";
import { signatureHeaders } from "../../../oversupply-protocol/src/signature";
import { backoffDelayMs, sleep } from "./backoff";

export interface DeliveryPolicy {
  /** Attempts before giving up on a transient failure (5xx, timeout, connection refused). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Time one attempt may take. */
  timeoutMs: number;
}

export type DeliveryResult =
  | { kind: "delivered"; attempts: number; applied: boolean }
  /** The backend refused the recommendation for good (4xx other than 401/408/429): retrying cannot help. */
  | { kind: "refused"; attempts: number; status: number; reason: string }
  /** Transient failures until `maxAttempts`: the caller leaves the message to the broker. */
  | { kind: "gave-up"; attempts: number; reason: string };

/** 401 is retried too: a secret being rotated on one side must not drop recommendations. */
const RETRIABLE_4XX = new Set([401, 408, 425, 429]);

/**
 * POSTs a signed recommendation to the backend's callback, retrying transient failures with
 * exponential backoff and jitter. Safe to repeat: the callback applies a registration's first
 * recommendation only.
 */
export async function deliverRecommendation(
  callbackUrl: string,
  secret: string,
  recommendation: Recommendation,
  requestId: string | undefined,
  policy: DeliveryPolicy,
  signal?: AbortSignal,
  onRetry?: (attempt: number, reason: string) => void,
): Promise<DeliveryResult> {
  const body = JSON.stringify(recommendation);
  let reason = "";
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    if (attempt > 1) {
      onRetry?.(attempt, reason);
      await sleep(backoffDelayMs(attempt - 1, policy.baseDelayMs, policy.maxDelayMs), signal);
    }
    try {
      const response = await fetch(callbackUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...signatureHeaders(secret, body),
          ...(requestId ? { "x-request-id": requestId } : {}),
        },
        body,
        signal: signal
          ? AbortSignal.any([signal, AbortSignal.timeout(policy.timeoutMs)])
          : AbortSignal.timeout(policy.timeoutMs),
      });
      const text = await response.text();
      if (response.ok) {
        const applied = (JSON.parse(text) as { applied?: unknown }).applied === true;
        return { kind: "delivered", attempts: attempt, applied };
      }
      reason = `HTTP ${response.status}: ${text.slice(0, 200)}`;
      if (response.status < 500 && !RETRIABLE_4XX.has(response.status))
        return { kind: "refused", attempts: attempt, status: response.status, reason };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
  return { kind: "gave-up", attempts: policy.maxAttempts, reason };
}
