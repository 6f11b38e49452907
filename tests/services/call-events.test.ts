import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import type { RowDataPacket } from "mysql2";
import { CALL_EVENT_TYPES } from "../../apps/call-webhook/src/call-event";
import type { MySqlConfig } from "../../apps/call-webhook/src/event-store";
import type { LastThirtyMinutes } from "../../apps/call-webhook/src/routes";
import type { CallWebhook } from "../../apps/call-webhook/src/webhook";
import { sharedDependencies } from "../../local/deps";
import {
  createTestDatabase,
  eventually,
  metricValue,
  postEvent,
  separateConnection,
  startTestWebhook,
  storedCallIds,
  validEvent,
} from "./call-events-fixtures";

const MINUTE = 60_000;

async function lastThirtyMinutes(webhook: CallWebhook): Promise<LastThirtyMinutes> {
  const response = await fetch(`${webhook.url}/webhook/last-30-minutes`);
  assert.equal(response.status, 200);
  return (await response.json()) as LastThirtyMinutes;
}

describe("call-events: call-webhook against MariaDB", function () {
  this.timeout(120_000);
  let database: MySqlConfig;
  let webhook: CallWebhook;
  // The webhook's clock: events are stamped and counted with it, so the test can move time.
  const clock = { now: Date.parse("2026-11-27T12:00:05Z") };

  before(async () => {
    const { mysql } = await sharedDependencies();
    database = await createTestDatabase(mysql);
    webhook = await startTestWebhook(database, { now: () => clock.now });
  });
  after(async () => {
    await webhook?.close();
  });

  it("answers 200 only once the event is committed: a separate connection sees every acknowledged row", async () => {
    const conn = await separateConnection(database);
    try {
      const events = Array.from({ length: 40 }, (_, i) =>
        validEvent(i % 2 ? { type: "actor.entered", actor: `agent-${i}`, number: `10${i}` } : {}),
      );
      await Promise.all(
        events.map(async (event) => {
          const answer = await postEvent(webhook.url, event);
          assert.equal(answer.status, 200);
          assert.deepEqual(answer.body, { status: "stored" });
          // No polling: at the moment of the 200 the row must already be committed.
          const [rows] = await conn.query<RowDataPacket[]>(
            "SELECT type, actor, number, our_number, event_time, received_at FROM call_events WHERE call_id = ?",
            [event.call_id],
          );
          assert.equal(rows.length, 1, `row for ${event.call_id} visible after its 200`);
          assert.equal(rows[0]!.type, event.type);
          assert.equal(rows[0]!.actor, event.actor ?? null);
          assert.equal(rows[0]!.number, event.number ?? null);
          assert.equal(rows[0]!.our_number, "0800000000");
        }),
      );
      const [stamps] = await conn.query<RowDataPacket[]>(
        "SELECT DATE_FORMAT(MIN(event_time), '%Y-%m-%dT%H:%i:%s') AS e, DATE_FORMAT(MIN(received_at), '%Y-%m-%dT%H:%i:%s.%f') AS r FROM call_events",
      );
      assert.equal(stamps[0]!.e, "2017-01-01T00:00:00", "the provider's timestamp, in UTC");
      assert.equal(stamps[0]!.r, "2026-11-27T12:00:05.000000", "the time the webhook received it, in UTC");
    } finally {
      await conn.end();
    }
  });

  it("groups concurrent events into shared transactions (batch size metric > 1)", async () => {
    const metricsBefore = await (await fetch(`${webhook.url}/metrics`)).text();
    const batchesBefore = metricValue(metricsBefore, "call_event_batch_size_events_count");
    const eventsBefore = metricValue(metricsBefore, "call_event_batch_size_events_sum");
    const answers = await Promise.all(
      Array.from({ length: 300 }, () => postEvent(webhook.url, validEvent())),
    );
    assert.ok(answers.every((a) => a.status === 200));
    const metrics = await (await fetch(`${webhook.url}/metrics`)).text();
    const batches = metricValue(metrics, "call_event_batch_size_events_count") - batchesBefore;
    const events = metricValue(metrics, "call_event_batch_size_events_sum") - eventsBefore;
    assert.equal(events, 300);
    assert.ok(batches < 300, `300 concurrent events took ${batches} transactions: no batching`);
    assert.ok(events / batches > 1, `mean batch size ${events / batches}`);
    assert.equal(metricValue(metrics, "call_events_stored_total", 'type="call.new"') >= 300, true);
  });

  it("rejects invalid events with 400 and a reason, and stores nothing for them", async () => {
    const conn = await separateConnection(database);
    try {
      const bad = validEvent({ type: "actor.left" });
      const answer = await postEvent(webhook.url, bad);
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error, "actor is required (required on actor.* events)");
      const [rows] = await conn.query<RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM call_events WHERE call_id = ?",
        [bad.call_id],
      );
      assert.equal(Number(rows[0]!.n), 0);
    } finally {
      await conn.end();
    }
    const tooLong = await postEvent(webhook.url, validEvent({ call_id: "x".repeat(65) }));
    assert.equal(tooLong.status, 400);
    assert.match(String(tooLong.body.error), /call_id must be at most 64 characters/);
    const impossible = await postEvent(webhook.url, validEvent({ timestamp: "2017-02-30T00:00:00Z" }));
    assert.equal(impossible.status, 400);
    assert.match(String(impossible.body.error), /^timestamp is not a real date-time: day 30 does not exist/);
  });

  it("answers malformed JSON, wrong content type, oversize bodies, unknown routes and wrong methods clearly", async () => {
    const malformed = await postEvent(webhook.url, '{"call_id": ');
    assert.equal(malformed.status, 400);
    const textBody = await postEvent(webhook.url, "call_id=1", { headers: { "content-type": "text/plain" } });
    assert.equal(textBody.status, 415);
    const huge = await postEvent(webhook.url, validEvent({ padding: "x".repeat(20_000) }));
    assert.equal(huge.status, 413);
    const unknown = await fetch(`${webhook.url}/webhooks`, { method: "POST" });
    assert.equal(unknown.status, 404);
    const wrongMethod = await fetch(`${webhook.url}/webhook`);
    assert.equal(wrongMethod.status, 405);
    assert.match(wrongMethod.headers.get("allow") ?? "", /POST/);
  });

  it("counts the last 30 minutes by received time, per type; old buckets fall out of the window", async () => {
    const fresh = await createTestDatabase((await sharedDependencies()).mysql);
    const t = { now: Date.parse("2026-11-27T15:00:00Z") };
    const counting = await startTestWebhook(fresh, { now: () => t.now });
    try {
      const empty = await lastThirtyMinutes(counting);
      assert.equal(empty.total, 0);
      assert.deepEqual(Object.keys(empty.by_type), [...CALL_EVENT_TYPES]);

      const post = async (type: string, n: number) => {
        const extra = type.startsWith("actor.") ? { actor: "a", number: "1" } : {};
        for (const answer of await Promise.all(
          Array.from({ length: n }, () => postEvent(counting.url, validEvent({ type, ...extra }))),
        )) {
          assert.equal(answer.status, 200);
        }
      };
      await post("call.new", 3); // at 15:00:00
      t.now += 10 * MINUTE;
      await post("call.finished", 2); // at 15:10:00
      await post("actor.entered", 1);

      const at1510 = await lastThirtyMinutes(counting);
      assert.equal(at1510.total, 6);
      assert.equal(at1510.by_type["call.new"], 3);
      assert.equal(at1510.by_type["call.finished"], 2);
      assert.equal(at1510.by_type["actor.entered"], 1);
      assert.equal(at1510.window_minutes, 30);
      assert.equal(at1510.as_of, "2026-11-27T15:10:00.000Z");

      t.now = Date.parse("2026-11-27T15:29:59Z"); // the 15:00:00 events are still inside
      assert.equal((await lastThirtyMinutes(counting)).total, 6);
      t.now = Date.parse("2026-11-27T15:30:00Z"); // their bucket has left the window
      const at1530 = await lastThirtyMinutes(counting);
      assert.equal(at1530.total, 3);
      assert.equal(at1530.by_type["call.new"], 0);
      t.now = Date.parse("2026-11-27T15:40:00Z");
      assert.equal((await lastThirtyMinutes(counting)).total, 0);
    } finally {
      await counting.close();
    }
  });

  it("on shutdown, answers the events it accepted and stores every one it acknowledged", async () => {
    const fresh = await createTestDatabase((await sharedDependencies()).mysql);
    const closing = await startTestWebhook(fresh);
    let answered = 0;
    const answers = Array.from({ length: 300 }, () => validEvent()).map((event) =>
      postEvent(closing.url, event).then(
        (answer) => {
          answered += 1;
          return { callId: String(event.call_id), status: answer.status };
        },
        () => ({ callId: String(event.call_id), status: 0 }), // refused: the server had closed
      ),
    );
    await eventually("the first answers", () => answered >= 20);
    await closing.close(); // while the rest are in flight
    const settled = await Promise.all(answers);
    const statuses = settled.map((a) => a.status);
    assert.ok(
      statuses.every((s) => s === 0 || s === 200 || s === 503),
      JSON.stringify(statuses),
    );
    const acknowledged = settled.filter((a) => a.status === 200).map((a) => a.callId);
    assert.ok(acknowledged.length >= 20);
    assert.deepEqual(new Set(await storedCallIds(fresh)), new Set(acknowledged));
  });

  it("INGEST_MODE=none (benchmark only): refused without its confirmation; with it, warns, answers discarded and counts nothing as stored", async () => {
    const fresh = await createTestDatabase((await sharedDependencies()).mysql);
    await assert.rejects(
      startTestWebhook(fresh, { ingestMode: "none" }),
      /INGEST_MODE=none stores nothing.*BENCHMARK_ONLY_DISCARD_EVENTS=yes/,
    );
    const log: string[] = [];
    const logStream = new PassThrough().on("data", (chunk: Buffer) => log.push(chunk.toString()));
    const discarding = await startTestWebhook(fresh, {
      ingestMode: "none",
      benchmarkOnlyDiscardEvents: true,
      logLevel: "warn",
      logStream,
    });
    try {
      const lines = log.join("").split("\n").filter(Boolean);
      const warning = lines.map((line) => JSON.parse(line) as { level: string; msg: string })[0];
      assert.equal(warning?.level, "warn", "a WARN line at start");
      assert.match(String(warning?.msg), /EVERY EVENT IS DISCARDED, NOTHING IS STORED/);
      for (const event of [validEvent(), validEvent({ type: "call.finished" })]) {
        const answer = await postEvent(discarding.url, event);
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.body, { status: "discarded" }, "never claims to have stored it");
      }
      const metrics = await (await fetch(`${discarding.url}/metrics`)).text();
      for (const type of CALL_EVENT_TYPES) {
        assert.equal(metricValue(metrics, "call_events_stored_total", `type="${type}"`), 0, type);
      }
      assert.equal(metricValue(metrics, "call_events_discarded_total", 'type="call.new"'), 1);
      assert.equal(metricValue(metrics, "call_events_discarded_total", 'type="call.finished"'), 1);
      assert.deepEqual(await storedCallIds(fresh), []);
    } finally {
      await discarding.close();
    }
  });

  it("shares counts between replicas and across restarts (they are committed with the events)", async () => {
    const fresh = await createTestDatabase((await sharedDependencies()).mysql);
    const t = { now: Date.parse("2026-11-27T18:00:00Z") };
    const a = await startTestWebhook(fresh, { now: () => t.now });
    const b = await startTestWebhook(fresh, { now: () => t.now });
    try {
      for (const answer of await Promise.all([
        ...Array.from({ length: 5 }, () => postEvent(a.url, validEvent())),
        ...Array.from({ length: 7 }, () => postEvent(b.url, validEvent({ type: "call.waiting" }))),
      ])) {
        assert.equal(answer.status, 200);
      }
      assert.equal((await lastThirtyMinutes(a)).total, 12);
      assert.equal((await lastThirtyMinutes(b)).by_type["call.waiting"], 7);
      await a.close();
      const restarted = await startTestWebhook(fresh, { now: () => t.now });
      try {
        assert.equal((await lastThirtyMinutes(restarted)).total, 12);
      } finally {
        await restarted.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});
