import type { Catalog, ServingSpec } from "../../catalog/types";
import type { ActiveMq, Dynalite, MariaDb, Redis } from "../deps";
import type { RunnerConfig } from "./config";

/** The dependencies the runner started (only those some service uses). */
export interface RunningDependencies {
  mysql?: MariaDb;
  redis?: Redis;
  activemq?: ActiveMq;
  dynamodb?: Dynalite;
}

/** What hooks and extra processes can see of the running local system. */
export interface LocalSystemContext {
  config: RunnerConfig;
  /** The catalog being run. */
  catalog: Catalog;
  /** The services started (kind service or worker). */
  services: readonly ServingSpec[];
  dependencies: RunningDependencies;
  /** Base URLs of everything started so far, as written to endpoints.json. */
  endpoints: Record<string, string>;
  /** The local port of a catalog service. */
  servicePort(name: string): number;
  /** The environment the runner gives a service (resolved EnvSources). */
  serviceEnv(name: string): Record<string, string>;
  /** Prints a line on the console and records it in `logs/runner.log`. */
  log(message: string): void;
}
