import { randomBytes } from "node:crypto";
import { type ActiveMq, startActiveMq } from "./activemq";
import { type Dynalite, startDynalite } from "./dynalite";
import { type MariaDb, startMariaDb } from "./mariadb";
import { type Redis, startRedis } from "./redis";

export interface SharedDependencies {
  /** With TLS on (not required), so TLS and plain-text clients can share it. */
  mysql: MariaDb;
  /** With a password. */
  redis: Redis;
  activemq: ActiveMq;
  dynamodb: Dynalite;
}

let shared: Promise<SharedDependencies> | undefined;

/**
 * One set of servers per test process, started on first use and stopped (killed) when the
 * process exits. Tests that kill or restart a server must start their own instead.
 */
export function sharedDependencies(): Promise<SharedDependencies> {
  shared ??= startAll().catch((error) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

async function startAll(): Promise<SharedDependencies> {
  const results = await Promise.allSettled([
    startMariaDb({ tls: true }),
    startRedis({ password: randomBytes(12).toString("base64url") }),
    startActiveMq(),
    startDynalite({ createTableMs: 0 }),
  ] as const);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed.length > 0) {
    await Promise.all(results.map((r) => (r.status === "fulfilled" ? r.value.stop() : undefined)));
    throw failed[0]!.reason;
  }
  const [mysql, redis, activemq, dynamodb] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value);
  return {
    mysql: mysql as MariaDb,
    redis: redis as Redis,
    activemq: activemq as ActiveMq,
    dynamodb: dynamodb as Dynalite,
  };
}
