import { readEnv } from "../../../lib/service-kit";
import { type BrokerConfig, BUFFS_DESTINATION, readBrokerConfig } from "./broker-config";

export interface DashboardConfig {
  port?: number;
  mq: BrokerConfig;
  destination: string;
  /** When set, `POST /buff` requires `Authorization: Bearer <token>`. */
  token?: string;
}

export function readDashboardConfig(environment: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const env = readEnv(environment);
  return {
    port: env.int("PORT", 8080, { min: 0, max: 65535 }),
    mq: readBrokerConfig(env),
    destination: BUFFS_DESTINATION,
    token: env.optional("DASHBOARD_TOKEN"),
  };
}
