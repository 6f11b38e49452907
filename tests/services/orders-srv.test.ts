import { strict as assert } from "node:assert";
import { Resolver } from "node:dns/promises";
import { pickSrvRecord, SrvDiscovery, type SrvRecord } from "../../apps/order-api/src/srv-discovery";
import { type Dynalite, freePort, startDynalite } from "../../local/deps";
import { type DnsStub, startDnsStub } from "../harness/dns-stub";
import { type OrdersSystem, postJson, startOrdersSystem } from "./orders-fixtures";

const record = (name: string, priority: number, weight: number, port = 8001): SrvRecord => ({
  name,
  port,
  priority,
  weight,
});

function resolverFor(stub: DnsStub): Resolver {
  const resolver = new Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([stub.server]);
  return resolver;
}

describe("orders: processor discovery through DNS SRV", () => {
  describe("pickSrvRecord (RFC 2782)", () => {
    it("only ever picks from the lowest priority value", () => {
      const records = [record("backup", 20, 100), record("main-a", 10, 1), record("main-b", 10, 1)];
      for (const r of [0, 0.25, 0.5, 0.99]) assert.match(pickSrvRecord(records, () => r).name, /^main-/);
    });

    it("picks in proportion to weight", () => {
      const records = [record("light", 1, 1), record("heavy", 1, 3)];
      assert.equal(pickSrvRecord(records, () => 0.2).name, "light"); // ticket 0.8 of 4 falls in [0, 1)
      assert.equal(pickSrvRecord(records, () => 0.3).name, "heavy"); // ticket 1.2 falls in [1, 4)
      assert.equal(pickSrvRecord(records, () => 0.999).name, "heavy");
    });

    it("spreads evenly when every weight is zero, and refuses an empty answer", () => {
      const records = [record("a", 1, 0), record("b", 1, 0)];
      assert.equal(pickSrvRecord(records, () => 0.1).name, "a");
      assert.equal(pickSrvRecord(records, () => 0.9).name, "b");
      assert.throws(() => pickSrvRecord([]), /no SRV records/);
    });
  });

  describe("SrvDiscovery against a DNS stub", () => {
    let stub: DnsStub;
    before(async () => {
      stub = await startDnsStub();
    });
    after(() => stub?.close());

    it("resolves SRV then A into a base URL, and caches both until they expire", async () => {
      stub.setSrv("svc.cache.test", [{ priority: 1, weight: 1, port: 9123, target: "task.cache.test" }]);
      stub.setA("task.cache.test", "127.0.0.7", 3);
      let clock = 1_000_000;
      const discovery = new SrvDiscovery("svc.cache.test", resolverFor(stub), {
        cacheMs: 10_000,
        now: () => clock,
      });
      const queriesBefore = stub.queries.length;
      assert.equal(await discovery.baseUrl(), "http://127.0.0.7:9123");
      assert.equal(await discovery.baseUrl(), "http://127.0.0.7:9123");
      assert.deepEqual(stub.queries.slice(queriesBefore), [
        { name: "svc.cache.test", type: "SRV" },
        { name: "task.cache.test", type: "A" },
      ]);

      clock += 3_001; // past the A record's 3 s TTL, within the SRV cache time
      stub.setA("task.cache.test", "127.0.0.8", 3);
      assert.equal(await discovery.baseUrl(), "http://127.0.0.8:9123");
      clock += 10_000; // past the SRV cache time
      stub.setSrv("svc.cache.test", [{ priority: 1, weight: 1, port: 9124, target: "task.cache.test" }]);
      assert.equal(await discovery.baseUrl(), "http://127.0.0.8:9124");
      assert.equal(stub.queries.slice(queriesBefore).filter((q) => q.type === "SRV").length, 2);
    });

    it("fails with the resolver's reason for a name that does not exist", async () => {
      const discovery = new SrvDiscovery("missing.cache.test", resolverFor(stub));
      await assert.rejects(discovery.baseUrl(), /ENOTFOUND/);
    });
  });

  describe("order-api with SRV_ENDPOINT", () => {
    const SRV_NAME = "order-processor.orders.local";
    let dynamodb: Dynalite;
    let stub: DnsStub;
    let system: OrdersSystem;
    let processorPort: number;
    let deadPort: number;

    before(async () => {
      [dynamodb, stub, deadPort] = await Promise.all([
        startDynalite({ createTableMs: 0 }),
        startDnsStub(),
        freePort(),
      ]);
      // Until the test publishes the processor, the record points at a port nobody listens on.
      stub.setSrv(SRV_NAME, [{ priority: 1, weight: 1, port: deadPort, target: "task-1.orders.local" }]);
      stub.setA("task-1.orders.local", "127.0.0.1", 30);
      system = await startOrdersSystem({
        inventoryEndpoint: dynamodb.endpoint,
        srvEndpoint: SRV_NAME,
        resolver: resolverFor(stub),
        // SRV wins over the URL: this one would fail if it were used.
        processorUrl: `http://127.0.0.1:${deadPort}`,
      });
      processorPort = Number(new URL(system.processorUrl).port);
    });
    after(async () => {
      await system?.close();
      await stub?.close();
      await dynamodb?.stop();
    });

    it("answers 503 while the record points at a dead target", async () => {
      const answer = await postJson(`${system.apiUrl}/orders/`, {
        product_id: "PROD001",
        quantity: 1,
        customer_id: "c",
      });
      assert.equal(answer.status, 503);
      assert.deepEqual(answer.body, { detail: "Order processor unavailable" });
    });

    it("after a failed connection, looks the record up again and reaches the processor it now names", async () => {
      stub.setSrv(SRV_NAME, [
        { priority: 1, weight: 1, port: processorPort, target: "task-1.orders.local" },
        { priority: 5, weight: 1, port: deadPort, target: "task-1.orders.local" },
      ]);
      const queriesBefore = stub.queries.length;
      const answer = await postJson(`${system.apiUrl}/orders/`, {
        product_id: "PROD001",
        quantity: 1,
        customer_id: "c",
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal((answer.body as { status: string }).status, "confirmed");
      assert.ok(
        stub.queries.slice(queriesBefore).some((q) => q.name === SRV_NAME && q.type === "SRV"),
        "order-api queried the SRV record again",
      );
      assert.equal(await system.stockOf("PROD001"), 99);
    });

    it("answers 503 when the SRV name does not resolve", async () => {
      const lost = await startOrdersSystem({
        inventoryEndpoint: dynamodb.endpoint,
        srvEndpoint: "nobody.orders.local",
        resolver: resolverFor(stub),
      });
      try {
        const answer = await postJson(`${lost.apiUrl}/orders/`, {
          product_id: "PROD001",
          quantity: 1,
          customer_id: "c",
        });
        assert.equal(answer.status, 503);
        assert.deepEqual(answer.body, { detail: "Order processor unavailable" });
      } finally {
        await lost.close();
      }
    });
  });
});
