import { readMysqlTlsSetting } from "../../../lib/mysql/tls";
import { readEnv } from "../../../lib/service-kit";
import { type BrokerConfig, readBrokerConfig } from "../../oversupply-protocol/src/broker-config";
import type { MySqlConfig } from "./db/database";

export interface BackendConfig {
  /** 0 picks a free port (tests). */
  port: number;
  mysql: MySqlConfig;
  activemq: BrokerConfig;
  /** Shared with the matcher and cruncher: signs callbacks and weights updates. */
  callbackSecret: string;
  /** How often the outbox relay looks for unpublished match requests, as a safety net. */
  outboxPollMs: number;
}

export function readBackendConfig(env: NodeJS.ProcessEnv = process.env): BackendConfig {
  const read = readEnv(env);
  return {
    port: read.int("PORT", 8101, { min: 0, max: 65535 }),
    mysql: {
      host: read.string("MYSQL_HOST"),
      port: read.int("MYSQL_PORT", 3306, { min: 1, max: 65535 }),
      user: read.string("MYSQL_USER"),
      password: read.string("MYSQL_PASSWORD"),
      database: read.string("MYSQL_DATABASE"),
      // MYSQL_TLS_MODE (disabled, verify-ca, verify-identity) defaults to verify-identity when MYSQL_TLS_CA is set.
      ...readMysqlTlsSetting(read, { mode: "MYSQL_TLS_MODE", ca: "MYSQL_TLS_CA" }),
    },
    activemq: readBrokerConfig(env),
    callbackSecret: read.string("CALLBACK_SECRET"),
    outboxPollMs: read.int("OUTBOX_POLL_MS", 1000, { min: 50, max: 60_000 }),
  };
}
