import {
  type OrdersTables,
  type SeedReport,
  seedOrdersData,
} from "../../../apps/order-processor/src/seed-data";
import { createDynamoClient } from "../../../lib/dynamodb";
import type { ServiceHooks } from "../setup-hooks";

/**
 * Creates the orders tables when absent and adds the seed products when absent. Idempotent, so a
 * second `npm start` keeps the first one's stock. Same work as `npm run seed:orders`.
 */
export async function seedOrders(endpoint: string, tables: OrdersTables): Promise<SeedReport> {
  const client = createDynamoClient({ endpoint });
  try {
    return await seedOrdersData(client, tables);
  } finally {
    client.destroy();
  }
}

/** order-processor's hooks: seed before it starts (its tables already exist: the runner made them). */
export const orderProcessorHooks: ServiceHooks = {
  async beforeStart({ env, serviceEnv, log }) {
    const endpoint = env.DYNAMODB_ENDPOINT;
    if (!endpoint) throw new Error("order-processor has no DYNAMODB_ENDPOINT to seed");
    const tables = {
      orders: serviceEnv("order-api").DYNAMODB_TABLE ?? "orders",
      inventory: env.DYNAMODB_TABLE ?? "inventory",
    };
    const { productsAdded } = await seedOrders(endpoint, tables);
    log(
      productsAdded.length > 0
        ? `orders: seeded ${productsAdded.join(", ")} into ${tables.inventory}`
        : `orders: ${tables.inventory} already seeded (stock kept)`,
    );
  },
};
