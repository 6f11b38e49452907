import assert from "node:assert/strict";
import {
  type ActiveMq,
  type MariaDb,
  type Redis,
  startActiveMq,
  startMariaDb,
  startRedis,
} from "../../local/deps";
import {
  type BuffsSystem,
  connectedClient,
  eventually,
  getBuffs,
  metric,
  postBuff,
  queueStatistics,
  startBuffsSystem,
  uniqueName,
} from "./buffs-fixtures";

/** Each dependency killed here is this suite's own, so other suites keep theirs. */
describe("buffs: a dependency goes down", function () {
  this.timeout(300_000);
  let mysql: MariaDb;
  let redis: Redis;
  let activemq: ActiveMq;

  before(async () => {
    [mysql, redis, activemq] = await Promise.all([
      startMariaDb(),
      startRedis({ password: "buffs-fault" }),
      startActiveMq(),
    ]);
  });
  after(async () => {
    await Promise.all([mysql?.stop(), redis?.stop(), activemq?.stop()]);
  });

  let system: BuffsSystem | undefined;
  afterEach(async () => {
    await system?.close();
    system = undefined;
    for (const server of [mysql, redis, activemq]) if (!server.running) await server.restart();
  });

  const deps = () => ({ mysql, redis, activemq });
  const buff = (question: string) => ({ question, answers: ["yes", "no"] });

  async function postOk(url: string, body: unknown): Promise<string> {
    const response = await postBuff(url, body);
    assert.equal(response.status, 200, `POST /buff answered ${response.status}`);
    return ((await response.json()) as { id: string }).id;
  }

  it("Redis down: GET /buffs is still served from MySQL, and the cache is used again once Redis is back", async () => {
    system = await startBuffsSystem(deps());
    const id = await postOk(system.dashboard.url, buff("cached?"));
    await eventually("the Buff to be served", async () =>
      (await getBuffs(system!.server.url)).some((b) => b.buffId === id),
    );

    await redis.kill();
    const second = await postOk(system.dashboard.url, buff("stored while redis is down"));
    const served = await eventually("the Buff stored during the outage to be served from MySQL", async () => {
      const list = await getBuffs(system!.server.url);
      return list.some((b) => b.buffId === second) ? list : undefined;
    });
    assert.deepEqual(
      served.map((b) => b.buffId),
      [id, second],
    );
    assert.ok((await metric(system.server.url, "buffs_cache_errors_total", { operation: "get" })) > 0);

    await redis.restart();
    await eventually("a cache hit once Redis is back", async () => {
      const before = await metric(system!.server.url, "buffs_cache_requests_total", { result: "hit" });
      await getBuffs(system!.server.url);
      await getBuffs(system!.server.url);
      return (await metric(system!.server.url, "buffs_cache_requests_total", { result: "hit" })) > before;
    });
  });

  it("ActiveMQ down: POST /buff answers 503, and the flow resumes once the broker is back, without a restart", async () => {
    system = await startBuffsSystem(deps());
    await eventually(
      "the dashboard to be ready",
      async () => (await fetch(`${system!.dashboard.url}/readyz`)).ok,
    );
    await activemq.kill();

    const refused = await eventually("POST /buff to answer 503", async () => {
      const response = await postBuff(system!.dashboard.url, buff("during the outage"));
      return response.status === 503 ? response : undefined;
    });
    assert.equal(refused.headers.get("retry-after"), "5");
    assert.match(((await refused.json()) as { error: string }).error, /message broker is unavailable/);
    assert.equal((await fetch(`${system.dashboard.url}/readyz`)).status, 503);

    await activemq.restart();
    const id = await eventually("POST /buff to be accepted again", async () => {
      const response = await postBuff(system!.dashboard.url, buff("after the outage"));
      return response.status === 200 ? ((await response.json()) as { id: string }).id : undefined;
    });
    await eventually("the server to consume again and serve the Buff", async () =>
      (await getBuffs(system!.server.url)).some((b) => b.buffId === id),
    );
  });

  async function countRows(database: string): Promise<{ total: number; distinct: number }> {
    const [row] = await mysql.query<{ total: number; distinct: number }[]>(
      `SELECT COUNT(*) AS total, COUNT(DISTINCT buff_id) AS \`distinct\` FROM \`${database}\`.buffs`,
    );
    return { total: Number(row!.total), distinct: Number(row!.distinct) };
  }

  it("MySQL down while messages arrive: nothing is acknowledged, and every Buff is stored once when it is back", async () => {
    system = await startBuffsSystem(deps());
    const { server } = system;
    await mysql.kill();
    const sent = 25;
    const ids: string[] = [];
    for (let i = 0; i < sent; i++)
      ids.push(await postOk(system.dashboard.url, buff(`during the outage ${i}`)));
    await eventually(
      "the consumer to wait for MySQL",
      async () =>
        (await metric(server.url, "buffs_consumer_waiting_for_database")) === 1 &&
        (await metric(server.url, "buffs_store_retries_total")) > 0,
    );
    assert.equal(await metric(server.url, "buffs_consumed_total", { outcome: "stored" }), 0);
    assert.equal(await metric(server.url, "buffs_dead_lettered_total", { reason: "unstorable" }), 0);
    const probe = await connectedClient(activemq);
    try {
      const held = await queueStatistics(probe, system.destination);
      assert.equal(held.enqueueCount, sent);
      assert.equal(held.dequeueCount, 0, "the broker saw no acknowledgement");
      assert.equal(held.size, sent, "every Buff is still on the broker");
    } finally {
      await probe.close();
    }
    assert.equal((await fetch(`${server.url}/readyz`)).status, 503);
    const unavailable = await fetch(`${server.url}/buffs`);
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers.get("retry-after"), "5");

    await mysql.restart();
    await eventually(
      "every Buff to be stored",
      async () => (await countRows(system!.database)).total >= sent,
      120_000,
    );
    assert.deepEqual(await countRows(system.database), { total: sent, distinct: sent });
    const drained = await connectedClient(activemq);
    try {
      const after = await eventually("the queue to drain", async () => {
        const figures = await queueStatistics(drained, system!.destination);
        return figures.size === 0 ? figures : undefined;
      });
      assert.equal(after.dequeueCount, sent);
    } finally {
      await drained.close();
    }
    const served = await getBuffs(server.url);
    assert.deepEqual(served.map((b) => b.buffId).sort(), [...ids].sort());
    assert.equal(await metric(server.url, "buffs_dead_lettered_total", { reason: "unstorable" }), 0);
  });

  it("MySQL down and the server stopped meanwhile: the unacknowledged Buffs wait on the broker for the next server", async () => {
    const database = uniqueName("buffs");
    const destination = `/queue/${uniqueName("buffs")}`;
    system = await startBuffsSystem(deps(), { database, destination });
    await mysql.kill();
    const sent = 15;
    for (let i = 0; i < sent; i++) await postOk(system.dashboard.url, buff(`held ${i}`));
    await eventually(
      "the consumer to wait for MySQL",
      async () => (await metric(system!.server.url, "buffs_consumer_waiting_for_database")) === 1,
    );
    await system.close();
    system = undefined;

    await mysql.restart();
    system = await startBuffsSystem(deps(), { database, destination });
    await eventually(
      "every Buff to be stored by the new server",
      async () => (await countRows(database)).total >= sent,
      120_000,
    );
    assert.deepEqual(await countRows(database), { total: sent, distinct: sent });
  });
});
