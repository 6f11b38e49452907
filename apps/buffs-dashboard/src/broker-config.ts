import type { EnvReader } from "../../../lib/service-kit";

/** Where the Buffs queue lives, from the original services' variable names. */
export interface BrokerConfig {
  host: string;
  port: number;
  login?: string;
  passcode?: string;
  tls: boolean;
}

/** The original's destination `buffs`, as an ActiveMQ queue, and where poison messages go. */
export const BUFFS_DESTINATION = "/queue/buffs";
export const BUFFS_DEAD_LETTER_DESTINATION = "/queue/DLQ.buffs";

export function readBrokerConfig(env: EnvReader): BrokerConfig {
  return {
    host: env.string("MQHOST"),
    port: env.int("MQPORT", 61613, { min: 1, max: 65535 }),
    login: env.optional("MQUSERNAME"),
    passcode: env.optional("MQPASSWORD"),
    tls: env.bool("MQTLSENABLE", false),
  };
}
