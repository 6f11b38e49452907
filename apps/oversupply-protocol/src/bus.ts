import type { FastifyBaseLogger } from "fastify";
import { StompClient } from "../../../lib/stomp";
import type { BrokerConfig } from "./broker-config";

/** A STOMP client for ActiveMQ, started: it connects in the background and reconnects forever. */
export function connectBus(config: BrokerConfig, log: FastifyBaseLogger): StompClient {
  const bus = new StompClient({
    host: config.host,
    port: config.port,
    login: config.user,
    passcode: config.password,
    tls: config.tls,
    log,
  });
  bus.start();
  return bus;
}
