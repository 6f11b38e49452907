import { readFileSync } from "node:fs";
import { EnvError, type EnvReader } from "../../../lib/service-kit";

/** Where the Buffs queue lives, from the original services' variable names. */
export interface BrokerConfig {
  host: string;
  port: number;
  login?: string;
  passcode?: string;
  tls: boolean;
  /**
   * PEM file of the CA to verify the broker against instead of the system CAs (`MQTLSCA`, not in
   * the original; only with `tls`). NODE_EXTRA_CA_CERTS works too, adding to the system CAs.
   */
  tlsCaFile?: string;
}

/** The original's destination `buffs`, as an ActiveMQ queue, and where poison messages go. */
export const BUFFS_DESTINATION = "/queue/buffs";
export const BUFFS_DEAD_LETTER_DESTINATION = "/queue/DLQ.buffs";

export function readBrokerConfig(env: EnvReader): BrokerConfig {
  const tls = env.bool("MQTLSENABLE", false);
  const tlsCaFile = env.optional("MQTLSCA");
  if (tlsCaFile !== undefined && !tls)
    throw new EnvError("MQTLSCA", "MQTLSCA is set but MQTLSENABLE is not true: the CA would not be used");
  return {
    host: env.string("MQHOST"),
    port: env.int("MQPORT", 61613, { min: 1, max: 65535 }),
    login: env.optional("MQUSERNAME"),
    passcode: env.optional("MQPASSWORD"),
    tls,
    ...(tlsCaFile === undefined ? {} : { tlsCaFile }),
  };
}

/** The STOMP client's `tls` option: off, the system CAs, or only the CA in `tlsCaFile`. */
export function stompTlsOption(config: BrokerConfig): boolean | { ca: string } {
  if (!config.tls || config.tlsCaFile === undefined) return config.tls;
  try {
    return { ca: readFileSync(config.tlsCaFile, "utf8") };
  } catch (error) {
    throw new EnvError("MQTLSCA", `MQTLSCA: cannot read ${config.tlsCaFile}: ${(error as Error).message}`);
  }
}
