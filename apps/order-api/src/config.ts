import { type EnvReader, readEnv } from "../../../lib/service-kit";

export interface OrderApiConfig {
  /** DynamoDB-compatible endpoint; undefined means real AWS (region and credentials from the SDK chain). */
  dynamodbEndpoint?: string;
  /** The orders table, hash key `order_id`. */
  table: string;
  /** Base URL of order-processor, used when `srvEndpoint` is not set. */
  processorUrl: string;
  /** DNS SRV record of order-processor (ECS service discovery); takes precedence over `processorUrl`. */
  srvEndpoint?: string;
  /** Time the processor has to answer an order. */
  processorTimeoutMs: number;
  /** How often stale stock holds are reconciled; 0 turns it off. */
  reconcileIntervalMs: number;
  /** Age after which a hold no request settled counts as orphaned. */
  holdStaleAfterSeconds: number;
  /** Port to listen on; undefined lets the kit read PORT (0 = a free port). */
  port?: number;
  /** undefined lets the kit read LOG_LEVEL. */
  logLevel?: string;
}

export function readOrderApiConfig(env: EnvReader = readEnv()): OrderApiConfig {
  return {
    dynamodbEndpoint: env.optional("DYNAMODB_ENDPOINT"),
    table: env.string("DYNAMODB_TABLE", "orders"),
    processorUrl: env.string("ORDER_PROCESSOR_URL", "http://localhost:8001"),
    srvEndpoint: env.optional("SRV_ENDPOINT"),
    processorTimeoutMs: env.int("ORDER_PROCESSOR_TIMEOUT_MS", 5_000, { min: 100, max: 60_000 }),
    reconcileIntervalMs: env.int("HOLD_RECONCILE_INTERVAL_MS", 60_000, { min: 0 }),
    holdStaleAfterSeconds: env.int("HOLD_STALE_AFTER_SECONDS", 120, { min: 30 }),
  };
}
