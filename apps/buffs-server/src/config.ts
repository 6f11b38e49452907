import { readMysqlTlsSetting } from "../../../lib/mysql/tls";
import { readEnv } from "../../../lib/service-kit";
import {
  type BrokerConfig,
  BUFFS_DEAD_LETTER_DESTINATION,
  BUFFS_DESTINATION,
  readBrokerConfig,
} from "../../buffs-dashboard/src/broker-config";
import type { DbConfig } from "./buff-repository";
import { parseRedisHosts, type RedisNode } from "./redis-client";

export interface ServerConfig {
  port?: number;
  mq: BrokerConfig;
  /** The queue Buffs arrive on and where poison messages go (tests use their own names). */
  destination: string;
  deadLetterDestination: string;
  /** How many unacknowledged Buffs the broker hands this consumer at once. */
  prefetch: number;
  db: DbConfig;
  redis: { nodes: RedisNode[]; password?: string; tls?: boolean };
  /** The Redis key holding the list (the original's `buffs`) and how long it stays, in seconds. */
  cacheKey: string;
  cacheTtlSeconds: number;
}

export const BUFFS_CACHE_KEY = "buffs";

/** The server's whole configuration, from the original's variable names. */
export function readServerConfig(environment: NodeJS.ProcessEnv = process.env): ServerConfig {
  const env = readEnv(environment);
  return {
    port: env.int("PORT", 8081, { min: 0, max: 65535 }),
    mq: readBrokerConfig(env),
    destination: BUFFS_DESTINATION,
    deadLetterDestination: BUFFS_DEAD_LETTER_DESTINATION,
    prefetch: env.int("MQPREFETCH", 10, { min: 1, max: 1000 }),
    db: {
      host: env.string("DBHOST"),
      port: env.int("DBPORT", 3306, { min: 1, max: 65535 }),
      database: env.string("DBNAME"),
      user: env.string("DBUSER"),
      password: env.string("DBPASS", ""),
      // Not in the original: DBTLSMODE (disabled, verify-ca, verify-identity) and DBTLSCA, as todo's DB_TLS_*.
      ...readMysqlTlsSetting(env, { mode: "DBTLSMODE", ca: "DBTLSCA" }),
    },
    redis: {
      nodes: parseRedisHosts(env.list("REDISHOSTS")),
      password: env.optional("REDISPASSWORD"),
      tls: env.bool("REDISTLSENABLE", false),
    },
    cacheKey: BUFFS_CACHE_KEY,
    cacheTtlSeconds: 10,
  };
}
