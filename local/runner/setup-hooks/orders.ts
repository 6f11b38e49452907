import { createDynamoClient } from "../../../apps/order-processor/src/dynamodb";
import { type SeedReport, seedOrdersData } from "../../../apps/order-processor/src/seed-data";
import { serviceNamed } from "../../../catalog";

/** What the orders setup needs from the running dependencies. */
export interface OrdersSetupContext {
  dynamodb: { endpoint: string };
}

/**
 * Runs before the orders services start under `npm start`: creates the `orders` and `inventory`
 * tables when absent and adds the seed products when absent. Idempotent, so a second start keeps
 * the first one's stock. Same work as `npm run seed:orders`.
 */
export async function seedOrders(context: OrdersSetupContext): Promise<SeedReport> {
  const tableOf = (service: string) => {
    const table = serviceNamed(service).uses.dynamodb?.tables[0]?.name;
    if (!table) throw new Error(`catalog: ${service} declares no DynamoDB table`);
    return table;
  };
  const client = createDynamoClient({ endpoint: context.dynamodb.endpoint });
  try {
    return await seedOrdersData(client, {
      orders: tableOf("order-api"),
      inventory: tableOf("order-processor"),
    });
  } finally {
    client.destroy();
  }
}

export const ordersSetupHook = {
  name: "orders: tables and seed products",
  /** The services that must not start before this hook ran. */
  before: ["order-api", "order-processor"],
  run: seedOrders,
};
