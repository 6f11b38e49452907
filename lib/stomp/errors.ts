/** The broker cannot be reached right now: answer 503 and let the caller retry. */
export class StompUnavailableError extends Error {
  constructor(message = "message broker unavailable") {
    super(message);
    this.name = "StompUnavailableError";
  }
}

/** The broker did not confirm in time; whether it stored the message is unknown. */
export class StompTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StompTimeoutError";
  }
}

/** The broker answered with an ERROR frame. */
export class StompBrokerError extends Error {
  constructor(
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details = "",
  ) {
    super(message);
    this.name = "StompBrokerError";
  }
}

/**
 * Thrown by a subscription handler for a message that can never be processed: the client NACKs it
 * instead of handing it back, so the broker's redelivery policy ends it in the dead-letter queue
 * (`DLQ.<queue>` with local/deps' broker) rather than retrying it forever.
 */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PoisonMessageError";
  }
}
