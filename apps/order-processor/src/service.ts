import { createDynamoClient, documentClientFor } from "../../../lib/dynamodb";
import { createService, type Service } from "../../../lib/service-kit";
import type { ProcessorConfig } from "./config";
import { InventoryRepository } from "./inventory";
import { registerProcessorRoutes } from "./routes";

/** Order bodies are a few hundred bytes; anything near this limit is not an order. */
export const BODY_LIMIT_BYTES = 4 * 1024;

export interface OrderProcessor {
  service: Service;
  inventory: InventoryRepository;
}

/** Builds order-processor (not yet listening): the inventory reservation service. */
export function buildOrderProcessor(config: ProcessorConfig): OrderProcessor {
  const client = createDynamoClient({ endpoint: config.dynamodbEndpoint });
  const inventory = new InventoryRepository(documentClientFor(client), config.table);
  const service = createService({
    name: "order-processor",
    ...(config.port !== undefined ? { port: config.port } : {}),
    ...(config.logLevel !== undefined ? { logLevel: config.logLevel } : {}),
    bodyLimit: BODY_LIMIT_BYTES,
    errorBody: (_status, message) => ({ detail: message }),
    readiness: { dynamodb: () => inventory.ping() },
  });
  registerProcessorRoutes(service, inventory);
  service.onClose(() => client.destroy());
  return { service, inventory };
}
