import { extraPortVariable, localPort, type RunnerConfig } from "../../local/runner/config";

/** Default ports of the monitoring processes `npm start` adds (plus BATTLE_READY_PORT_OFFSET). */
export const OPS_PORTS = {
  prometheus: 19090,
  alertmanager: 19093,
  "alert-receiver": 19095,
  "ops-exporter": 19100,
  "mysqld-exporter": 19104,
  "redis-exporter": 19121,
  "activemq-exporter": 19161,
  "status-page": 19080,
} as const;

export type OpsProcess = keyof typeof OPS_PORTS;

/** The port the runner gives an extra process: BATTLE_READY_<NAME>_PORT, else default + offset. */
export function opsPort(
  config: RunnerConfig,
  name: OpsProcess,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const override = env[extraPortVariable(name)];
  return override ? Number(override) : localPort(config, OPS_PORTS[name]);
}
