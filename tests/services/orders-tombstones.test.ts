import { strict as assert } from "node:assert";
import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { tombstoneRetentionSeconds } from "../../apps/order-api/src/reconciler";
import { type Hold, InventoryRepository } from "../../apps/order-processor/src/inventory";
import { createDynamoClient, documentClientFor } from "../../lib/dynamodb";
import { type Dynalite, startDynalite } from "../../local/deps";
import { eventually, type OrdersSystem, postJson, request, startOrdersSystem } from "./orders-fixtures";

const HOUR_MS = 3_600_000;

function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

/** `count` tombstones named `<prefix>-<i>`, released `ageMs` ago. */
function tombstones(prefix: string, count: number, ageMs: number): Record<string, Hold> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `${prefix}-${i}`,
      { state: "released", quantity: 0, at: ago(ageMs) } satisfies Hold,
    ]),
  );
}

describe("orders: released tombstones are pruned", () => {
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

  const holdsOf = async (productId: string) =>
    (await system.processor.inventory.product(productId))?.holds ?? {};

  it("keeps tombstones for the in-flight bound plus a 10 minute margin", () => {
    assert.equal(tombstoneRetentionSeconds(120, 5_000), 720);
    assert.equal(tombstoneRetentionSeconds(30, 60_000), 670);
    assert.equal(tombstoneRetentionSeconds(0, 5_000), 615);
  });

  it("a reconcile pass removes tombstones older than the retention and keeps newer ones", async () => {
    await system.putProduct({
      product_id: "TOMB",
      price: 1,
      stock: 10,
      holds: { ...tombstones("old", 3, 2 * HOUR_MS), ...tombstones("fresh", 2, 60_000) },
    });
    const report = await system.api.reconciler.runOnce();
    assert.equal(report.tombstonesPruned, 3);
    assert.deepEqual(Object.keys(await holdsOf("TOMB")).sort(), ["fresh-0", "fresh-1"]);
    assert.equal(await system.stockOf("TOMB"), 10, "pruning never touches stock");

    // A fresh tombstone still refuses its late reservation.
    const late = await postJson(`${system.processorUrl}/process-order`, {
      order_id: "fresh-0",
      product_id: "TOMB",
      quantity: 1,
      customer_id: "late",
    });
    assert.equal(late.status, 409);

    const metrics = String((await request(`${system.processorUrl}/metrics`)).body);
    assert.match(metrics, /^inventory_tombstones_pruned_total\{[^}]*\} 3$/m);
    assert.match(metrics, /^inventory_tombstones_max\{[^}]*\} 2$/m);
  });

  it("the processor refuses to prune tombstones younger than 60 s", async () => {
    const answer = await postJson(`${system.processorUrl}/prune-tombstones`, { older_than_seconds: 5 });
    assert.equal(answer.status, 422);
    assert.match((answer.body as { detail: string }).detail, /at least 60/);
  });

  it("an order placed between the scan and the conditional removal is neither lost nor double-counted", async () => {
    await system.putProduct({
      product_id: "RACE",
      price: 2,
      stock: 20,
      holds: tombstones("old", 45, 2 * HOUR_MS),
    });
    // A repository whose first REMOVE waits until an order has gone through on the same item:
    // the scan saw the item before the order, the conditional write lands after it.
    const client = createDynamoClient({ endpoint: dynamodb.endpoint });
    const real = documentClientFor(client);
    let interleaved: Promise<unknown> | undefined;
    const racing = {
      send: async (command: unknown) => {
        if (
          command instanceof UpdateCommand &&
          command.input.UpdateExpression?.startsWith("REMOVE") &&
          interleaved === undefined
        ) {
          interleaved = postJson(`${system.apiUrl}/orders/`, {
            product_id: "RACE",
            quantity: 3,
            customer_id: "racer",
          });
          const placed = (await interleaved) as { status: number };
          assert.equal(placed.status, 200);
        }
        return real.send(command as UpdateCommand);
      },
    } as unknown as DynamoDBDocumentClient;
    try {
      const pruner = new InventoryRepository(racing, system.tables.inventory);
      const report = await pruner.pruneTombstones(new Date(Date.now() - HOUR_MS), 1_000);
      assert.ok(interleaved, "an order ran between the scan and the removal");
      assert.equal(report.pruned, 45);
      assert.notEqual(report.largest?.product_id, "RACE", "no tombstone is left on RACE");
    } finally {
      client.destroy();
    }
    assert.equal(await system.stockOf("RACE"), 17, "the order's 3 units were taken once");
    await eventually(async () => Object.keys(await holdsOf("RACE")).length === 0, "the order's commit");
    assert.equal(await system.stockOf("RACE"), 17);
  });

  it("a batch another pruner removed first is skipped, not an error", async () => {
    await system.putProduct({
      product_id: "TWICE",
      price: 1,
      stock: 5,
      holds: tombstones("t", 3, 2 * HOUR_MS),
    });
    const cutoff = new Date(Date.now() - HOUR_MS);
    const [a, b] = await Promise.all([
      system.processor.inventory.pruneTombstones(cutoff, 1_000),
      system.processor.inventory.pruneTombstones(cutoff, 1_000),
    ]);
    assert.equal(a.pruned + b.pruned, 3);
    assert.deepEqual(await holdsOf("TWICE"), {});
  });

  it("orders placed while passes prune 120 tombstones: every order counted once, every old tombstone gone", async () => {
    await system.putProduct({
      product_id: "BUSY",
      price: 1,
      stock: 100,
      holds: { ...tombstones("old", 120, 2 * HOUR_MS), ...tombstones("fresh", 4, 60_000) },
    });
    let placing = true;
    let prunedTotal = 0;
    const pruning = (async () => {
      while (placing) {
        const answer = await postJson(`${system.processorUrl}/prune-tombstones`, {
          older_than_seconds: 3_600,
          limit: 30,
        });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        prunedTotal += (answer.body as { pruned: number }).pruned;
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        postJson(`${system.apiUrl}/orders/`, { product_id: "BUSY", quantity: 1, customer_id: `busy-${i}` }),
      ),
    );
    placing = false;
    await pruning;
    assert.deepEqual(
      answers.filter((a) => a.status !== 200).map((a) => [a.status, a.body]),
      [],
    );
    const pruneRest = await postJson(`${system.processorUrl}/prune-tombstones`, {
      older_than_seconds: 3_600,
    });
    prunedTotal += (pruneRest.body as { pruned: number }).pruned;
    assert.equal(prunedTotal, 120);
    assert.equal(await system.stockOf("BUSY"), 60);
    await eventually(
      async () => Object.keys(await holdsOf("BUSY")).every((id) => id.startsWith("fresh-")),
      "every order's hold to be committed",
    );
    assert.equal(Object.keys(await holdsOf("BUSY")).length, 4, "the fresh tombstones stay");
    const ids = new Set(answers.map((a) => (a.body as { order_id: string }).order_id));
    assert.equal(ids.size, 40);
  });
});
