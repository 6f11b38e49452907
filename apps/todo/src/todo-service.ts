import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyBaseLogger } from "fastify";
import type { Pool, PoolConnection } from "mysql2/promise";
import { assertMysqlSessionEncrypted } from "../../../lib/mysql/tls";
import { createService, type Service } from "../../../lib/service-kit";
import type { DatabaseConfig, TodoConfig } from "./config";
import { createDatabasePool, startupFailure } from "./database";
import { migrate } from "./migrate";
import { migrations } from "./migrations";
import { registerTodoRoutes } from "./routes";
import { TodoStore } from "./todo-store";

export interface StartOptions {
  /** @default env LOG_LEVEL, else "info" */
  logLevel?: string;
  logStream?: NodeJS.WritableStream;
}

export interface RunningTodo {
  url: string;
  service: Service;
  pool: Pool;
  close(): Promise<void>;
}

/**
 * Starts the TODO service: connects to the database (over verified TLS when configured, giving
 * up at once on an untrusted certificate), applies pending migrations, then listens.
 */
export async function startTodo(config: TodoConfig, options: StartOptions = {}): Promise<RunningTodo> {
  const pool = createDatabasePool(config.db);
  const service = createService({
    name: "todo",
    port: config.port,
    bodyLimit: 16 * 1024,
    readiness: { database: () => pool.query("SELECT 1") },
    ...options,
  });
  service.onClose(() => pool.end());
  try {
    await waitForDatabase(pool, config.db, config.startupTimeoutMs, service.log);
    const applied = await migrate(pool, migrations);
    service.log.info({ applied, latest: migrations.length }, "schema migrated");
    registerTodoRoutes(service, new TodoStore(pool, config.db.queryTimeoutMs), config.db.queryTimeoutMs);
    const url = await service.listen();
    return { url, service, pool, close: () => service.close() };
  } catch (error) {
    await service.close();
    throw error;
  }
}

/**
 * Opens one connection, retrying while the database is unreachable (it may still be starting),
 * and checks that the session really is encrypted when TLS is configured. Errors that retrying
 * cannot fix (an untrusted certificate, refused credentials) fail at once with a clear message.
 */
async function waitForDatabase(
  pool: Pool,
  config: DatabaseConfig,
  timeoutMs: number,
  log: FastifyBaseLogger,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 500;
  for (;;) {
    let connection: PoolConnection;
    try {
      connection = await pool.getConnection();
    } catch (error) {
      const fatal = startupFailure(error, config);
      if (fatal) throw fatal;
      const reason = error instanceof Error ? error.message : String(error);
      if (Date.now() + delayMs > deadline) {
        throw new Error(
          `database: ${config.host}:${config.port} not reachable within ${timeoutMs} ms: ${reason}`,
        );
      }
      log.warn({ reason, retryInMs: delayMs }, "database not reachable yet; retrying");
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 5000);
      continue;
    }
    try {
      if (config.tls) await assertMysqlSessionEncrypted(connection);
    } finally {
      connection.release();
    }
    log.info(
      { host: config.host, port: config.port, tls: config.tls?.mode ?? "disabled" },
      "database connected",
    );
    return;
  }
}
