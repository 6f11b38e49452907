export { type BackoffOptions, backoffDelay } from "./backoff";
export {
  type MessageHandler,
  StompClient,
  type StompClientEvents,
  type StompClientOptions,
  type StompLogger,
  type StompMessage,
  type SubscribeOptions,
  type Subscription,
} from "./client";
export { PoisonMessageError, StompBrokerError, StompTimeoutError, StompUnavailableError } from "./errors";
export {
  encodeFrame,
  escapeHeaderValue,
  HEARTBEAT,
  type StompFrame,
  StompProtocolError,
  unescapeHeaderValue,
} from "./frame";
export { type DeliveryOutcome, type SendOutcome, StompMetrics, type StompMetricsFactory } from "./metrics";
export { FrameParser, type FrameParserLimits } from "./parser";
