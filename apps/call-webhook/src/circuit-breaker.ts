/**
 * Stops sending work to a database that just failed. After a failure the breaker is open for
 * `cooldownMs` (callers are refused at once, with the time left as Retry-After); then it lets work
 * through again ("half-open"), and the next success closes it. Consecutive failures double the
 * cooldown up to `maxCooldownMs`.
 */
export interface CircuitBreakerOptions {
  cooldownMs: number;
  maxCooldownMs: number;
  now?: () => number;
}

export type BreakerState = "closed" | "open" | "half-open";

export class CircuitBreaker {
  private openUntil = 0;
  private consecutiveFailures = 0;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.consecutiveFailures === 0) return "closed";
    return this.now() < this.openUntil ? "open" : "half-open";
  }

  /** True unless the breaker is open. */
  allows(): boolean {
    return this.state !== "open";
  }

  /** Seconds until the breaker lets work through again (at least 1). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.openUntil - this.now()) / 1000));
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.openUntil = 0;
  }

  recordFailure(): void {
    this.consecutiveFailures += 1;
    const cooldown = Math.min(
      this.options.maxCooldownMs,
      this.options.cooldownMs * 2 ** (this.consecutiveFailures - 1),
    );
    this.openUntil = this.now() + cooldown;
  }
}
