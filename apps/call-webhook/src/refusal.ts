/**
 * Why an event was not accepted for storage. The route answers 503 with `Retry-After`: the event was
 * NOT stored (or, for a failed commit, must be treated as not stored), and the provider retries.
 */
export type RefusalReason =
  | "backlog_full"
  | "database_unavailable"
  | "database_slow"
  | "batch_failed"
  | "shutting_down";

export class IngestRefusedError extends Error {
  override name = "IngestRefusedError";
  constructor(
    readonly reason: RefusalReason,
    message: string,
    /** Whole seconds the client should wait before retrying. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
