/**
 * What a safe order costs over the bare stock decrement, side by side against one dynalite:
 *   - baseline: `POST /process-order` without an order id: one conditional UpdateItem, what the
 *     original did per order (minus its separate read and the order write);
 *   - full order: `POST /orders` on order-api: a processor call that reserves with a hold, the
 *     order's PutItem, and the background commit that drops the hold.
 * Each side sells its own product, so one side's item never slows the other's.
 * Load comes from autocannon in a separate process (closed loop); the sides alternate over rounds
 * so drift on a shared machine hits all alike. dynalite is an in-memory-ish LevelDB emulator, so
 * the absolute figures say little about DynamoDB; the ratios say what each step costs.
 * Run: `npm run bench -- orders` or `tsx bench/orders.ts`.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { buildOrderApi } from "../apps/order-api/src/service";
import { seedOrdersData } from "../apps/order-processor/src/seed-data";
import { buildOrderProcessor } from "../apps/order-processor/src/service";
import { createDynamoClient, documentClientFor } from "../lib/dynamodb";
import { startDynalite } from "../local/deps";
import { type LoadResult, load as loadWith, meanOf, runStandalone, tableRow } from "./_shared";

const ROUNDS = 2;
const SECONDS_PER_SIDE = 5;
const CONNECTIONS = 8;

const load = (url: string, body: string) =>
  loadWith(url, { connections: CONNECTIONS, seconds: SECONDS_PER_SIDE, method: "POST", body });

export async function run(_opts: { json: boolean }): Promise<Record<string, number>> {
  const dynamodb = await startDynalite({ createTableMs: 0 });
  const tables = { orders: "bench-orders", inventory: "bench-inventory" };
  const client = createDynamoClient({ endpoint: dynamodb.endpoint });
  const processor = buildOrderProcessor({
    dynamodbEndpoint: dynamodb.endpoint,
    table: tables.inventory,
    port: 0,
    logLevel: "warn",
  });
  try {
    await seedOrdersData(client, tables);
    for (const product_id of ["BENCH-BASELINE", "BENCH-ORDER"])
      await documentClientFor(client).send(
        new PutCommand({
          TableName: tables.inventory,
          Item: { product_id, name: product_id, price: 1, stock: 1_000_000_000, holds: {} },
        }),
      );
    const processorUrl = await processor.service.listen();
    const api = buildOrderApi({
      dynamodbEndpoint: dynamodb.endpoint,
      table: tables.orders,
      processorUrl,
      processorTimeoutMs: 5_000,
      reconcileIntervalMs: 0,
      holdStaleAfterSeconds: 120,
      port: 0,
      logLevel: "warn",
    });
    const apiUrl = await api.service.listen();
    try {
      const body = (product: string) => `{"product_id":"${product}","quantity":1,"customer_id":"bench"}`;
      const sides = { baseline: [] as LoadResult[], full: [] as LoadResult[] };
      for (let round = 0; round < ROUNDS; round++) {
        sides.baseline.push(await load(`${processorUrl}/process-order`, body("BENCH-BASELINE")));
        sides.full.push(await load(`${apiUrl}/orders/`, body("BENCH-ORDER")));
      }
      const f = (side: LoadResult[], key: keyof LoadResult) => Math.round(meanOf(side, key) * 10) / 10;
      const figures = {
        baseline_rps: Math.round(f(sides.baseline, "rps")),
        baseline_p50_ms: f(sides.baseline, "p50"),
        baseline_p99_ms: f(sides.baseline, "p99"),
        full_order_rps: Math.round(f(sides.full, "rps")),
        full_order_p50_ms: f(sides.full, "p50"),
        full_order_p99_ms: f(sides.full, "p99"),
      };
      console.log(
        `${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS_PER_SIDE} s per side, one product per side`,
      );
      console.table({
        "reserve, no key (baseline)": tableRow(
          figures.baseline_rps,
          figures.baseline_p50_ms,
          figures.baseline_p99_ms,
        ),
        "POST /orders (reserve, store, commit)": tableRow(
          figures.full_order_rps,
          figures.full_order_p50_ms,
          figures.full_order_p99_ms,
        ),
      });
      return figures;
    } finally {
      await api.service.close();
    }
  } finally {
    await processor.service.close();
    client.destroy();
    await dynamodb.stop();
  }
}

if (require.main === module) runStandalone(run);
