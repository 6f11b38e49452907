import { readEnv } from "../../../lib/service-kit";

/** How an oversupply service reaches ActiveMQ (STOMP), from its ACTIVEMQ_* variables. */
export interface BrokerConfig {
  host: string;
  port: number;
  user?: string;
  password?: string;
  tls: boolean;
}

export function readBrokerConfig(env: NodeJS.ProcessEnv): BrokerConfig {
  const read = readEnv(env);
  return {
    host: read.string("ACTIVEMQ_HOST"),
    port: read.int("ACTIVEMQ_PORT", 61613, { min: 1, max: 65535 }),
    user: read.optional("ACTIVEMQ_USER"),
    password: read.optional("ACTIVEMQ_PASSWORD"),
    tls: read.bool("ACTIVEMQ_TLS", false),
  };
}
