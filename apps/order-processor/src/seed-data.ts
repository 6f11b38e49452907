import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { documentClientFor } from "../../../lib/dynamodb";

/** The products every environment starts with (the original services' seed). */
export const SEED_PRODUCTS = [
  { product_id: "PROD001", name: "Sample Product 1", price: 29, stock: 100 },
  { product_id: "PROD002", name: "Sample Product 2", price: 49, stock: 50 },
] as const;

export interface OrdersTables {
  /** order-api's table, hash key `order_id`. */
  orders: string;
  /** order-processor's table, hash key `product_id`. */
  inventory: string;
}

export interface SeedReport {
  tablesCreated: string[];
  productsAdded: string[];
}

/**
 * Creates a table unless it exists. On AWS, Pulumi creates the tables from the catalog with
 * provisioned capacity; this path serves local and fresh environments, where on-demand is simplest.
 */
async function ensureTable(client: DynamoDBClient, name: string, hashKey: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: "S" }],
        KeySchema: [{ AttributeName: hashKey, KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } catch (error) {
    if (error instanceof ResourceInUseException) return false; // created concurrently by another seeder
    throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: name });
  return true;
}

/**
 * Idempotent: creates missing tables (unless `createTables` is false) and adds each seed product
 * only when absent, so a re-run never resets stock that orders have already taken.
 */
export async function seedOrdersData(
  client: DynamoDBClient,
  tables: OrdersTables,
  { createTables = true }: { createTables?: boolean } = {},
): Promise<SeedReport> {
  const doc = documentClientFor(client);
  const report: SeedReport = { tablesCreated: [], productsAdded: [] };
  // Off on AWS: Pulumi owns the tables, and order-processor's task role may touch `inventory` only.
  if (createTables) {
    if (await ensureTable(client, tables.orders, "order_id")) report.tablesCreated.push(tables.orders);
    if (await ensureTable(client, tables.inventory, "product_id"))
      report.tablesCreated.push(tables.inventory);
  }
  for (const product of SEED_PRODUCTS) {
    try {
      await doc.send(
        new PutCommand({
          TableName: tables.inventory,
          Item: { ...product, holds: {} },
          ConditionExpression: "attribute_not_exists(product_id)",
        }),
      );
      report.productsAdded.push(product.product_id);
    } catch (error) {
      if (!(error instanceof Error && error.name === "ConditionalCheckFailedException")) throw error;
    }
  }
  return report;
}
