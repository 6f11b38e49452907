import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { redisPing } from "./probes";
import { type LineSink, ManagedProcess, throwAwayDir } from "./process";
import { onPort, type ServerControl, startServer } from "./server";
import { requireCommand } from "./system";

export interface RedisOptions {
  /** Default: a free port. */
  port?: number;
  /** Default: a throw-away temp dir. Holds the config, the append-only file and the log. */
  dataDir?: string;
  /** Sets `requirepass`. */
  password?: string;
  /** e.g. `64mb`; with it the eviction policy is `allkeys-lru` (a cache). Default: no limit. */
  maxmemory?: string;
  onLine?: LineSink;
  startupTimeoutMs?: number;
}

export interface Redis extends ServerControl {
  host: string;
  port: number;
  password?: string;
  dataDir: string;
  /** `redis://127.0.0.1:<port>` (no credentials). */
  url: string;
}

export function startRedis(options: RedisOptions = {}): Promise<Redis> {
  requireCommand("redis-server", "redis-server");
  const dataDir = options.dataDir ?? throwAwayDir("redis");
  return onPort(options.port, (port) => startOn(port, dataDir, options));
}

async function startOn(port: number, dataDir: string, options: RedisOptions): Promise<Redis> {
  mkdirSync(dataDir, { recursive: true });
  const configFile = join(dataDir, "redis.conf");
  const logFile = join(dataDir, "redis.log");
  const config = [
    `port ${port}`,
    "bind 127.0.0.1",
    "protected-mode yes",
    "daemonize no",
    `dir ${dataDir}`,
    `pidfile ${join(dataDir, "redis.pid")}`,
    'logfile ""',
    "appendonly yes",
    "appendfsync everysec",
    ...(options.password ? [`requirepass "${options.password.replace(/["\\]/g, "\\$&")}"`] : []),
    ...(options.maxmemory ? [`maxmemory ${options.maxmemory}`, "maxmemory-policy allkeys-lru"] : []),
    "",
  ].join("\n");
  const server = new ManagedProcess({
    name: "redis",
    command: "redis-server",
    args: [configFile],
    logFile,
    onLine: options.onLine,
  });
  const control = await startServer({
    what: `Redis on port ${port}`,
    port,
    process: server,
    logFile,
    beforeStart: async () => writeFileSync(configFile, config, { mode: 0o600 }),
    ready: () => redisPing(port, options.password),
    timeoutMs: options.startupTimeoutMs ?? 30_000,
  });
  return Object.assign(control, {
    host: "127.0.0.1",
    port,
    password: options.password,
    dataDir,
    url: `redis://127.0.0.1:${port}`,
  });
}
