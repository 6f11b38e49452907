import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { catalog } from "../../catalog";
import { waitUntil } from "../../local/deps";
import { LocalSystemRun } from "./local-system-run";

/**
 * Layer 5: the whole system as `npm start` runs it (real MariaDB, Redis, ActiveMQ, dynalite and
 * every service and worker of the catalog), checked through the endpoints the runner wrote.
 */

const READY_TIMEOUT_MS = 120_000;
const running = catalog.filter((s) => s.kind !== "job");

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => unknown;
}

async function call(url: string, init: RequestInit & { json?: unknown } = {}): Promise<Answer> {
  const { json, ...rest } = init;
  const response = await fetch(url, {
    ...rest,
    ...(json === undefined
      ? {}
      : { body: JSON.stringify(json), headers: { "content-type": "application/json", ...rest.headers } }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** Polls `probe` until it returns a value (not undefined); fails naming `what` at the deadline. */
async function eventually<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  let found: T | undefined;
  await waitUntil(
    async () => {
      found = await probe();
      return found !== undefined;
    },
    { what, timeoutMs, intervalMs: 250 },
  );
  return found as T;
}

describe("the whole system (npm start)", function () {
  this.timeout(60_000);
  const run = new LocalSystemRun();
  const url = (service: string) => {
    const base = run.endpoints[service];
    assert.ok(base, `${service} is not in endpoints.json: ${JSON.stringify(run.endpoints)}`);
    return base;
  };

  before(async function () {
    this.timeout(READY_TIMEOUT_MS + 90_000);
    await run.start(READY_TIMEOUT_MS);
  });

  after(async function () {
    this.timeout(120_000);
    try {
      const code = await run.interrupt(60_000);
      assert.equal(code, 0, `the runner exited with ${code} after SIGINT:\n${run.output.slice(-4000)}`);
      assert.equal(existsSync(join(run.stateDir, "endpoints.json")), false, "endpoints.json left behind");
      const left = await run.leftovers(15_000);
      assert.deepEqual(left, [], `processes of the run still alive after SIGINT:\n${left.join("\n")}`);
      // Start-up, every request above and shutdown: no process logged an error or crashed.
      assert.deepEqual(run.errorLines(), []);
    } finally {
      run.removeStateDir();
    }
  });

  it("brings up every dependency and every service and worker of the catalog", () => {
    const expected = ["mysql", "redis", "activemq", "dynamodb", ...running.map((s) => s.name)];
    const missing = expected.filter((name) => !run.endpoints[name]);
    assert.deepEqual(missing, [], `not up: ${missing.join(", ")}\n${run.output.slice(-4000)}`);
    assert.match(run.output, /All up in [\d.]+ s/);
  });

  describe("every service: probes, metrics, unknown routes", () => {
    for (const service of running) {
      it(`${service.name}: liveness, readiness and metrics answer 200; an unknown route is 404 JSON`, async () => {
        const base = url(service.name);
        for (const path of [service.health.liveness, service.health.readiness]) {
          const probe = await call(`${base}${path}`);
          assert.equal(probe.status, 200, `${path}: ${probe.text}`);
        }
        const metrics = await call(`${base}${service.metricsPath}`);
        assert.equal(metrics.status, 200);
        assert.match(metrics.text, /^http_requests_total\{/m);
        const unknown = await call(`${base}/no-such-route-${randomUUID()}`);
        assert.equal(unknown.status, 404);
        assert.match(unknown.headers.get("content-type") ?? "", /^application\/json/);
        assert.equal(typeof unknown.json(), "object");
      });
    }
  });

  describe("buffs", () => {
    const authorization = (): Record<string, string> => {
      const token = run.serviceEnv("buffs-dashboard").DASHBOARD_TOKEN;
      return token ? { authorization: `Bearer ${token}` } : {};
    };

    it("a Buff posted to the dashboard is listed by the server", async () => {
      const buff = { question: `system test ${randomUUID()}?`, answers: ["yes", "no"] };
      const posted = await call(`${url("buffs-dashboard")}/buff`, {
        method: "POST",
        json: buff,
        headers: authorization(),
      });
      assert.equal(posted.status, 200, posted.text);
      const { id, ...echoed } = posted.json() as { id: string; question: string; answers: string[] };
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(echoed, buff);

      type Listed = { ID: number; CreatedAt: string; UpdatedAt: string; buffId: string } & typeof buff;
      const listed = await eventually("the Buff in GET /buffs", 30_000, async () => {
        const list = await call(`${url("buffs-server")}/buffs`);
        assert.equal(list.status, 200, list.text);
        return (list.json() as Listed[]).find((b) => b.buffId === id);
      });
      assert.ok(Number.isInteger(listed.ID) && listed.ID > 0);
      assert.ok(!Number.isNaN(Date.parse(listed.CreatedAt)) && !Number.isNaN(Date.parse(listed.UpdatedAt)));
      assert.equal(listed.question, buff.question);
      assert.deepEqual(listed.answers, buff.answers);
    });

    it("a bad Buff is 400 with the reason; a wrong method is 405 with Allow", async () => {
      const bad = await call(`${url("buffs-dashboard")}/buff`, {
        method: "POST",
        json: { question: "who?", answers: ["only one"] },
        headers: authorization(),
      });
      assert.equal(bad.status, 400);
      assert.match((bad.json() as { error: string }).error, /answers/);
      const wrongMethod = await call(`${url("buffs-dashboard")}/buff`, { method: "GET" });
      assert.equal(wrongMethod.status, 405);
      assert.equal(wrongMethod.headers.get("allow"), "POST");
    });

    it("the request id travels from the dashboard through the queue into the server's log", async () => {
      const requestId = `sys-test-${randomUUID()}`;
      const posted = await call(`${url("buffs-dashboard")}/buff`, {
        method: "POST",
        json: { question: `traced ${requestId}?`, answers: ["a", "b"] },
        headers: { ...authorization(), "x-request-id": requestId },
      });
      assert.equal(posted.status, 200, posted.text);
      assert.equal(posted.headers.get("x-request-id"), requestId);
      const serverLog = join(run.logsDir, "buffs-server.log");
      await eventually(`"reqId":"${requestId}" in ${serverLog}`, 30_000, async () =>
        existsSync(serverLog) && readFileSync(serverLog, "utf8").includes(`"reqId":"${requestId}"`)
          ? true
          : undefined,
      );
    });
  });

  describe("call events", () => {
    const event = () => ({
      call_id: `sys-${Date.now()}.${Math.floor(Math.random() * 1e5)}`,
      code: "123456",
      type: "call.new",
      direction: "inbound",
      our_number: "0800000000",
      their_number: "11999990000",
      timestamp: new Date().toISOString(),
    });
    type Count = { window_minutes: number; total: number; by_type: Record<string, number> };
    const count = async (): Promise<Count> => {
      const answer = await call(`${url("call-webhook")}/webhook/last-30-minutes`);
      assert.equal(answer.status, 200, answer.text);
      return answer.json() as Count;
    };

    it("a stored event is counted in the last 30 minutes", async () => {
      const before = await count();
      const stored = await call(`${url("call-webhook")}/webhook`, { method: "POST", json: event() });
      assert.equal(stored.status, 200, stored.text);
      assert.deepEqual(stored.json(), { status: "stored" });
      const after = await count();
      assert.equal(after.window_minutes, 30);
      assert.equal(after.total, before.total + 1);
      assert.equal(after.by_type["call.new"], (before.by_type["call.new"] ?? 0) + 1);
    });

    it("an invalid event is 400 naming the field", async () => {
      const invalid = await call(`${url("call-webhook")}/webhook`, {
        method: "POST",
        json: { ...event(), direction: "sideways" },
      });
      assert.equal(invalid.status, 400);
      assert.match((invalid.json() as { error: string }).error, /direction/);
    });
  });

  describe("orders", () => {
    it("an order for PROD001 is confirmed and can be read back", async () => {
      const placed = await call(`${url("order-api")}/orders/`, {
        method: "POST",
        json: { product_id: "PROD001", quantity: 1, customer_id: "system-test" },
      });
      assert.equal(placed.status, 200, placed.text);
      const order = placed.json() as Record<string, unknown>;
      assert.deepEqual(Object.keys(order).sort(), [
        "created_at",
        "customer_id",
        "order_id",
        "processed_at",
        "product_id",
        "quantity",
        "status",
        "total_price",
      ]);
      assert.equal(order.status, "confirmed");
      assert.equal(order.total_price, 29);
      assert.equal(order.quantity, 1);
      const read = await call(`${url("order-api")}/orders/${order.order_id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.json(), order);
    });

    it("an unknown order is 404 and an order beyond the stock is 400", async () => {
      const unknown = await call(`${url("order-api")}/orders/${randomUUID()}`);
      assert.equal(unknown.status, 404);
      assert.deepEqual(unknown.json(), { detail: "Order not found" });
      const tooMany = await call(`${url("order-api")}/orders/`, {
        method: "POST",
        json: { product_id: "PROD001", quantity: 10_000, customer_id: "system-test" },
      });
      assert.equal(tooMany.status, 400);
      assert.deepEqual(tooMany.json(), { detail: "Insufficient inventory" });
    });
  });

  describe("todo", () => {
    it("creates, lists, completes and deletes a task", async () => {
      const todo = url("todo");
      const title = `system test ${randomUUID()}`;
      const created = await call(`${todo}/todos`, { method: "POST", json: { title } });
      assert.equal(created.status, 201, created.text);
      const task = created.json() as { id: number; title: string; done: boolean };
      assert.equal(task.title, title);
      assert.equal(task.done, false);

      const list = await call(`${todo}/todos`);
      assert.ok((list.json() as { id: number }[]).some((t) => t.id === task.id));

      const patched = await call(`${todo}/todos/${task.id}`, { method: "PATCH", json: { done: true } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal((patched.json() as { done: boolean }).done, true);

      const deleted = await call(`${todo}/todos/${task.id}`, { method: "DELETE" });
      assert.equal(deleted.status, 204);
      assert.equal((await call(`${todo}/todos/${task.id}`)).status, 404);
    });

    it("serves the page at /", async () => {
      const page = await call(`${url("todo")}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
      assert.match(page.text, /^<!doctype html>/i);
    });
  });

  describe("oversupply", () => {
    it("a registration through the frontend's /api is matched with a recommendation", async () => {
      const bestBefore = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
      const registered = await call(`${url("oversupply-frontend")}/api/oversupply`, {
        method: "POST",
        json: {
          partner: "system test bakery",
          category: "bakery",
          item: "bread",
          quantity: 20,
          unit: "kg",
          location: { lat: 52.37, lon: 4.9 },
          bestBefore,
        },
      });
      assert.equal(registered.status, 202, registered.text);
      const { id } = registered.json() as { id: string };
      assert.match(id, /^[0-9a-f-]{36}$/);

      type Status = { status: string; recommendation: { partner: { id: string }; score: number } | null };
      const matched = await eventually("the registration to be matched", 45_000, async () => {
        const answer = await call(`${url("oversupply-frontend")}/api/oversupply/${id}`);
        assert.equal(answer.status, 200, answer.text);
        const status = answer.json() as Status;
        return status.status === "pending" ? undefined : status;
      });
      assert.equal(matched.status, "matched", JSON.stringify(matched));
      assert.ok(matched.recommendation?.partner.id);
      assert.ok(matched.recommendation.score > 0 && matched.recommendation.score <= 1);
    });
  });
});
