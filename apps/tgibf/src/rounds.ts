/**
 * The original generator's burst schedule: round i posts i × 1000 events at once, then pauses 2 s.
 * A round with network errors steps back: the original does `i = i − 2`, which we read as a
 * statement inside a counting loop that then does `i++`. So after round i comes i + 1 normally and
 * i − 1 after errors (two steps below where it would have gone), never below round 1.
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
