import { strict as assert } from "node:assert";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Dynalite, startDynalite } from "../../local/deps";
import { eventually, type OrdersSystem, postJson, request, startOrdersSystem } from "./orders-fixtures";

const ORDER = { product_id: "PROD001", quantity: 2, customer_id: "fault-tester" };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function bodyOf(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe("orders: faults", () => {
  describe("the processor is down", () => {
    let dynamodb: Dynalite;
    let system: OrdersSystem;

    before(async () => {
      dynamodb = await startDynalite({ createTableMs: 0 });
      system = await startOrdersSystem({ inventoryEndpoint: dynamodb.endpoint });
      await system.processor.service.close();
    });
    after(async () => {
      await system?.close();
      await dynamodb?.stop();
    });

    it("POST /orders answers 503 with a reason and Retry-After; no stock is taken, no order stored", async () => {
      const answer = await postJson(`${system.apiUrl}/orders/`, ORDER);
      assert.equal(answer.status, 503);
      assert.deepEqual(answer.body, { detail: "Order processor unavailable" });
      assert.equal(answer.headers.get("retry-after"), "1");
      assert.equal(await system.stockOf("PROD001"), 100);
      assert.equal(await system.orderCount(), 0);
    });

    it("GET /health answers 503 naming the processor; readiness stays up (DynamoDB is fine)", async () => {
      const health = await request(`${system.apiUrl}/health`);
      assert.equal(health.status, 503);
      assert.match((health.body as { detail: string }).detail, /^Order processor unreachable/);
      assert.equal((await request(`${system.apiUrl}/readyz`)).status, 200);
    });
  });

  describe("the processor does not answer in time", () => {
    let dynamodb: Dynalite;
    let system: OrdersSystem;
    let proxy: Server;
    const seen: string[] = [];
    let releaseHeldReservation: () => void = () => {};
    const heldReservation = new Promise<void>((resolve) => {
      releaseHeldReservation = resolve;
    });
    let lateAnswer: Promise<{ status: number; body: string }> | undefined;

    // A proxy in front of the real processor that holds reservations back until the test lets them
    // through, so the order of "order-api gave up and compensated" and "the reservation landed" is
    // decided by the test, not by timing.
    before(async () => {
      dynamodb = await startDynalite({ createTableMs: 0 });
      let processorUrl = "";
      proxy = createServer(async (incoming, outgoing) => {
        const body = await bodyOf(incoming);
        seen.push(incoming.url ?? "");
        const forward = () =>
          fetch(`${processorUrl}${incoming.url}`, {
            method: incoming.method,
            headers: { "content-type": "application/json" },
            ...(body ? { body } : {}),
          }).then(async (r) => ({ status: r.status, body: await r.text() }));
        if (incoming.url === "/process-order") {
          await heldReservation;
          lateAnswer = forward();
          const answer = await lateAnswer;
          outgoing.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
          return;
        }
        const answer = await forward();
        outgoing.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
      });
      const proxyUrl = await listen(proxy);
      system = await startOrdersSystem({
        inventoryEndpoint: dynamodb.endpoint,
        processorUrl: proxyUrl,
        processorTimeoutMs: 300,
      });
      processorUrl = system.processorUrl;
    });
    after(async () => {
      releaseHeldReservation();
      await system?.close();
      proxy?.closeAllConnections();
      await new Promise((resolve) => proxy?.close(resolve));
      await dynamodb?.stop();
    });

    it("answers 504; the compensating release blocks the late reservation, so no stock leaks", async () => {
      const answer = await postJson(`${system.apiUrl}/orders/`, ORDER);
      assert.equal(answer.status, 504);
      assert.deepEqual(answer.body, { detail: "Order processor timed out" });

      await eventually(
        async () => seen.includes("/release-order"),
        "order-api to send the compensating release",
      );
      releaseHeldReservation();
      const late = await eventually(
        async () => lateAnswer && (await lateAnswer),
        "the late reservation's answer",
      );
      assert.equal(late.status, 409, late.body);
      assert.match(late.body, /was released/);
      assert.equal(await system.stockOf("PROD001"), 100);
      assert.equal(await system.orderCount(), 0);
    });
  });

  describe("order-api's DynamoDB is down after stock was taken", () => {
    let inventoryDb: Dynalite;
    let ordersDb: Dynalite;
    let system: OrdersSystem;

    before(async () => {
      [inventoryDb, ordersDb] = await Promise.all([
        startDynalite({ createTableMs: 0 }),
        startDynalite({ createTableMs: 0 }),
      ]);
      system = await startOrdersSystem({
        inventoryEndpoint: inventoryDb.endpoint,
        ordersEndpoint: ordersDb.endpoint,
      });
    });
    after(async () => {
      await system?.close();
      await Promise.all([inventoryDb?.stop(), ordersDb?.stop()]);
    });

    it("answers 503, returns the reserved stock, stores nothing; recovers when DynamoDB is back", async () => {
      const placed = await postJson(`${system.apiUrl}/orders/`, ORDER);
      assert.equal(placed.status, 200, JSON.stringify(placed.body));
      const stockBefore = await system.stockOf("PROD001");
      assert.equal(stockBefore, 98);

      await ordersDb.kill();
      const failed = await postJson(`${system.apiUrl}/orders/`, ORDER);
      assert.equal(failed.status, 503);
      assert.equal(
        (failed.body as { detail: string }).detail,
        "Order could not be stored (DynamoDB unavailable); the reserved stock was returned",
      );
      assert.equal(failed.headers.get("retry-after"), "1");
      assert.equal(await system.stockOf("PROD001"), stockBefore);

      const read = await request(`${system.apiUrl}/orders/${(placed.body as { order_id: string }).order_id}`);
      assert.equal(read.status, 503);
      assert.match((read.body as { detail: string }).detail, /^DynamoDB unavailable/);
      const health = await request(`${system.apiUrl}/health`);
      assert.equal(health.status, 503);
      assert.match((health.body as { detail: string }).detail, /^DynamoDB unreachable/);
      assert.equal((await request(`${system.apiUrl}/readyz`)).status, 503);

      await ordersDb.restart();
      assert.equal(await system.orderCount(), 1, "only the first order was stored");
      const recovered = await eventually(async () => {
        const answer = await postJson(`${system.apiUrl}/orders/`, ORDER);
        return answer.status === 200 && answer;
      }, "order-api to place orders again");
      assert.equal((recovered.body as { status: string }).status, "confirmed");
      assert.equal(await system.stockOf("PROD001"), 96);
    });
  });

  describe("the orders table is missing (storing fails, DynamoDB itself is up)", () => {
    let dynamodb: Dynalite;
    let system: OrdersSystem;

    before(async () => {
      dynamodb = await startDynalite({ createTableMs: 0 });
      system = await startOrdersSystem({
        inventoryEndpoint: dynamodb.endpoint,
        ordersTable: "orders-that-do-not-exist",
      });
    });
    after(async () => {
      await system?.close();
      await dynamodb?.stop();
    });

    it("answers 503 and the stock is back at its prior value", async () => {
      const failed = await postJson(`${system.apiUrl}/orders/`, ORDER);
      assert.equal(failed.status, 503);
      assert.match((failed.body as { detail: string }).detail, /the reserved stock was returned$/);
      assert.equal(await system.stockOf("PROD001"), 100);
      const product = await system.processor.inventory.product("PROD001");
      assert.deepEqual(product?.holds, {}, "no hold is left behind");
    });
  });

  describe("all of DynamoDB is down", () => {
    let dynamodb: Dynalite;
    let system: OrdersSystem;

    before(async () => {
      dynamodb = await startDynalite({ createTableMs: 0 });
      system = await startOrdersSystem({ inventoryEndpoint: dynamodb.endpoint });
    });
    after(async () => {
      await system?.close();
      await dynamodb?.stop();
    });

    it("both services answer 503 with a reason, and recover without a restart", async () => {
      await dynamodb.kill();
      const refused = await postJson(`${system.apiUrl}/orders/`, ORDER);
      assert.equal(refused.status, 503);
      assert.match(
        (refused.body as { detail: string }).detail,
        /^Order processor unavailable: DynamoDB unavailable/,
      );
      const processorHealth = await request(`${system.processorUrl}/health`);
      assert.equal(processorHealth.status, 503);
      assert.match((processorHealth.body as { detail: string }).detail, /^DynamoDB unreachable/);

      await dynamodb.restart();
      const placed = await eventually(async () => {
        const answer = await postJson(`${system.apiUrl}/orders/`, ORDER);
        return answer.status === 200 && answer;
      }, "orders to be placed again");
      assert.equal((placed.body as { status: string }).status, "confirmed");
      assert.equal(await system.stockOf("PROD001"), 98);
    });
  });

  describe("an order-api instance crashed between reserving and settling", () => {
    let dynamodb: Dynalite;
    let system: OrdersSystem;

    before(async () => {
      dynamodb = await startDynalite({ createTableMs: 0 });
      system = await startOrdersSystem({
        inventoryEndpoint: dynamodb.endpoint,
        reconcileIntervalMs: 200,
        holdStaleAfterSeconds: 0,
      });
    });
    after(async () => {
      await system?.close();
      await dynamodb?.stop();
    });

    it("the reconciler releases a hold without an order and commits a hold whose order was stored", async () => {
      const reserve = (orderId: string, quantity: number) =>
        postJson(`${system.processorUrl}/process-order`, {
          order_id: orderId,
          product_id: "PROD001",
          quantity,
          customer_id: "crash-victim",
        });
      // Crashed before storing: stock taken, no order.
      assert.equal((await reserve("crashed-before-store", 3)).status, 200);
      // Crashed after storing, before committing: stock taken, order stored.
      const reserved = await reserve("crashed-after-store", 2);
      assert.equal(reserved.status, 200);
      const { total_price, processed_at } = reserved.body as { total_price: number; processed_at: string };
      await system.api.orders.create({
        order_id: "crashed-after-store",
        product_id: "PROD001",
        quantity: 2,
        customer_id: "crash-victim",
        status: "confirmed",
        total_price,
        processed_at,
        created_at: processed_at,
      });

      await eventually(async () => {
        const product = await system.processor.inventory.product("PROD001");
        return product && Object.keys(product.holds ?? {}).length === 0;
      }, "the reconciler to settle both holds");
      assert.equal(
        await system.stockOf("PROD001"),
        98,
        "the 3 units of the lost order came back, the 2 sold did not",
      );
      assert.equal((await request(`${system.apiUrl}/orders/crashed-after-store`)).status, 200);
      const metrics = String((await request(`${system.apiUrl}/metrics`)).body);
      assert.match(
        metrics,
        /order_stock_holds_settled_total\{[^}]*action="release"[^}]*outcome="reconciled"[^}]*\} 1/,
      );
      assert.match(
        metrics,
        /order_stock_holds_settled_total\{[^}]*action="commit"[^}]*outcome="reconciled"[^}]*\} 1/,
      );
    });
  });
});
