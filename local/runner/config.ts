import { isAbsolute, join, resolve } from "node:path";

const repoRoot = resolve(__dirname, "..", "..");

/** Default ports of the local dependencies: off the usual ones, so system services do not clash. */
export const DEFAULT_DEPENDENCY_PORTS = {
  mysql: 13306,
  redis: 16379,
  activemq: 16613,
  dynamodb: 18000,
} as const;
export type DependencyName = keyof typeof DEFAULT_DEPENDENCY_PORTS;

/** Environment variable that overrides each dependency's port. */
export const DEPENDENCY_PORT_VARIABLES: Record<DependencyName, string> = {
  mysql: "BATTLE_READY_MYSQL_PORT",
  redis: "BATTLE_READY_REDIS_PORT",
  activemq: "BATTLE_READY_STOMP_PORT",
  dynamodb: "BATTLE_READY_DYNAMODB_PORT",
};

export interface RunnerConfig {
  repoRoot: string;
  /** Everything the runner keeps: data dirs, state.json, logs, endpoints.json. */
  stateDir: string;
  logsDir: string;
  dependencyPorts: Record<DependencyName, number>;
  /** Added to every catalog service's port (and to extras' default ports). */
  portOffset: number;
  /** How long services may take to answer their readiness path. */
  readyTimeoutMs: number;
  /** LOG_LEVEL handed to services. */
  logLevel: string;
  /**
   * Redis `maxmemory` (e.g. `64mb`), evicting with `allkeys-lru`: the only Redis user, buffs-server,
   * keeps a cache there with a TTL and falls back to MySQL. Set so RedisNearMaxMemory can fire.
   */
  redisMaxMemory: string;
  /** A module exporting `catalog` to run instead of the real one (tests). */
  catalogModule?: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in ${min}-${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** A Redis memory size: a positive number of bytes, or with a unit (`64mb`, `1gb`, `512k`). */
const REDIS_MEMORY = /^[1-9]\d*(b|k|kb|m|mb|g|gb)?$/i;

function redisMemory(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  if (!REDIS_MEMORY.test(raw.trim()))
    throw new Error(`${name} must be a Redis memory size such as 64mb or 1gb (got ${JSON.stringify(raw)})`);
  return raw.trim().toLowerCase();
}

/** Reads the runner's settings from the environment (all optional). */
export function runnerConfig(env: NodeJS.ProcessEnv = process.env): RunnerConfig {
  const stateDir = resolve(repoRoot, env.BATTLE_READY_STATE_DIR || ".local");
  const portOffset = integer(env, "BATTLE_READY_PORT_OFFSET", 0, -60000, 60000);
  const dependencyPorts = Object.fromEntries(
    Object.entries(DEFAULT_DEPENDENCY_PORTS).map(([name, port]) => [
      name,
      integer(env, DEPENDENCY_PORT_VARIABLES[name as DependencyName], port + portOffset, 1, 65535),
    ]),
  ) as Record<DependencyName, number>;
  const catalogModule = env.BATTLE_READY_CATALOG
    ? isAbsolute(env.BATTLE_READY_CATALOG)
      ? env.BATTLE_READY_CATALOG
      : resolve(repoRoot, env.BATTLE_READY_CATALOG)
    : undefined;
  return {
    repoRoot,
    stateDir,
    logsDir: join(stateDir, "logs"),
    dependencyPorts,
    portOffset,
    readyTimeoutMs: integer(env, "BATTLE_READY_READY_TIMEOUT_MS", 45_000, 1000, 3_600_000),
    logLevel: env.LOG_LEVEL || "info",
    redisMaxMemory: redisMemory(env, "BATTLE_READY_REDIS_MAXMEMORY", "64mb"),
    catalogModule,
  };
}

/** The variable that overrides an extra process's port, e.g. BATTLE_READY_PROMETHEUS_PORT. */
export function extraPortVariable(name: string): string {
  return `BATTLE_READY_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_PORT`;
}

/** The port a catalog service (or an extra process) gets locally. */
export function localPort(config: RunnerConfig, catalogPort: number): number {
  return catalogPort + config.portOffset;
}
