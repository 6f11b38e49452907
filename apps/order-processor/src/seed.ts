/**
 * The init command of the orders system: `npm run seed:orders`. Creates the `orders` and `inventory`
 * tables when absent and adds the seed products when absent (never resets stock).
 *
 * Environment: DYNAMODB_ENDPOINT (unset = real AWS), ORDERS_TABLE (default `orders`),
 * DYNAMODB_TABLE or INVENTORY_TABLE (default `inventory`), SEED_CREATE_TABLES (default true; false
 * only adds the products, as on AWS where Pulumi made the tables and the processor's task role may
 * use `inventory` only).
 */

import { createDynamoClient } from "../../../lib/dynamodb";
import { readEnv } from "../../../lib/service-kit";
import { seedOrdersData } from "./seed-data";

async function main(): Promise<void> {
  const env = readEnv();
  const client = createDynamoClient({ endpoint: env.optional("DYNAMODB_ENDPOINT") });
  const tables = {
    orders: env.string("ORDERS_TABLE", "orders"),
    inventory: env.optional("INVENTORY_TABLE") ?? env.string("DYNAMODB_TABLE", "inventory"),
  };
  try {
    const report = await seedOrdersData(client, tables, {
      createTables: env.bool("SEED_CREATE_TABLES", true),
    });
    console.log(JSON.stringify({ msg: "orders data seeded", ...tables, ...report }));
  } finally {
    client.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`seed:orders failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
