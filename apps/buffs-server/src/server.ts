import type { Cluster, Redis } from "ioredis";
import type { Pool } from "mysql2/promise";
import { createService, HttpError, type Service } from "../../../lib/service-kit";
import { StompClient } from "../../../lib/stomp";
import { stompTlsOption } from "../../buffs-dashboard/src/broker-config";
import { BuffCache } from "./buff-cache";
import { BuffConsumer } from "./buff-consumer";
import { type BuffRepository, createDbPool, MysqlBuffRepository } from "./buff-repository";
import { BuffsReader } from "./buffs-reader";
import type { ServerConfig } from "./config";
import { buffsServerMetrics } from "./metrics";
import { runMigrations } from "./migrations";
import { createRedisClient, readyOrTimeout } from "./redis-client";

export interface BuffsServer {
  service: Service;
  bus: StompClient;
  pool: Pool;
  redis: Redis | Cluster;
  url: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  logLevel?: string;
  /** Where log lines go. @default stdout */
  logStream?: NodeJS.WritableStream;
  /** Wraps the MySQL repository; tests use it to count or hold database reads. */
  wrapRepository?: (repository: BuffRepository) => BuffRepository;
  /** How long to keep retrying the migrations at start while MySQL is not reachable yet. */
  startupTimeoutMs?: number;
}

/** Seconds a client should wait before retrying while MySQL is unreachable. */
const DATABASE_RETRY_AFTER_SECONDS = "5";

async function migrateWhenReachable(pool: Pool, service: Service, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      const ran = await runMigrations(pool);
      if (ran.length > 0) service.log.info({ versions: ran }, "schema migrations applied");
      return;
    } catch (error) {
      if (Date.now() + delay > deadline) throw error;
      service.log.warn({ err: error }, "mysql not reachable yet: retrying the migrations");
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Builds and starts the server: consumes Buffs into MySQL and serves `GET /buffs` through the
 * Redis cache. Migrations run before the consumer subscribes.
 */
export async function startServer(config: ServerConfig, options: ServerOptions = {}): Promise<BuffsServer> {
  const service = createService({
    name: "buffs-server",
    port: config.port,
    logLevel: options.logLevel,
    logStream: options.logStream,
    readiness: {
      mysql: () => repository.ping(),
      broker: async () => {
        if (!bus.connected) throw new Error("not connected to the message broker");
      },
    },
  });
  const events = buffsServerMetrics(service.metrics);
  const pool = createDbPool(config.db);
  service.onClose(() => pool.end());
  const mysqlRepository = new MysqlBuffRepository(pool);
  const repository = options.wrapRepository ? options.wrapRepository(mysqlRepository) : mysqlRepository;

  const redis = createRedisClient(config.redis.nodes, config.redis.password, config.redis.tls);
  redis.on("error", () => {}); // reported by BuffCache when an operation fails; ioredis reconnects itself
  service.onClose(() => redis.disconnect());
  const cache = new BuffCache(redis, config.cacheKey, config.cacheTtlSeconds, service.log, events.cacheError);
  const reader = new BuffsReader(repository, cache, events.reader);

  service.app.get("/buffs", async (request, reply) => {
    let json: Buffer;
    try {
      json = await reader.read();
    } catch (error) {
      request.log.warn({ err: error }, "could not read the buffs from mysql");
      throw new HttpError(503, "the database is unavailable; retry later", {
        "retry-after": DATABASE_RETRY_AFTER_SECONDS,
      });
    }
    return reply.type("application/json; charset=utf-8").send(json);
  });

  const bus = new StompClient({
    host: config.mq.host,
    port: config.mq.port,
    login: config.mq.login,
    passcode: config.mq.passcode,
    tls: stompTlsOption(config.mq),
    log: service.log,
  });
  const consumer = new BuffConsumer({
    insert: (buff) => repository.insert(buff),
    afterStore: () => reader.invalidate(),
    deadLetter: (body, headers) => bus.send(config.deadLetterDestination, body, headers),
    events: events.consumer,
    log: service.log,
  });
  // Close hooks run in reverse: stop retrying first, then leave the broker (unacknowledged
  // messages go back to the queue), then Redis and MySQL.
  service.onClose(() => bus.close());
  service.onClose(() => consumer.stop());

  try {
    await migrateWhenReachable(pool, service, options.startupTimeoutMs ?? 60_000);
  } catch (error) {
    await service.close();
    throw error;
  }
  await readyOrTimeout(redis, 2000);
  bus.start();
  bus.subscribe(config.destination, consumer.handle, { prefetch: config.prefetch });
  const url = await service.listen();
  return { service, bus, pool, redis, url, close: () => service.close() };
}
