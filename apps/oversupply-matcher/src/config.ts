import { readEnv } from "../../../lib/service-kit";
import { type BrokerConfig, readBrokerConfig } from "../../oversupply-protocol/src/broker-config";
import type { DeliveryPolicy } from "./delivery/deliver-recommendation";

export interface MatcherConfig {
  port: number;
  /** The backend's base URL: callback and current weights. */
  backendUrl: string;
  callbackSecret: string;
  activemq: BrokerConfig;
  /** Match requests handled at once by one matcher (the broker's prefetch). */
  prefetch: number;
  delivery: DeliveryPolicy;
  /** How often the matcher re-reads the current weights from the backend, in case it missed a topic message. */
  weightsRefreshMs: number;
}

export function readMatcherConfig(env: NodeJS.ProcessEnv = process.env): MatcherConfig {
  const read = readEnv(env);
  return {
    port: read.int("PORT", 8102, { min: 0, max: 65535 }),
    backendUrl: read.string("BACKEND_URL"),
    callbackSecret: read.string("CALLBACK_SECRET"),
    activemq: readBrokerConfig(env),
    prefetch: read.int("MATCHER_PREFETCH", 4, { min: 1, max: 100 }),
    delivery: {
      maxAttempts: read.int("CALLBACK_MAX_ATTEMPTS", 10, { min: 1, max: 1000 }),
      baseDelayMs: read.int("CALLBACK_RETRY_BASE_MS", 250, { min: 1, max: 60_000 }),
      maxDelayMs: read.int("CALLBACK_RETRY_MAX_MS", 30_000, { min: 1, max: 600_000 }),
      timeoutMs: read.int("CALLBACK_TIMEOUT_MS", 5000, { min: 100, max: 60_000 }),
    },
    weightsRefreshMs: read.int("WEIGHTS_REFRESH_MS", 60_000, { min: 100, max: 3_600_000 }),
  };
}
