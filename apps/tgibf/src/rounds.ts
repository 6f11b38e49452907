/**
 * The original generator's burst schedule: round i posts i × 1000 events at once, then pauses 2 s.
 * The original's loop is `for i := 1; ; i++ { …; if errors { i = i - 2 } }`, so a round with network
 * errors steps the next round back by two from where it would have gone: after round i comes i + 1
 * normally and i − 1 after errors (never below round 1).
 */

export const EVENTS_PER_ROUND_STEP = 1000;
export const PAUSE_BETWEEN_ROUNDS_MS = 2000;

export function eventsInRound(round: number): number {
  return round * EVENTS_PER_ROUND_STEP;
}

export function nextRound(round: number, hadNetworkErrors: boolean): number {
  const next = hadNetworkErrors ? round - 2 + 1 : round + 1;
  return Math.max(1, next);
}
