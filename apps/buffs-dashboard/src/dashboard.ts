import { createService, type Service } from "../../../lib/service-kit";
import { StompClient } from "../../../lib/stomp";
import { requireBearerToken } from "./bearer-auth";
import { stompTlsOption } from "./broker-config";
import type { DashboardConfig } from "./config";
import { registerPublishRoute } from "./publish-route";

export interface Dashboard {
  service: Service;
  bus: StompClient;
  /** Base URL once listening. */
  url: string;
  close(): Promise<void>;
}

export interface DashboardOptions {
  logLevel?: string;
}

/** Builds and starts the dashboard: `POST /buff` publishes to the Buffs queue. */
export async function startDashboard(
  config: DashboardConfig,
  options: DashboardOptions = {},
): Promise<Dashboard> {
  const service = createService({
    name: "buffs-dashboard",
    port: config.port,
    logLevel: options.logLevel,
    readiness: {
      broker: async () => {
        if (!bus.connected) throw new Error("not connected to the message broker");
      },
    },
  });
  const bus = new StompClient({
    host: config.mq.host,
    port: config.mq.port,
    login: config.mq.login,
    passcode: config.mq.passcode,
    tls: stompTlsOption(config.mq),
    log: service.log,
  });
  registerPublishRoute(service.app, {
    publisher: bus,
    destination: config.destination,
    metrics: service.metrics,
    authorize: config.token ? requireBearerToken(config.token, "buffs-dashboard") : undefined,
  });
  if (!config.token)
    service.log.warn("DASHBOARD_TOKEN is not set: POST /buff accepts requests without a token");
  service.onClose(() => bus.close());
  bus.start();
  const url = await service.listen();
  return { service, bus, url, close: () => service.close() };
}
