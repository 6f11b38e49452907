/**
 * "How many events arrived in the last 30 minutes", counted by the time the webhook received them.
 *
 * Each committed batch adds its events to a per-type counter of a 10-second bucket, in the same
 * transaction as the events themselves (so a count never includes an event that was not stored, and
 * every replica and restart sees the same numbers). Answering the question reads at most
 * 180 buckets × 7 types rows through the primary key: its cost does not grow with the traffic.
 *
 * The window is the current (partial) bucket plus the 179 before it, so it covers between 29m50s and
 * 30m of arrivals: the count is exact to within one bucket's width at the oldest edge.
 */

export const WINDOW_MINUTES = 30;
export const BUCKET_SECONDS = 10;
const BUCKET_MS = BUCKET_SECONDS * 1000;
const BUCKETS_IN_WINDOW = (WINDOW_MINUTES * 60) / BUCKET_SECONDS;

/** Start of the bucket holding instant `ms` (epoch milliseconds), as epoch seconds. */
export function bucketOf(ms: number): number {
  return Math.floor(ms / BUCKET_MS) * BUCKET_SECONDS;
}

/** Oldest bucket (epoch seconds) still inside the window that ends at `nowMs`. */
export function windowStartBucket(nowMs: number): number {
  return bucketOf(nowMs) - (BUCKETS_IN_WINDOW - 1) * BUCKET_SECONDS;
}

/** Buckets older than this (epoch seconds) can be deleted: no window will read them again. */
export function expiredBefore(nowMs: number): number {
  return windowStartBucket(nowMs);
}
