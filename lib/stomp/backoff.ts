export interface BackoffOptions {
  /** @default 100 */
  initialMs?: number;
  /** @default 5000 */
  maxMs?: number;
}

/**
 * Exponential backoff with "equal jitter": attempt n waits a random time in
 * [base/2, base] with base = initial * 2^n capped at max, so a fleet of clients that lost the
 * same broker does not reconnect in lock-step.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? 100;
  const max = options.maxMs ?? 5000;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + (random() * base) / 2);
}
