import assert from "node:assert/strict";
import { type Dashboard, startDashboard } from "../../apps/buffs-dashboard/src/dashboard";
import type { BuffRepository } from "../../apps/buffs-server/src/buff-repository";
import type { StompClient, StompMessage } from "../../lib/stomp";
import { type SharedDependencies, sharedDependencies } from "../../local/deps";
import {
  type BuffsSystem,
  connectedClient,
  eventually,
  getBuffs,
  metric,
  postBuff,
  startBuffsSystem,
  uniqueName,
} from "./buffs-fixtures";

describe("buffs: dashboard and server on real MariaDB, Redis and ActiveMQ", function () {
  this.timeout(180_000);
  let deps: SharedDependencies;
  let system: BuffsSystem;
  let client: StompClient;

  before(async () => {
    deps = await sharedDependencies();
    system = await startBuffsSystem(deps);
    client = await connectedClient(deps.activemq);
  });
  after(async () => {
    await client?.close();
    await system?.close();
  });

  const rows = async (where = "1=1") =>
    deps.mysql.query<{ n: number }[]>(
      `SELECT COUNT(*) AS n FROM \`${system.database}\`.buffs WHERE ${where}`,
    );

  it("a posted Buff is published, stored and served with the original's fields", async () => {
    const response = await postBuff(system.dashboard.url, { question: "who", answers: ["me", "you"] });
    assert.equal(response.status, 200);
    const accepted = (await response.json()) as { id: string; question: string; answers: string[] };
    assert.match(accepted.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { question: accepted.question, answers: accepted.answers },
      { question: "who", answers: ["me", "you"] },
    );

    const served = await eventually("the posted Buff to be served", async () =>
      (await getBuffs(system.server.url)).find((b) => b.buffId === accepted.id),
    );
    assert.equal(typeof served.ID, "number");
    assert.ok(!Number.isNaN(Date.parse(served.CreatedAt)), "CreatedAt is a timestamp");
    assert.ok(!Number.isNaN(Date.parse(served.UpdatedAt)), "UpdatedAt is a timestamp");
    assert.equal(served.DeletedAt, null);
    assert.equal(served.question, "who");
    assert.deepEqual(served.answers, ["me", "you"]);
    assert.equal(await metric(system.dashboard.url, "buffs_published_total"), 1);
    await eventually(
      "the queue latency of the stored Buff to be measured",
      async () => (await metric(system.server.url, "buffs_queue_latency_seconds_count")) === 1,
    );
  });

  it("the dashboard answers 400 with a reason for every invalid field, and publishes none of them", async () => {
    const publishedBefore = await metric(system.dashboard.url, "buffs_published_total");
    const cases: [unknown, RegExp][] = [
      ["{not json", /malformed JSON/],
      [[], /body must be a JSON object/],
      [{ answers: ["a", "b"] }, /question is required/],
      [{ question: 1, answers: ["a", "b"] }, /question must be a string/],
      [{ question: " ", answers: ["a", "b"] }, /question must not be empty/],
      [{ question: "q".repeat(501), answers: ["a", "b"] }, /question must be at most 500 characters/],
      [{ question: "who" }, /answers is required/],
      [{ question: "who", answers: { a: 1 } }, /answers must be an array of strings/],
      [{ question: "who", answers: ["only"] }, /answers must have 2 to 10 items/],
      [{ question: "who", answers: ["a", null] }, /answers\[1\] must be a string/],
      [{ question: "who", answers: ["a", " "] }, /answers\[1\] must not be empty/],
      [{ question: "who", answers: ["a", "a"] }, /answers\[1\] repeats/],
    ];
    for (const [body, reason] of cases) {
      const response = await postBuff(system.dashboard.url, body);
      assert.equal(response.status, 400, `status for ${JSON.stringify(body)}`);
      assert.match(((await response.json()) as { error: string }).error, reason);
    }
    const huge = await postBuff(system.dashboard.url, { question: "q", answers: ["a", "b".repeat(70_000)] });
    assert.equal(huge.status, 413);
    const text = await fetch(`${system.dashboard.url}/buff`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "who",
    });
    assert.equal(text.status, 415);
    assert.equal(await metric(system.dashboard.url, "buffs_published_total"), publishedBefore);
  });

  it("wrong methods get 405 with Allow, unknown routes 404, on both services", async () => {
    const getBuff = await fetch(`${system.dashboard.url}/buff`);
    assert.equal(getBuff.status, 405);
    assert.match(getBuff.headers.get("allow") ?? "", /POST/);
    const postBuffs = await fetch(`${system.server.url}/buffs`, { method: "POST" });
    assert.equal(postBuffs.status, 405);
    assert.match(postBuffs.headers.get("allow") ?? "", /GET/);
    assert.equal((await fetch(`${system.server.url}/nothing`)).status, 404);
    assert.equal((await fetch(`${system.dashboard.url}/nothing`)).status, 404);
  });

  it("both services expose liveness, readiness and metrics", async () => {
    for (const url of [system.dashboard.url, system.server.url]) {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      const ready = await eventually(`${url} to be ready`, async () => {
        const response = await fetch(`${url}/readyz`);
        return response.status === 200 ? response : undefined;
      });
      assert.equal(((await ready.json()) as { status: string }).status, "ready");
      assert.match(await (await fetch(`${url}/metrics`)).text(), /http_requests_total/);
    }
    const serverReady = (await (await fetch(`${system.server.url}/readyz`)).json()) as { checks: object };
    assert.deepEqual(serverReady.checks, { mysql: "ok", broker: "ok" });
  });

  it("a redelivered message (same buff-id) is stored once", async () => {
    const body = JSON.stringify({ id: "dup-1", question: "twice?", answers: ["yes", "no"] });
    await client.send(system.destination, body, { "buff-id": "dup-1" });
    await client.send(system.destination, body, { "buff-id": "dup-1" });
    await eventually("the second copy to be acknowledged as a duplicate", async () =>
      (await metric(system.server.url, "buffs_consumed_total", { outcome: "duplicate" })) >= 1
        ? true
        : undefined,
    );
    const [count] = await rows("buff_id = 'dup-1'");
    assert.equal(Number(count!.n), 1);
  });

  it("a client retrying with the same Idempotency-Key gets one Buff", async () => {
    const key = `retry-${Date.now()}`;
    const duplicatesBefore = await metric(system.server.url, "buffs_consumed_total", {
      outcome: "duplicate",
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await postBuff(
        system.dashboard.url,
        { question: "retried?", answers: ["a", "b"] },
        { "idempotency-key": key },
      );
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { id: string }).id, key);
    }
    await eventually("the two retries to be acknowledged as duplicates", async () =>
      (await metric(system.server.url, "buffs_consumed_total", { outcome: "duplicate" })) >=
      duplicatesBefore + 2
        ? true
        : undefined,
    );
    const [count] = await rows(`buff_id = '${key}'`);
    assert.equal(Number(count!.n), 1);
    const bad = await postBuff(
      system.dashboard.url,
      { question: "q", answers: ["a", "b"] },
      { "idempotency-key": "has space" },
    );
    assert.equal(bad.status, 400);
  });

  it("a message from a legacy producer without an id is stored once, keyed by the broker's message-id", async () => {
    await client.send(system.destination, JSON.stringify({ question: "legacy?", answers: ["a", "b"] }));
    const served = await eventually("the legacy Buff to be served", async () =>
      (await getBuffs(system.server.url)).find((b) => b.question === "legacy?"),
    );
    assert.match(served.buffId ?? "", /^ID:/);
  });

  it("poison messages go to the dead-letter queue, are counted, and consumption goes on", async () => {
    const deadLetters: { body: string; headers: Record<string, string> }[] = [];
    client.subscribe(system.deadLetterDestination, async (message) => {
      deadLetters.push(message);
    });
    await client.send(system.destination, "{not json", { "buff-id": "poison-1" });
    await client.send(system.destination, JSON.stringify({ question: "no answers" }), {
      "buff-id": "poison-2",
    });
    await client.send(system.destination, JSON.stringify({ question: "after poison", answers: ["a", "b"] }), {
      "buff-id": "after-poison",
    });
    await eventually("both poison messages on the dead-letter queue", () => deadLetters.length >= 2);
    assert.deepEqual(
      deadLetters.map((m) => m.body).sort(),
      ["{not json", JSON.stringify({ question: "no answers" })].sort(),
    );
    const reasons = deadLetters.map((m) => m.headers["dead-letter-reason"]).sort();
    assert.match(reasons.join("|"), /answers is required/);
    assert.match(reasons.join("|"), /body is not JSON/);
    // Counted once the broker confirmed the dead letter, which can be just after it was delivered.
    await eventually(
      "both dead letters to be counted",
      async () => (await metric(system.server.url, "buffs_dead_lettered_total", { reason: "invalid" })) === 2,
    );
    await eventually("the valid Buff after the poison to be served", async () =>
      (await getBuffs(system.server.url)).some((b) => b.buffId === "after-poison"),
    );
    const [poisonRows] = await rows("buff_id LIKE 'poison-%'");
    assert.equal(Number(poisonRows!.n), 0);
  });

  it("GET /buffs fills its Redis key with a 10 s TTL, and a stored Buff invalidates it", async () => {
    const redis = system.server.redis;
    await redis.del(system.cacheKey);
    // A read that overlaps the invalidation of an earlier Buff rightly skips the fill: read again.
    const { first, ttl } = await eventually("GET /buffs to fill the cache", async () => {
      const list = await getBuffs(system.server.url);
      const seconds = await redis.ttl(system.cacheKey);
      return seconds > 0 ? { first: list, ttl: seconds } : undefined;
    });
    assert.ok(ttl <= 10, `TTL is ${ttl}`);
    assert.deepEqual(JSON.parse((await redis.get(system.cacheKey)) ?? "null"), first);
    const hitsBefore = await metric(system.server.url, "buffs_cache_requests_total", { result: "hit" });
    await getBuffs(system.server.url);
    assert.equal(
      await metric(system.server.url, "buffs_cache_requests_total", { result: "hit" }),
      hitsBefore + 1,
    );

    const response = await postBuff(system.dashboard.url, { question: "fresh?", answers: ["a", "b"] });
    const { id } = (await response.json()) as { id: string };
    await eventually("the new Buff to be served despite the cache", async () =>
      (await getBuffs(system.server.url)).some((b) => b.buffId === id),
    );
  });
});

