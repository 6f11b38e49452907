import { strict as assert } from "node:assert";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  IDEMPOTENCY_KEY_TTL_SECONDS,
  type KeyRecord,
  keyRecordId,
  requestHash,
} from "../../apps/order-api/src/idempotency";
import { createDynamoClient, documentClientFor } from "../../lib/dynamodb";
import { type Dynalite, startDynalite } from "../../local/deps";
import { eventually, type OrdersSystem, postJson, request, startOrdersSystem } from "./orders-fixtures";

async function bodyOf(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/**
 * A proxy in front of order-api's dynalite. Armed, it lets an order's PutItem land and then cuts
 * the connection instead of answering, and cuts every GetItem: order-api cannot tell whether the
 * order was stored ("Order outcome unknown") although it was.
 */
async function ambiguousStoreProxy(
  target: string,
): Promise<{ url: string; armed: { on: boolean }; server: Server }> {
  const armed = { on: false };
  const server = createServer(async (incoming, outgoing) => {
    const body = await bodyOf(incoming);
    const operation = String(incoming.headers["x-amz-target"] ?? "").split(".")[1];
    if (armed.on && operation === "GetItem") return incoming.socket.destroy();
    const headers = Object.fromEntries(
      Object.entries(incoming.headers).filter(([name]) => name !== "host" && name !== "content-length"),
    ) as Record<string, string>;
    const answer = await fetch(target, { method: "POST", headers, body });
    const bytes = Buffer.from(await answer.arrayBuffer());
    if (armed.on && operation === "PutItem" && body.includes('"total_price"'))
      return incoming.socket.destroy();
    const passed: Record<string, string> = {};
    for (const name of ["content-type", "x-amz-crc32", "x-amzn-requestid"]) {
      const value = answer.headers.get(name);
      if (value !== null) passed[name] = value;
    }
    outgoing.writeHead(answer.status, passed).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, armed, server };
}

describe("orders: Idempotency-Key", () => {
  let dynamodb: Dynalite;
  let system: OrdersSystem;
  let proxy: Awaited<ReturnType<typeof ambiguousStoreProxy>>;

  before(async () => {
    dynamodb = await startDynalite({ createTableMs: 0 });
    proxy = await ambiguousStoreProxy(dynamodb.endpoint);
    system = await startOrdersSystem({ inventoryEndpoint: dynamodb.endpoint, ordersEndpoint: proxy.url });
  });
  after(async () => {
    await system?.close();
    proxy?.server.closeAllConnections();
    await new Promise((resolve) => proxy?.server.close(resolve));
    await dynamodb?.stop();
  });

  const order = (body: unknown, key?: string) =>
    postJson(`${system.apiUrl}/orders/`, body, key === undefined ? {} : { "idempotency-key": key });
  const holdsOf = async (productId: string) =>
    Object.keys((await system.processor.inventory.product(productId))?.holds ?? {});

  it("a retry after success answers the same order, marked replayed; stock drops once", async () => {
    await system.putProduct({ product_id: "IDEM-1", price: 5, stock: 10 });
    const body = { product_id: "IDEM-1", quantity: 2, customer_id: "c-1" };
    const first = await order(body, "key-success-1");
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.headers.get("idempotent-replayed"), null);
    // The same order written differently (field order, an unknown field) is the same request.
    const retry = await order(
      { customer_id: "c-1", quantity: 2, product_id: "IDEM-1", note: "x" },
      "key-success-1",
    );
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.deepEqual(retry.body, first.body);
    assert.equal(retry.headers.get("idempotent-replayed"), "true");
    assert.equal(await system.stockOf("IDEM-1"), 8);

    // Without the header, the original contract: every POST is a new order.
    const plain = await order(body);
    assert.equal(plain.status, 200);
    assert.notEqual(
      (plain.body as { order_id: string }).order_id,
      (first.body as { order_id: string }).order_id,
    );
    assert.equal(await system.stockOf("IDEM-1"), 6);
  });

  it("the same key with a different body is refused with 422, and takes no stock", async () => {
    await system.putProduct({ product_id: "IDEM-2", price: 1, stock: 10 });
    assert.equal(
      (await order({ product_id: "IDEM-2", quantity: 1, customer_id: "c" }, "key-body")).status,
      200,
    );
    const other = await order({ product_id: "IDEM-2", quantity: 3, customer_id: "c" }, "key-body");
    assert.equal(other.status, 422);
    assert.deepEqual(other.body, {
      detail: "Idempotency-Key was already used with a different request body",
    });
    assert.equal(await system.stockOf("IDEM-2"), 9);
  });

  for (const [what, key] of [
    ["a key over 128 characters", "k".repeat(129)],
    ["a key with a space", "two words"],
    ["a key with a non-ASCII character", "caf\u00e9"],
  ] as const) {
    it(`answers 400 naming the header for ${what}, and takes no stock`, async () => {
      const answer = await order({ product_id: "PROD002", quantity: 1, customer_id: "c" }, key);
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.body, {
        detail: "Idempotency-Key must be 1-128 printable ASCII characters without spaces",
      });
      assert.equal(await system.stockOf("PROD002"), 50);
    });
  }

  it("concurrent requests with one key place one order; the others answer it or 409 in progress", async () => {
    await system.putProduct({ product_id: "IDEM-3", price: 1, stock: 10 });
    const body = { product_id: "IDEM-3", quantity: 1, customer_id: "c" };
    const answers = await Promise.all(Array.from({ length: 6 }, () => order(body, "key-concurrent")));
    const placed = answers.filter((a) => a.status === 200);
    const busy = answers.filter((a) => a.status === 409);
    assert.equal(placed.length + busy.length, 6, JSON.stringify(answers.map((a) => [a.status, a.body])));
    assert.ok(placed.length >= 1);
    assert.equal(new Set(placed.map((a) => (a.body as { order_id: string }).order_id)).size, 1);
    for (const a of busy) assert.equal(a.headers.get("retry-after"), "1");
    assert.equal(await system.stockOf("IDEM-3"), 9);
  });

  it("a refusal frees the key: the retry tries again", async () => {
    await system.putProduct({ product_id: "IDEM-4", price: 1, stock: 0 });
    const body = { product_id: "IDEM-4", quantity: 1, customer_id: "c" };
    assert.equal((await order(body, "key-refused")).status, 400);
    await system.putProduct({ product_id: "IDEM-4", price: 1, stock: 3 });
    const retry = await order(body, "key-refused");
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.equal(await system.stockOf("IDEM-4"), 2);
  });

  it("a key whose attempt ended without an order, longer ago than requests run, places a new order", async () => {
    await system.putProduct({ product_id: "IDEM-5", price: 1, stock: 10 });
    const body = { product_id: "IDEM-5", quantity: 4, customer_id: "c" };
    const client = createDynamoClient({ endpoint: dynamodb.endpoint });
    try {
      const stale: KeyRecord = {
        order_id: keyRecordId("key-stale"),
        kind: "idempotency-key",
        request_hash: requestHash(body),
        placed_order_id: "attempt-that-died",
        state: "pending",
        claimed_at: new Date(Date.now() - 3_600_000).toISOString(),
        expires_at: Math.floor(Date.now() / 1000) + IDEMPOTENCY_KEY_TTL_SECONDS,
      };
      await documentClientFor(client).send(new PutCommand({ TableName: system.tables.orders, Item: stale }));
    } finally {
      client.destroy();
    }
    const placed = await order(body, "key-stale");
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    assert.notEqual((placed.body as { order_id: string }).order_id, "attempt-that-died");
    assert.equal(await system.stockOf("IDEM-5"), 6);
    const again = await order(body, "key-stale");
    assert.deepEqual(again.body, placed.body);
    assert.equal(await system.stockOf("IDEM-5"), 6);
  });

  it("a key record cannot be read as an order", async () => {
    const read = await request(`${system.apiUrl}/orders/${keyRecordId("key-stale")}`);
    assert.equal(read.status, 404);
  });

  describe("Order outcome unknown (the order was stored, the answer lost)", () => {
    afterEach(() => {
      proxy.armed.on = false;
    });

    it("the 503 names the order_id; once DynamoDB answers, GET finds the order and the reconciler commits it", async () => {
      await system.putProduct({ product_id: "IDEM-6", price: 2, stock: 10 });
      proxy.armed.on = true;
      const lost = await order({ product_id: "IDEM-6", quantity: 3, customer_id: "c" });
      proxy.armed.on = false;
      assert.equal(lost.status, 503, JSON.stringify(lost.body));
      const { detail, order_id } = lost.body as { detail: string; order_id: string };
      assert.match(detail, /^Order outcome unknown/);
      assert.equal(lost.headers.get("retry-after"), "1");
      const read = await request(`${system.apiUrl}/orders/${order_id}`);
      assert.equal(read.status, 200);
      assert.equal((read.body as { quantity: number }).quantity, 3);
      assert.deepEqual(await holdsOf("IDEM-6"), [order_id], "the hold waits for the reconciler");
      await system.api.reconciler.runOnce();
      assert.deepEqual(await holdsOf("IDEM-6"), []);
      assert.equal(await system.stockOf("IDEM-6"), 7);
    });

    it("a retry with the same key answers the stored order; stock drops once and the hold is committed", async () => {
      await system.putProduct({ product_id: "IDEM-7", price: 2, stock: 10 });
      const body = { product_id: "IDEM-7", quantity: 3, customer_id: "c" };
      proxy.armed.on = true;
      const lost = await order(body, "key-after-503");
      proxy.armed.on = false;
      assert.equal(lost.status, 503, JSON.stringify(lost.body));
      const orderId = (lost.body as { order_id: string }).order_id;

      const retry = await order(body, "key-after-503");
      assert.equal(retry.status, 200, JSON.stringify(retry.body));
      assert.equal((retry.body as { order_id: string }).order_id, orderId);
      assert.equal(retry.headers.get("idempotent-replayed"), "true");
      await eventually(async () => (await holdsOf("IDEM-7")).length === 0, "the replay to commit the hold");
      assert.equal(await system.stockOf("IDEM-7"), 7);
      const again = await order(body, "key-after-503");
      assert.equal((again.body as { order_id: string }).order_id, orderId);
      assert.equal(await system.stockOf("IDEM-7"), 7);
    });
  });
});
