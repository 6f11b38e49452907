import { strict as assert } from "node:assert";
import { MAX_QUANTITY } from "../../apps/order-api/src/order-request";
import { SEED_PRODUCTS, seedOrdersData } from "../../apps/order-processor/src/seed-data";
import { createDynamoClient } from "../../lib/dynamodb";
import { type Dynalite, startDynalite } from "../../local/deps";
import { type OrdersSystem, postJson, request, startOrdersSystem } from "./orders-fixtures";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

describe("orders: order-api and order-processor on DynamoDB", () => {
  let system: OrdersSystem;
  let dynamodb: Dynalite;
  let endpoint: string;

  // A dynalite of its own: the shared set would also start MariaDB and ActiveMQ, which orders never use.
  before(async () => {
    dynamodb = await startDynalite({ createTableMs: 0 });
    endpoint = dynamodb.endpoint;
    system = await startOrdersSystem({ inventoryEndpoint: endpoint });
  });
  after(async () => {
    await system?.close();
    await dynamodb?.stop();
  });

  const order = (body: unknown, path = "/orders/") => postJson(`${system.apiUrl}${path}`, body);

  describe("placing and reading an order", () => {
    it("POST /orders/ confirms, takes the stock, stores the order; GET answers the same order", async () => {
      const before = await system.stockOf("PROD001");
      const placed = await order({ product_id: "PROD001", quantity: 3, customer_id: "customer-1" });
      assert.equal(placed.status, 200, JSON.stringify(placed.body));
      const body = placed.body as Record<string, unknown>;
      assert.match(String(body.order_id), UUID);
      assert.deepEqual(
        { ...body, order_id: undefined, processed_at: undefined, created_at: undefined },
        {
          order_id: undefined,
          product_id: "PROD001",
          quantity: 3,
          customer_id: "customer-1",
          status: "confirmed",
          total_price: 87,
          processed_at: undefined,
          created_at: undefined,
        },
      );
      assert.match(String(body.processed_at), ISO_TIME);
      assert.match(String(body.created_at), ISO_TIME);
      assert.equal(await system.stockOf("PROD001"), before! - 3);

      const read = await request(`${system.apiUrl}/orders/${body.order_id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body, body);
    });

    it("also accepts POST /orders without the trailing slash", async () => {
      const placed = await order({ product_id: "PROD002", quantity: 1, customer_id: "c" }, "/orders");
      assert.equal(placed.status, 200, JSON.stringify(placed.body));
      assert.equal((placed.body as { total_price: number }).total_price, 49);
    });

    it("answers 404 {detail: 'Order not found'} for an unknown order id", async () => {
      const missing = await request(`${system.apiUrl}/orders/00000000-0000-4000-8000-000000000000`);
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body, { detail: "Order not found" });
      const garbage = await request(`${system.apiUrl}/orders/${encodeURIComponent("not an id \u0001")}`);
      assert.equal(garbage.status, 404);
      assert.deepEqual(garbage.body, { detail: "Order not found" });
      // Fastify caps path parameters at 100 characters: longer ids are refused before any lookup.
      const tooLong = await request(`${system.apiUrl}/orders/${"x".repeat(300)}`);
      assert.equal(tooLong.status, 414);
    });

    it("propagates the request id to the processor and back", async () => {
      const placed = await postJson(
        `${system.apiUrl}/orders/`,
        { product_id: "PROD002", quantity: 1, customer_id: "c" },
        { "x-request-id": "orders-test-42" },
      );
      assert.equal(placed.status, 200);
      assert.equal(placed.headers.get("x-request-id"), "orders-test-42");
    });
  });

  describe("processor rejections keep their 4xx and reason", () => {
    it("400 {detail: 'Insufficient inventory'} when stock is short, and stock is untouched", async () => {
      await system.putProduct({ product_id: "SCARCE", price: 5, stock: 2 });
      const refused = await order({ product_id: "SCARCE", quantity: 3, customer_id: "c" });
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.body, { detail: "Insufficient inventory" });
      assert.equal(await system.stockOf("SCARCE"), 2);
    });

    it("404 {detail: 'Product not found'} for an unknown product", async () => {
      const refused = await order({ product_id: "NO-SUCH-PRODUCT", quantity: 1, customer_id: "c" });
      assert.equal(refused.status, 404);
      assert.deepEqual(refused.body, { detail: "Product not found" });
    });

    it("the processor answers 400 directly too, with the original body shape", async () => {
      const refused = await postJson(`${system.processorUrl}/process-order`, {
        product_id: "SCARCE",
        quantity: 99,
        customer_id: "c",
      });
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.body, { detail: "Insufficient inventory" });
    });
  });

  describe("validation", () => {
    const valid = { product_id: "PROD002", quantity: 1, customer_id: "c" };
    const schemaCases: Array<[string, unknown, RegExp]> = [
      ["a missing product_id", { quantity: 1, customer_id: "c" }, /product_id is required/],
      ["a missing quantity", { product_id: "PROD002", customer_id: "c" }, /quantity is required/],
      ["a missing customer_id", { product_id: "PROD002", quantity: 1 }, /customer_id is required/],
      ["a numeric product_id", { ...valid, product_id: 7 }, /product_id must be a string/],
      ["a string quantity", { ...valid, quantity: "1" }, /quantity must be an integer/],
      ["a fractional quantity", { ...valid, quantity: 1.5 }, /quantity must be an integer/],
      ["a zero quantity", { ...valid, quantity: 0 }, /quantity must be an integer from 1/],
      ["a negative quantity", { ...valid, quantity: -4 }, /quantity must be an integer from 1/],
      ["a huge quantity", { ...valid, quantity: MAX_QUANTITY + 1 }, /quantity must be an integer/],
      ["a boolean quantity", { ...valid, quantity: true }, /quantity must be an integer/],
      ["an empty customer_id", { ...valid, customer_id: "  " }, /customer_id must not be empty/],
      ["a 129-character customer_id", { ...valid, customer_id: "c".repeat(129) }, /at most 128/],
      ["a control character", { ...valid, product_id: "PROD\u0000002" }, /control characters/],
      ["an array body", [valid], /body must be a JSON object/],
      ["a null body", null, /body must be a JSON object/],
    ];
    for (const [what, body, reason] of schemaCases) {
      it(`answers 422 with a reason for ${what}, and takes no stock`, async () => {
        const before = await system.stockOf("PROD002");
        const refused = await order(body === null ? "null" : body);
        assert.equal(refused.status, 422, JSON.stringify(refused.body));
        assert.match((refused.body as { detail: string }).detail, reason);
        assert.equal(await system.stockOf("PROD002"), before);
      });
    }

    it("answers 400 for malformed JSON", async () => {
      const refused = await order('{"product_id": "PROD002", "quantity": ');
      assert.equal(refused.status, 400);
      assert.match((refused.body as { detail: string }).detail, /malformed JSON/);
    });

    it("answers 413 for a body over 4 KiB", async () => {
      const refused = await order({ ...valid, note: "x".repeat(5000) });
      assert.equal(refused.status, 413);
      assert.match((refused.body as { detail: string }).detail, /larger than the limit/);
    });

    it("answers 415 for a body that is not JSON", async () => {
      const refused = await request(`${system.apiUrl}/orders/`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "PROD002 x1",
      });
      assert.equal(refused.status, 415);
    });

    it("answers 404 for unknown routes and 405 for a wrong method, with detail bodies", async () => {
      const unknown = await request(`${system.apiUrl}/nope`);
      assert.equal(unknown.status, 404);
      assert.equal(typeof (unknown.body as { detail?: unknown }).detail, "string");
      const wrongMethod = await request(`${system.apiUrl}/orders/`, { method: "DELETE" });
      assert.equal(wrongMethod.status, 405);
      assert.match(String(wrongMethod.headers.get("allow")), /POST/);
    });

    it("the processor's hold listing validates its query", async () => {
      const negative = await request(`${system.processorUrl}/holds?older_than_seconds=-1`);
      assert.equal(negative.status, 422);
      assert.match((negative.body as { detail: string }).detail, /older_than_seconds/);
      const huge = await request(`${system.processorUrl}/holds?limit=100000`);
      assert.equal(huge.status, 422);
    });

    it("the processor validates too: a quantity given as a string answers 422", async () => {
      const refused = await postJson(`${system.processorUrl}/process-order`, { ...valid, quantity: "2" });
      assert.equal(refused.status, 422);
      assert.match((refused.body as { detail: string }).detail, /quantity must be an integer/);
    });
  });

  describe("reservations on the processor", () => {
    it("a retried reservation with the same order id takes stock once", async () => {
      await system.putProduct({ product_id: "RETRY", price: 10, stock: 5 });
      const body = { product_id: "RETRY", quantity: 2, customer_id: "c", order_id: "retry-order-1" };
      const first = await postJson(`${system.processorUrl}/process-order`, body);
      const second = await postJson(`${system.processorUrl}/process-order`, body);
      assert.equal(first.status, 200);
      assert.equal(second.status, 200);
      assert.deepEqual(second.body, first.body);
      assert.equal(await system.stockOf("RETRY"), 3);
    });

    it("release returns the stock exactly once; a release before the reservation blocks it", async () => {
      await system.putProduct({ product_id: "RELEASE", price: 10, stock: 5 });
      const reserve = { product_id: "RELEASE", quantity: 4, customer_id: "c", order_id: "release-order-1" };
      assert.equal((await postJson(`${system.processorUrl}/process-order`, reserve)).status, 200);
      assert.equal(await system.stockOf("RELEASE"), 1);
      const ref = { order_id: "release-order-1", product_id: "RELEASE" };
      const released = await postJson(`${system.processorUrl}/release-order`, ref);
      assert.deepEqual(released.body, { ...ref, status: "released", released_quantity: 4 });
      const again = await postJson(`${system.processorUrl}/release-order`, ref);
      assert.deepEqual(again.body, { ...ref, status: "nothing held", released_quantity: 0 });
      assert.equal(await system.stockOf("RELEASE"), 5);

      // A reservation that arrives after its order was compensated must not take stock.
      const early = { order_id: "late-order-1", product_id: "RELEASE" };
      assert.equal((await postJson(`${system.processorUrl}/release-order`, early)).status, 200);
      const late = await postJson(`${system.processorUrl}/process-order`, {
        ...early,
        quantity: 1,
        customer_id: "c",
      });
      assert.equal(late.status, 409);
      assert.match((late.body as { detail: string }).detail, /was released/);
      assert.equal(await system.stockOf("RELEASE"), 5);
    });

    it("a product item without a holds map (made by hand) still takes orders and releases", async () => {
      await system.putProduct({ product_id: "HANDMADE", price: 2.5, stock: 4 }, { bare: true });
      const placed = await order({ product_id: "HANDMADE", quantity: 3, customer_id: "c" });
      assert.equal(placed.status, 200, JSON.stringify(placed.body));
      assert.equal((placed.body as { total_price: number }).total_price, 7.5);
      assert.equal(await system.stockOf("HANDMADE"), 1);

      await system.putProduct({ product_id: "HANDMADE-2", price: 1, stock: 4 }, { bare: true });
      const early = await postJson(`${system.processorUrl}/release-order`, {
        order_id: "never-reserved",
        product_id: "HANDMADE-2",
      });
      assert.equal(early.status, 200);
      assert.equal((early.body as { status: string }).status, "nothing held");
      assert.equal(await system.stockOf("HANDMADE-2"), 4);
    });

    it("a placed order's hold is committed: the product item keeps no entry for it", async () => {
      const placed = await order({ product_id: "PROD002", quantity: 1, customer_id: "c" });
      assert.equal(placed.status, 200);
      const orderId = (placed.body as { order_id: string }).order_id;
      const deadline = Date.now() + 20_000;
      for (;;) {
        const product = await system.processor.inventory.product("PROD002");
        if (product && !product.holds?.[orderId]) break;
        if (Date.now() > deadline) throw new Error(`hold of ${orderId} was never committed`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // Committing is final: releasing afterwards returns nothing.
      const late = await postJson(`${system.processorUrl}/release-order`, {
        order_id: orderId,
        product_id: "PROD002",
      });
      assert.equal((late.body as { released_quantity: number }).released_quantity, 0);
    });
  });

  describe("health, readiness and metrics", () => {
    it("GET /health answers healthy with a timestamp on both services", async () => {
      for (const url of [system.apiUrl, system.processorUrl]) {
        const health = await request(`${url}/health`);
        assert.equal(health.status, 200);
        const body = health.body as { status: string; timestamp: string };
        assert.equal(body.status, "healthy");
        assert.match(body.timestamp, ISO_TIME);
      }
    });

    it("serves the kit's liveness, readiness and metrics with domain counters", async () => {
      assert.equal((await request(`${system.apiUrl}/healthz`)).status, 200);
      assert.equal((await request(`${system.apiUrl}/readyz`)).status, 200);
      assert.equal((await request(`${system.processorUrl}/readyz`)).status, 200);
      const apiMetrics = await request(`${system.apiUrl}/metrics`);
      assert.match(String(apiMetrics.body), /orders_placed_total\{[^}]*outcome="confirmed"[^}]*\} [1-9]/);
      const processorMetrics = await request(`${system.processorUrl}/metrics`);
      assert.match(
        String(processorMetrics.body),
        /inventory_reservations_total\{[^}]*outcome="insufficient"/,
      );
    });
  });

  describe("seed", () => {
    it("is idempotent: a re-run creates nothing and never resets stock", async () => {
      const client = createDynamoClient({ endpoint });
      try {
        const before = await system.stockOf("PROD001");
        assert.ok(
          before !== undefined && before < SEED_PRODUCTS[0].stock,
          "earlier tests took PROD001 stock",
        );
        const report = await seedOrdersData(client, system.tables);
        assert.deepEqual(report, { tablesCreated: [], productsAdded: [] });
        assert.equal(await system.stockOf("PROD001"), before);
      } finally {
        client.destroy();
      }
    });

    it("with createTables false (SEED_CREATE_TABLES=false, as on AWS) only adds products, never tables", async () => {
      const client = createDynamoClient({ endpoint });
      try {
        const tables = { orders: "orders-never-created", inventory: system.tables.inventory };
        const report = await seedOrdersData(client, tables, { createTables: false });
        assert.deepEqual(report, { tablesCreated: [], productsAdded: [] });
        await assert.rejects(
          seedOrdersData(
            client,
            { ...tables, inventory: "inventory-never-created" },
            { createTables: false },
          ),
          { name: "ResourceNotFoundException" },
        );
      } finally {
        client.destroy();
      }
    });
  });
});
