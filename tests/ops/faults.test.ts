import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { startTodo } from "../../apps/todo/src/todo-service";
import {
  type ActiveMq,
  type Dynalite,
  type MariaDb,
  type Redis,
  sharedDependencies,
  startActiveMq,
  startDynalite,
  startRedis,
} from "../../local/deps";
import { dynamoClient, scanTable } from "../../ops/backup/dynamodb";
import { type FaultReport, type FaultTarget, faultTable, runFault } from "../../ops/faults/run-fault";
import { type BuffsSystem, getBuffs, startBuffsSystem } from "../services/buffs-fixtures";
import { type OrdersSystem, startOrdersSystem } from "../services/orders-fixtures";
import { startSecureMariaDb, todoConfigFor } from "../services/todo-fixture";

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": randomUUID() },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });

function report(result: FaultReport): void {
  console.log(`\n      fault: ${result.fault}`);
  console.table(faultTable(result));
}

/** What every fault must show: no crash or 500, nothing acknowledged lost, recovery without a restart. */
function assertSurvived(result: FaultReport): void {
  assert.equal(result.unexpected, 0, `answers other than 2xx/503: ${JSON.stringify(result.statuses)}`);
  assert.deepEqual(result.lost, [], `${result.lost.length} acknowledged but not stored`);
  assert.ok(
    Number.isFinite(result.recoverMs),
    "the service never answered 2xx again after the dependency came back",
  );
  assert.ok(result.acknowledged > 0, "nothing was acknowledged at all");
}

function assertRefusedWhileDown(result: FaultReport): void {
  assert.equal(result.okWhileDown, 0, "a 2xx while the store was dead: a false success");
  assert.ok(result.unavailableWhileDown > 0, "no 503 while the dependency was dead: did the fault hit?");
}

