import { createService, type Service } from "../../../lib/service-kit";
import { connectBus } from "../../oversupply-protocol/src/bus";
import type { BackendConfig } from "./config";
import { createDatabasePool } from "./db/database";
import { migrate } from "./db/migrations";
import { OutboxRelay } from "./outbox/outbox-relay";
import { RegistrationStore } from "./registrations/registration-store";
import { registerCallbackRoutes } from "./routes/callback-routes";
import { registerOutcomeRoutes, registerWeightsRoutes } from "./routes/learning-routes";
import { registerRegistrationRoutes } from "./routes/registration-routes";
import { registerSignedRoutes } from "./routes/signed-routes";
import { WeightsStore } from "./weights/weights-store";

export interface RunningBackend {
  url: string;
  service: Service;
  close(): Promise<void>;
}

async function migrateWithRetry(run: () => Promise<unknown>, log: Service["log"], deadlineMs = 60_000) {
  const until = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (Date.now() > until) throw error;
      log.warn({ err: error, attempt }, "database not reachable for migrations yet; retrying");
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
    }
  }
}

/** Builds and starts the backend: migrations, outbox relay, routes. Tests call it with port 0. */
export async function startBackend(config: BackendConfig): Promise<RunningBackend> {
  const pool = createDatabasePool(config.mysql);
  const service = createService({
    name: "oversupply-backend",
    port: config.port,
    readiness: { database: () => pool.query("SELECT 1") },
  });
  const ran = await migrateWithRetry(() => migrate(pool), service.log);
  service.log.info({ migrations: ran }, "schema up to date");

  const registrations = new RegistrationStore(pool);
  const weights = new WeightsStore(pool);
  const bus = connectBus(config.activemq, service.log);
  const relay = new OutboxRelay(pool, bus, service.log, service.metrics, config.outboxPollMs);
  bus.on("connected", () => relay.wake());
  relay.start();

  registerRegistrationRoutes(service.app, registrations, relay, service.metrics);
  registerOutcomeRoutes(service.app, registrations, weights);
  registerSignedRoutes(service.app, config.callbackSecret, (scope) => {
    registerCallbackRoutes(scope, registrations, service.metrics);
    registerWeightsRoutes(scope, weights);
  });

  service.onClose(() => pool.end());
  service.onClose(() => bus.close());
  service.onClose(() => relay.stop());
  const url = await service.listen();
  return { url, service, close: () => service.close() };
}
