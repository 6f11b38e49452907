import { readMysqlTlsSetting } from "../../../lib/mysql/tls";
import { type EnvReader, readEnv } from "../../../lib/service-kit";
import type { MySqlConfig } from "./event-store";
import type { GroupCommitOptions } from "./group-commit";
import { DISCARD_CONFIRMATION, INGEST_MODES, type IngestMode, refuseUnconfirmedDiscard } from "./ingest";

export interface WebhookConfig {
  /** 0 = a free port. */
  port: number;
  host?: string;
  mysql: MySqlConfig;
  batching: GroupCommitOptions;
  /** Longest a batch's write may take before it counts as failed (and its events are refused). */
  statementTimeoutMs: number;
  /** How long the webhook refuses events after a failed batch before trying the database again. */
  breakerCooldownMs: number;
  ingestMode: IngestMode;
  /**
   * Must be true for `ingestMode: "none"` (env BENCHMARK_ONLY_DISCARD_EVENTS=yes): the benchmark's
   * ceiling, which discards every event. Without it the webhook refuses to start in that mode.
   */
  benchmarkOnlyDiscardEvents?: boolean;
  logLevel?: string;
  logStream?: NodeJS.WritableStream;
  /** The clock events are stamped and counted with (epoch ms); injectable for tests. */
  now?: () => number;
}

export const DEFAULT_BATCHING: GroupCommitOptions = {
  maxBatchSize: 500,
  lingerMs: 2,
  maxInFlight: 2,
  maxBacklog: 5000,
  maxWaitMs: 2000,
};

/** Reads the configuration from the environment (see docs/services/call-events.md for each variable). */
export function webhookConfigFromEnv(env: EnvReader = readEnv()): WebhookConfig {
  const mode = env.string("INGEST_MODE", "group-commit");
  if (!INGEST_MODES.includes(mode as IngestMode)) {
    throw new Error(`INGEST_MODE must be one of ${INGEST_MODES.join(", ")} (got ${JSON.stringify(mode)})`);
  }
  const discardConfirmed = env.optional(DISCARD_CONFIRMATION.variable) === DISCARD_CONFIRMATION.value;
  refuseUnconfirmedDiscard(mode as IngestMode, discardConfirmed);
  return {
    port: env.int("PORT", 8090, { min: 0, max: 65535 }),
    mysql: {
      host: env.string("MYSQL_HOST"),
      port: env.int("MYSQL_PORT", 3306, { min: 1, max: 65535 }),
      user: env.string("MYSQL_USER"),
      password: env.string("MYSQL_PASSWORD"),
      database: env.string("MYSQL_DATABASE"),
      connections: env.int("MYSQL_POOL_SIZE", 10, { min: 1, max: 200 }),
      // MYSQL_TLS_MODE (disabled, verify-ca, verify-identity) defaults to verify-identity when MYSQL_TLS_CA is set.
      ...readMysqlTlsSetting(env, { mode: "MYSQL_TLS_MODE", ca: "MYSQL_TLS_CA" }),
    },
    batching: {
      maxBatchSize: env.int("BATCH_MAX_SIZE", DEFAULT_BATCHING.maxBatchSize, { min: 1, max: 5000 }),
      lingerMs: env.int("BATCH_LINGER_MS", DEFAULT_BATCHING.lingerMs, { min: 0, max: 1000 }),
      maxInFlight: env.int("BATCH_MAX_IN_FLIGHT", DEFAULT_BATCHING.maxInFlight, { min: 1, max: 16 }),
      maxBacklog: env.int("MAX_BACKLOG", DEFAULT_BATCHING.maxBacklog, { min: 1, max: 1_000_000 }),
      maxWaitMs: env.int("MAX_WAIT_MS", DEFAULT_BATCHING.maxWaitMs, { min: 10, max: 60_000 }),
    },
    statementTimeoutMs: env.int("DB_WRITE_TIMEOUT_MS", 5000, { min: 100, max: 120_000 }),
    breakerCooldownMs: env.int("DB_RETRY_AFTER_MS", 1000, { min: 100, max: 60_000 }),
    ingestMode: mode as IngestMode,
    ...(discardConfirmed && mode === "none" ? { benchmarkOnlyDiscardEvents: true } : {}),
  };
}