describe("buffs: the dashboard's bearer token", function () {
  this.timeout(120_000);
  let system: BuffsSystem;
  before(async () => {
    system = await startBuffsSystem(await sharedDependencies(), { token: "s3cret-token" });
  });
  after(() => system?.close());

  it("answers 401 with WWW-Authenticate without the token or with a wrong one", async () => {
    const buff = { question: "who", answers: ["me", "you"] };
    const missing = await postBuff(system.dashboard.url, buff);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get("www-authenticate"), 'Bearer realm="buffs-dashboard"');
    const wrong = await postBuff(system.dashboard.url, buff, { authorization: "Bearer s3cret-tokeN" });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    const basic = await postBuff(system.dashboard.url, buff, { authorization: "Basic dXNlcjpwYXNz" });
    assert.equal(basic.status, 401);
    assert.match(basic.headers.get("www-authenticate") ?? "", /error="invalid_request"/);
    assert.equal(await metric(system.dashboard.url, "buffs_rejected_total", { reason: "unauthorized" }), 3);
    assert.equal(await metric(system.dashboard.url, "buffs_published_total"), 0);
  });

  it("accepts the right token, and leaves the probes open", async () => {
    const ok = await eventually("the dashboard to accept a Buff", async () => {
      const response = await postBuff(
        system.dashboard.url,
        { question: "who", answers: ["me", "you"] },
        { authorization: "Bearer s3cret-token" },
      );
      return response.status === 200 ? response : undefined;
    });
    assert.equal(ok.status, 200);
    assert.equal((await fetch(`${system.dashboard.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${system.dashboard.url}/metrics`)).status, 200);
  });
});

