import { join } from "node:path";
import { startActiveMq, startDynalite, startMariaDb, startRedis } from "../deps";
import type { DependencyName, RunnerConfig } from "./config";
import type { RunningDependencies } from "./context";
import type { LogCollector } from "./logs";
import type { RunnerState } from "./state";

/** Display names, for progress and errors. */
export const DEPENDENCY_LABELS: Record<DependencyName, string> = {
  mysql: "MariaDB",
  redis: "Redis",
  activemq: "ActiveMQ (STOMP)",
  dynamodb: "dynalite (DynamoDB)",
};

/** The URL a dependency is listed under in endpoints.json. */
export function dependencyUrl(name: DependencyName, dependencies: RunningDependencies): string | undefined {
  switch (name) {
    case "mysql":
      return dependencies.mysql?.url;
    case "redis":
      return dependencies.redis?.url;
    case "activemq":
      return dependencies.activemq?.url;
    case "dynamodb":
      return dependencies.dynamodb?.endpoint;
  }
}

/**
 * Starts one dependency on its fixed local port with its data under the state dir, reusing the
 * credentials kept in state.json. Server output goes to `logs/<name>.log` as JSON lines.
 */
export async function startDependency(
  name: DependencyName,
  config: RunnerConfig,
  state: RunnerState,
  logs: LogCollector,
  into: RunningDependencies,
): Promise<void> {
  const port = config.dependencyPorts[name];
  const dataDir = join(config.stateDir, name);
  const onLine = logs.sink(name);
  switch (name) {
    case "mysql":
      into.mysql = await startMariaDb({
        port,
        dataDir,
        tls: true,
        rootPassword: state.password("mysql.root"),
        bufferPoolMb: 128,
        onLine,
      });
      return;
    case "redis":
      into.redis = await startRedis({
        port,
        dataDir,
        password: state.password("redis"),
        maxmemory: config.redisMaxMemory,
        onLine,
      });
      return;
    case "activemq":
      into.activemq = await startActiveMq({
        stompPort: port,
        dataDir,
        user: "battle",
        password: state.password("activemq.battle"),
        onLine,
      });
      return;
    case "dynamodb":
      into.dynamodb = await startDynalite({ port, dataDir, onLine });
      return;
  }
}

/** Stops every running dependency gracefully, in parallel. */
export async function stopDependencies(dependencies: RunningDependencies): Promise<void> {
  await Promise.all(Object.values(dependencies).map((d) => d?.stop()));
}
