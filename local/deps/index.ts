/**
 * Real servers for tests and for the local runner: MariaDB, Redis, ActiveMQ (STOMP) and dynalite
 * (DynamoDB-compatible), each on a free port with a throw-away data dir unless told otherwise,
 * each killed with this process.
 */
export { type ActiveMq, type ActiveMqOptions, startActiveMq } from "./activemq";
export type { RedeliveryPolicy } from "./activemq-config";
export { type BrokerStatistics, brokerStatistics } from "./activemq-stats";
export { type Dynalite, type DynaliteOptions, startDynalite } from "./dynalite";
export { type MariaDb, type MariaDbOptions, startMariaDb } from "./mariadb";
export { assertPortFree, freePort, isPortFree, PortInUseError } from "./ports";
export {
  killAllProcesses,
  type LineSink,
  ManagedProcess,
  type OutputLine,
  type ProcessSpec,
  throwAwayDir,
} from "./process";

export { type Redis, type RedisOptions, startRedis } from "./redis";
export type { ServerControl } from "./server";
export { type SharedDependencies, sharedDependencies } from "./shared";
export type { TlsFiles } from "./tls";
export { StartupError, waitUntil } from "./wait";
