import { strict as assert } from "node:assert";
import { type Dynalite, startDynalite } from "../../local/deps";
import { type JsonAnswer, type OrdersSystem, postJson, request, startOrdersSystem } from "./orders-fixtures";

describe("orders: concurrent orders never oversell", () => {
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

  it("200 concurrent 1-unit orders on stock 100: exactly 100 confirmed, stock 0, never negative", async () => {
    await system.putProduct({ product_id: "RUSH", price: 3, stock: 100 });
    const observedStock: number[] = [];
    let placing = true;
    const watcher = (async () => {
      while (placing) {
        const stock = await system.stockOf("RUSH");
        if (stock !== undefined) observedStock.push(stock);
      }
    })();

    const answers: JsonAnswer[] = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        postJson(`${system.apiUrl}/orders/`, { product_id: "RUSH", quantity: 1, customer_id: `rush-${i}` }),
      ),
    );
    placing = false;
    await watcher;

    const confirmed = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 400);
    const other = answers.filter((a) => a.status !== 200 && a.status !== 400);
    assert.deepEqual(
      other.map((a) => [a.status, a.body]),
      [],
      "every answer is a confirmation or a refusal",
    );
    assert.equal(confirmed.length, 100);
    assert.equal(refused.length, 100);
    for (const answer of confirmed) {
      const body = answer.body as { status: string; quantity: number; total_price: number };
      assert.equal(body.status, "confirmed");
      assert.equal(body.total_price, 3);
    }
    for (const answer of refused) assert.deepEqual(answer.body, { detail: "Insufficient inventory" });

    assert.equal(await system.stockOf("RUSH"), 0);
    assert.ok(observedStock.length > 0, "the watcher read the stock during the run");
    assert.ok(
      observedStock.every((stock) => stock >= 0),
      `stock went negative: ${observedStock.filter((s) => s < 0)}`,
    );

    // Every confirmation was stored under a distinct id.
    const ids = new Set(confirmed.map((a) => (a.body as { order_id: string }).order_id));
    assert.equal(ids.size, 100);
    for (const id of ids) assert.equal((await request(`${system.apiUrl}/orders/${id}`)).status, 200);
  });
});
