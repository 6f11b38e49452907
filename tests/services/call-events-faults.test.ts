import assert from "node:assert/strict";
import type { MySqlConfig } from "../../apps/call-webhook/src/event-store";
import type { CallWebhook } from "../../apps/call-webhook/src/webhook";
import { type MariaDb, startMariaDb } from "../../local/deps";
import {
  type Answer,
  createTestDatabase,
  eventually,
  postEvent,
  separateConnection,
  startTestWebhook,
  storedCallIds,
  validEvent,
} from "./call-events-fixtures";

interface Exchange {
  callId: string;
  sentAt: number;
  answeredAt: number;
  status: number;
  retryAfter: string | null;
  error?: string;
}

/** Posts events from `workers` concurrent loops until stopped, recording every exchange. */
function startLoad(url: string, workers: number) {
  const exchanges: Exchange[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const event = validEvent();
      const sentAt = Date.now();
      let answer: Answer | undefined;
      try {
        answer = await postEvent(url, event);
      } catch (error) {
        exchanges.push({
          callId: String(event.call_id),
          sentAt,
          answeredAt: Date.now(),
          status: 0,
          retryAfter: null,
          error: String(error),
        });
        continue;
      }
      exchanges.push({
        callId: String(event.call_id),
        sentAt,
        answeredAt: Date.now(),
        status: answer.status,
        retryAfter: answer.headers.get("retry-after"),
      });
      if (answer.status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  return {
    exchanges,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe("call-events: faults (a MariaDB of its own, killed and restarted)", function () {
  this.timeout(180_000);
  let mariadb: MariaDb;

  before(async () => {
    mariadb = await startMariaDb();
  });
  after(async () => {
    await mariadb?.stop();
  });

  it("answers 503 + Retry-After while MariaDB is down, recovers without a restart, and every 200 is stored", async () => {
    const database = await createTestDatabase(mariadb);
    const webhook = await startTestWebhook(database, { breakerCooldownMs: 300, statementTimeoutMs: 5000 });
    const load = startLoad(webhook.url, 16);
    try {
      await eventually(
        "acknowledged events before the crash",
        () => load.exchanges.filter((e) => e.status === 200).length >= 300,
      );

      await mariadb.kill();
      const downFrom = Date.now();
      await eventually("a 503 after the crash", () =>
        load.exchanges.some((e) => e.sentAt >= downFrom && e.status === 503),
      );
      const readiness = await fetch(`${webhook.url}/readyz`);
      assert.equal(readiness.status, 503, "not ready while the database is down");
      await eventually(
        "requests answered during the outage",
        () => load.exchanges.filter((e) => e.sentAt >= downFrom).length >= 50,
      );

      const restartFrom = Date.now();
      await mariadb.restart();
      const upFrom = Date.now();
      await eventually(
        "200s again after the restart",
        () => load.exchanges.filter((e) => e.sentAt >= upFrom && e.status === 200).length >= 100,
        60_000,
      );
      assert.equal((await fetch(`${webhook.url}/readyz`)).status, 200);
      await load.stop();

      const duringOutage = load.exchanges.filter((e) => e.sentAt >= downFrom && e.answeredAt < restartFrom);
      assert.ok(duringOutage.length >= 50);
      for (const e of duringOutage) {
        assert.equal(e.status, 503, `request sent while MariaDB was down answered ${e.status}`);
        assert.match(e.retryAfter ?? "", /^[1-9]\d*$/, "503 carries Retry-After in seconds");
      }

      const acknowledged = new Set(load.exchanges.filter((e) => e.status === 200).map((e) => e.callId));
      const sent = new Set(load.exchanges.map((e) => e.callId));
      const stored = new Set(await storedCallIds(database));
      const missing = [...acknowledged].filter((id) => !stored.has(id));
      assert.deepEqual(missing, [], "every event answered 200 is in the database");
      const phantom = [...stored].filter((id) => !sent.has(id));
      assert.deepEqual(phantom, []);
      assert.ok(acknowledged.size >= 400);
    } finally {
      await load.stop();
      await webhook.close();
    }
  });

  describe("with the events table locked (a database that does not answer)", () => {
    let database: MySqlConfig;
    before(async () => {
      if (!mariadb.running) await mariadb.restart();
      database = await createTestDatabase(mariadb);
    });

    async function withTableLocked<T>(work: (unlock: () => Promise<void>) => Promise<T>): Promise<T> {
      const lock = await separateConnection(database);
      await lock.query("LOCK TABLES call_events WRITE");
      let locked = true;
      const unlock = async () => {
        if (locked) await lock.query("UNLOCK TABLES");
        locked = false;
      };
      try {
        return await work(unlock);
      } finally {
        await unlock();
        await lock.end();
      }
    }

    it("bounds the backlog: beyond it, events get 503 + Retry-After at once, and accepted ones are stored", async () => {
      const webhook: CallWebhook = await startTestWebhook(database, {
        batching: { maxBatchSize: 5, lingerMs: 2, maxInFlight: 1, maxBacklog: 10, maxWaitMs: 60_000 },
      });
      try {
        await withTableLocked(async (unlock) => {
          const answers: (Answer & { callId: string })[] = [];
          const posts = Array.from({ length: 40 }, async () => {
            const event = validEvent();
            const answer = await postEvent(webhook.url, event);
            answers.push({ ...answer, callId: String(event.call_id) });
          });
          await eventually("the overflow refused", () => answers.length >= 25);
          assert.equal(webhook.ingestor.backlog(), 10, "the backlog holds exactly its bound");
          for (const a of answers) {
            assert.equal(a.status, 503, "nothing is acknowledged while the write is blocked");
            assert.match(String(a.body.error), /too many events waiting/);
            assert.equal(a.headers.get("retry-after"), "1");
          }
          await unlock();
          await Promise.all(posts);
          const acknowledged = answers.filter((a) => a.status === 200).map((a) => a.callId);
          const refused = answers.filter((a) => a.status === 503);
          assert.equal(acknowledged.length + refused.length, 40);
          // Accepted: the batch being written (1 to 5 events) plus the 10 the backlog held.
          assert.ok(acknowledged.length >= 11, `${acknowledged.length} acknowledged`);
          assert.ok(refused.length >= 25);
          assert.deepEqual(new Set(await storedCallIds(database)), new Set(acknowledged));
        });
      } finally {
        await webhook.close();
      }
    });

    it("refuses events that wait too long for a slow database, and acknowledges the batch it was writing", async () => {
      const fresh = await createTestDatabase(mariadb);
      database = fresh;
      const webhook = await startTestWebhook(fresh, {
        batching: { maxBatchSize: 5, lingerMs: 2, maxInFlight: 1, maxBacklog: 100, maxWaitMs: 300 },
      });
      try {
        await withTableLocked(async (unlock) => {
          const answers: (Answer & { callId: string })[] = [];
          const posts = Array.from({ length: 12 }, async () => {
            const event = validEvent();
            answers.push({ ...(await postEvent(webhook.url, event)), callId: String(event.call_id) });
          });
          await eventually(
            "the waiting events refused",
            () => answers.length >= 7 && webhook.ingestor.backlog() === 0,
          );
          for (const a of answers) {
            assert.equal(a.status, 503);
            assert.match(String(a.body.error), /database is too slow/);
            assert.ok(a.headers.get("retry-after"));
          }
          await unlock();
          await Promise.all(posts);
          const acknowledged = answers.filter((a) => a.status === 200).map((a) => a.callId);
          // The batch that was being written (1 to 5 events) commits once the lock is gone.
          assert.ok(acknowledged.length >= 1, "the batch being written is acknowledged");
          assert.equal(answers.filter((a) => a.status === 503).length, 12 - acknowledged.length);
          assert.deepEqual(new Set(await storedCallIds(fresh)), new Set(acknowledged));
        });
      } finally {
        await webhook.close();
      }
    });
  });
});