describe("fault injection: kill each dependency under load, bring it back", function () {
  this.timeout(240_000);

  describe("MariaDB under todo (POST /todos)", () => {
    let db: MariaDb;
    let todo: Awaited<ReturnType<typeof startTodo>>;
    before(async () => {
      const secure = await startSecureMariaDb();
      db = secure.db;
      todo = await startTodo(todoConfigFor(db, secure.password), { logLevel: "silent" });
    });
    after(async () => {
      await todo?.close();
      await db?.stop();
    });

    it("answers 503 while MariaDB is dead, recovers by itself, loses nothing acknowledged", async () => {
      const target: FaultTarget = {
        name: "MariaDB killed (SIGKILL) under todo",
        async attempt(i) {
          const response = await post(`${todo.url}/todos`, { title: `fault drill ${i}` });
          const body = (await response.json()) as { id?: number };
          return { status: response.status, id: response.status === 201 ? String(body.id) : undefined };
        },
        async storedIds() {
          const rows = await db.query<{ id: number }[]>("SELECT id FROM todo.todos");
          return new Set(rows.map((r) => String(r.id)));
        },
        kill: () => db.kill(),
        restart: () => db.restart(),
      };
      const result = await runFault(target);
      report(result);
      assertSurvived(result);
      assertRefusedWhileDown(result);
    });
  });

  describe("Redis under buffs (POST /buff and GET /buffs)", () => {
    let redis: Redis;
    let system: BuffsSystem;
    before(async () => {
      const shared = await sharedDependencies();
      redis = await startRedis({ password: "fault-drill" });
      system = await startBuffsSystem({ mysql: shared.mysql, activemq: shared.activemq, redis });
    });
    after(async () => {
      await system?.close();
      await redis?.stop();
    });

    it("keeps serving from MySQL while Redis is dead; once it is back, serves every acknowledged Buff", async () => {
      const target: FaultTarget = {
        name: "Redis killed (SIGKILL) under buffs-server's cache",
        servesDuringOutage: true,
        async attempt(i) {
          if (i % 2 === 1) {
            const response = await fetch(`${system.server.url}/buffs`, {
              signal: AbortSignal.timeout(15_000),
            });
            if (response.status === 200)
              assert.ok(Array.isArray(await response.json()), "GET /buffs 200 without a list");
            return { status: response.status };
          }
          const response = await post(`${system.dashboard.url}/buff`, {
            question: `q${i}?`,
            answers: ["a", "b"],
          });
          const body = (await response.json()) as { id?: string };
          return { status: response.status, id: response.status === 200 ? body.id : undefined };
        },
        // what the service serves (through its cache), not only what MySQL holds
        async storedIds() {
          return new Set((await getBuffs(system.server.url)).map((b) => b.buffId ?? ""));
        },
        kill: () => redis.kill(),
        restart: () => redis.restart(),
      };
      const result = await runFault(target);
      report(result);
      assertSurvived(result);
      assert.ok(result.okWhileDown > 0, "no 2xx while Redis was dead: the cache is not optional");
    });
  });

  describe("ActiveMQ under buffs (POST /buff → queue → MySQL)", () => {
    let activemq: ActiveMq;
    let system: BuffsSystem;
    let mysql: MariaDb;
    before(async () => {
      const shared = await sharedDependencies();
      mysql = shared.mysql;
      activemq = await startActiveMq({});
      system = await startBuffsSystem({ mysql, redis: shared.redis, activemq });
    });
    after(async () => {
      await system?.close();
      await activemq?.stop();
    });

    it("answers 503 while the broker is dead; every acknowledged Buff reaches MySQL", async () => {
      const target: FaultTarget = {
        name: "ActiveMQ killed (SIGKILL) between buffs-dashboard and buffs-server",
        async attempt(i) {
          const response = await post(`${system.dashboard.url}/buff`, {
            question: `q${i}?`,
            answers: ["a", "b"],
          });
          const body = (await response.json()) as { id?: string };
          return { status: response.status, id: response.status === 200 ? body.id : undefined };
        },
        async storedIds() {
          const rows = await mysql.query<{ buff_id: string }[]>(
            `SELECT buff_id FROM \`${system.database}\`.buffs`,
          );
          return new Set(rows.map((r) => r.buff_id));
        },
        kill: () => activemq.kill(),
        restart: () => activemq.restart(),
      };
      const result = await runFault(target, { recoverTimeoutMs: 90_000 });
      report(result);
      assertSurvived(result);
      assertRefusedWhileDown(result);
    });
  });

  describe("dynalite under orders (POST /orders → order-processor → DynamoDB)", () => {
    let dynamo: Dynalite;
    let system: OrdersSystem;
    before(async () => {
      dynamo = await startDynalite({ createTableMs: 0 });
      system = await startOrdersSystem({ inventoryEndpoint: dynamo.endpoint });
      await system.putProduct({ product_id: "FAULT", price: 1, stock: 1_000_000 });
    });
    after(async () => {
      await system?.close();
      await dynamo?.stop();
    });

    it("answers 503 while DynamoDB is dead, recovers by itself, every confirmed order is stored", async () => {
      const target: FaultTarget = {
        name: "dynalite killed (SIGKILL) under order-api and order-processor",
        async attempt(i) {
          const response = await post(`${system.apiUrl}/orders/`, {
            product_id: "FAULT",
            quantity: 1,
            customer_id: `c${i}`,
          });
          const body = (await response.json()) as { order_id?: string };
          return { status: response.status, id: response.ok ? body.order_id : undefined };
        },
        async storedIds() {
          const client = dynamoClient(dynamo.endpoint);
          try {
            const items = await scanTable(client, system.tables.orders);
            return new Set(items.map((item) => item.order_id?.S ?? ""));
          } finally {
            client.destroy();
          }
        },
        kill: () => dynamo.kill(),
        restart: () => dynamo.restart(),
      };
      const result = await runFault(target);
      report(result);
      assertSurvived(result);
      assertRefusedWhileDown(result);
    });
  });
});
