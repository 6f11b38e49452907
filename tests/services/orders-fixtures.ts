import { randomBytes } from "node:crypto";
import { GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { buildOrderApi, type OrderApi } from "../../apps/order-api/src/service";
import type { SrvResolver } from "../../apps/order-api/src/srv-discovery";
import type { Hold } from "../../apps/order-processor/src/inventory";
import { seedOrdersData } from "../../apps/order-processor/src/seed-data";
import { buildOrderProcessor, type OrderProcessor } from "../../apps/order-processor/src/service";
import { createDynamoClient, documentClientFor } from "../../lib/dynamodb";

/** Both orders services started in-process on free ports, on fresh tables of their own. */
export interface OrdersSystem {
  apiUrl: string;
  processorUrl: string;
  api: OrderApi;
  processor: OrderProcessor;
  tables: { orders: string; inventory: string };
  /** Current stock of a product, read consistently from the inventory table. */
  stockOf(productId: string): Promise<number | undefined>;
  /** The stored order, read directly from the orders table. */
  storedOrder(orderId: string): Promise<Record<string, unknown> | undefined>;
  /** How many orders the orders table holds. */
  orderCount(): Promise<number>;
  /**
   * Puts a product as the seed does (with an empty `holds` map, unless `holds` is given), or bare
   * (no `holds` attribute) as a hand-made item would be.
   */
  putProduct(
    product: {
      product_id: string;
      price: number;
      stock: number;
      name?: string;
      holds?: Record<string, Hold>;
    },
    options?: { bare?: boolean },
  ): Promise<void>;
  close(): Promise<void>;
}

export interface OrdersSystemOptions {
  /** DynamoDB endpoint of the processor's inventory table. */
  inventoryEndpoint: string;
  /** DynamoDB endpoint of order-api's orders table. @default inventoryEndpoint */
  ordersEndpoint?: string;
  /** Replaces the processor URL order-api is given (e.g. a dead port). */
  processorUrl?: string;
  srvEndpoint?: string;
  resolver?: SrvResolver;
  processorTimeoutMs?: number;
  /** @default 0: off, tests run passes with `api.reconciler.runOnce()` */
  reconcileIntervalMs?: number;
  /** @default 0: every hold counts as stale */
  holdStaleAfterSeconds?: number;
  /** Gives order-api this table name instead of the one created for it (e.g. one that does not exist). */
  ordersTable?: string;
}

const LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "silent";

export async function startOrdersSystem(options: OrdersSystemOptions): Promise<OrdersSystem> {
  const suffix = randomBytes(4).toString("hex");
  const tables = { orders: `orders-${suffix}`, inventory: `inventory-${suffix}` };
  const ordersEndpoint = options.ordersEndpoint ?? options.inventoryEndpoint;
  const inventoryClient = createDynamoClient({ endpoint: options.inventoryEndpoint });
  const ordersClient = createDynamoClient({ endpoint: ordersEndpoint });
  await seedOrdersData(inventoryClient, tables);
  if (ordersEndpoint !== options.inventoryEndpoint) await seedOrdersData(ordersClient, tables);
  const inventoryDoc = documentClientFor(inventoryClient);
  const ordersDoc = documentClientFor(ordersClient);

  const processor = buildOrderProcessor({
    dynamodbEndpoint: options.inventoryEndpoint,
    table: tables.inventory,
    port: 0,
    logLevel: LOG_LEVEL,
  });
  const processorUrl = await processor.service.listen();
  const api = buildOrderApi(
    {
      dynamodbEndpoint: ordersEndpoint,
      table: options.ordersTable ?? tables.orders,
      processorUrl: options.processorUrl ?? processorUrl,
      srvEndpoint: options.srvEndpoint,
      processorTimeoutMs: options.processorTimeoutMs ?? 5_000,
      reconcileIntervalMs: options.reconcileIntervalMs ?? 0,
      holdStaleAfterSeconds: options.holdStaleAfterSeconds ?? 0,
      port: 0,
      logLevel: LOG_LEVEL,
    },
    options.resolver ? { resolver: options.resolver } : {},
  );
  const apiUrl = await api.service.listen();

  return {
    apiUrl,
    processorUrl,
    api,
    processor,
    tables,
    async stockOf(productId) {
      const result = await inventoryDoc.send(
        new GetCommand({ TableName: tables.inventory, Key: { product_id: productId }, ConsistentRead: true }),
      );
      return result.Item?.stock as number | undefined;
    },
    async storedOrder(orderId) {
      const result = await ordersDoc.send(
        new GetCommand({ TableName: tables.orders, Key: { order_id: orderId }, ConsistentRead: true }),
      );
      return result.Item;
    },
    async orderCount() {
      const result = await ordersDoc.send(new ScanCommand({ TableName: tables.orders, Select: "COUNT" }));
      return result.Count ?? 0;
    },
    async putProduct(product, options = {}) {
      await inventoryDoc.send(
        new PutCommand({
          TableName: tables.inventory,
          Item: { name: product.product_id, ...(options.bare ? {} : { holds: {} }), ...product },
        }),
      );
    },
    async close() {
      await api.service.close();
      await processor.service.close();
      inventoryClient.destroy();
      ordersClient.destroy();
    },
  };
}

export interface JsonAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function request(url: string, init: RequestInit = {}): Promise<JsonAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonAnswer> {
  return request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Polls until `probe` returns a truthy value or the deadline passes; returns that value. */
export async function eventually<T>(
  probe: () => Promise<T | false | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