describe("buffs: concurrent cache misses", function () {
  this.timeout(120_000);
  let system: BuffsSystem;
  let listCalls = 0;
  let release: () => void = () => {};
  let gate = Promise.resolve();

  before(async () => {
    system = await startBuffsSystem(await sharedDependencies(), {
      server: {
        // Holds every database read until the test releases it, so all requests miss together.
        wrapRepository: (repository: BuffRepository): BuffRepository => ({
          insert: (buff) => repository.insert(buff),
          ping: () => repository.ping(),
          list: async () => {
            listCalls++;
            await gate;
            return repository.list();
          },
        }),
      },
    });
  });
  after(() => system?.close());

  it("cause one database read, not one per request", async () => {
    await system.server.redis.del(system.cacheKey);
    gate = new Promise((resolve) => {
      release = resolve;
    });
    listCalls = 0;
    const missesBefore = await metric(system.server.url, "buffs_cache_requests_total", { result: "miss" });
    const requests = Array.from({ length: 30 }, () => fetch(`${system.server.url}/buffs`));
    await eventually(
      "all 30 requests to miss the cache",
      async () =>
        (await metric(system.server.url, "buffs_cache_requests_total", { result: "miss" })) ===
        missesBefore + 30,
    );
    release();
    const responses = await Promise.all(requests);
    const bodies = await Promise.all(responses.map((r) => r.text()));
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(30).fill(200),
    );
    assert.equal(new Set(bodies).size, 1);
    assert.equal(listCalls, 1);
    assert.equal(await metric(system.server.url, "buffs_database_reads_total"), 1);
  });
});

describe("buffs: the message the dashboard publishes", function () {
  this.timeout(120_000);
  let dashboard: Dashboard | undefined;
  let client: StompClient | undefined;
  after(async () => {
    await client?.close();
    await dashboard?.close();
  });

  it("carries the Buff with its id in the body and the buff-id and x-request-id headers, persistently", async () => {
    const deps = await sharedDependencies();
    const destination = `/queue/${uniqueName("buffs_contract")}`;
    dashboard = await startDashboard(
      {
        port: 0,
        mq: {
          host: deps.activemq.host,
          port: deps.activemq.stompPort,
          login: deps.activemq.user,
          passcode: deps.activemq.password,
          tls: false,
        },
        destination,
      },
      { logLevel: "warn" },
    );
    await dashboard.bus.whenConnected(60_000);
    const response = await postBuff(
      dashboard.url,
      { question: "who", answers: ["me", "you"], ignored: true },
      { "x-request-id": "trace-buffs-1" },
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-request-id"), "trace-buffs-1");
    const { id } = (await response.json()) as { id: string };

    client = await connectedClient(deps.activemq);
    const received: StompMessage[] = [];
    client.subscribe(destination, async (message) => {
      received.push(message);
    });
    const [message] = await eventually("the published message", () =>
      received.length > 0 ? received : undefined,
    );
    assert.deepEqual(JSON.parse(message!.body), { id, question: "who", answers: ["me", "you"] });
    assert.equal(message!.headers["buff-id"], id);
    assert.equal(message!.headers["x-request-id"], "trace-buffs-1");
    assert.equal(message!.headers.persistent, "true");
  });
});
