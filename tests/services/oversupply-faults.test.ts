import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { type RunningBackend, startBackend } from "../../apps/oversupply-backend/src/backend";
import { startFrontend } from "../../apps/oversupply-frontend/src/frontend";
import { type RunningMatcher, startMatcher } from "../../apps/oversupply-matcher/src/matcher";
import { type ActiveMq, freePort, type MariaDb, startActiveMq, startMariaDb } from "../../local/deps";
import { eventually as pollUntil } from "../harness/eventually";

/** Recovering from an outage takes longer than a normal flow: a minute per condition. */
const eventually = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> =>
  pollUntil(what, probe, { timeoutMs: 60_000, intervalMs: 200 });

const registration = () => ({
  partner: "Groentehal Noord",
  category: "produce",
  item: "tomatoes",
  quantity: 120,
  unit: "kg",
  location: { lat: 53.2194, lon: 6.5665 },
  bestBefore: new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10),
});

/** Dependency outages, on servers of its own (so killing them disturbs no other suite). */
describe("oversupply under dependency outages", function () {
  this.timeout(240_000);
  let mysql: MariaDb;
  let activemq: ActiveMq;
  let backend: RunningBackend;
  let matcher: RunningMatcher;
  const logLevel = process.env.LOG_LEVEL;

  const post = (body: unknown) =>
    fetch(new URL("/oversupply", backend.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const status = async (id: string) =>
    ((await (await fetch(new URL(`/oversupply/${id}`, backend.url))).json()) as { status: string }).status;
  const pendingInOutbox = async () => {
    const text = await (await fetch(new URL("/metrics", backend.url))).text();
    const line = text.split("\n").find((l) => l.startsWith("oversupply_outbox_pending"));
    return Number(line?.split(" ").at(-1));
  };

  before(async () => {
    process.env.LOG_LEVEL = process.env.OVERSUPPLY_TEST_LOG_LEVEL ?? "error";
    [mysql, activemq] = await Promise.all([startMariaDb(), startActiveMq()]);
    const password = randomBytes(12).toString("base64url");
    await mysql.createDatabase("oversupply", "oversupply", password);
    const secret = randomBytes(32).toString("base64url");
    const broker = {
      host: activemq.host,
      port: activemq.stompPort,
      user: activemq.user,
      password: activemq.password,
      tls: false,
    };
    backend = await startBackend({
      port: 0,
      mysql: { host: mysql.host, port: mysql.port, user: "oversupply", password, database: "oversupply" },
      activemq: broker,
      callbackSecret: secret,
      outboxPollMs: 200,
    });
    matcher = await startMatcher({
      port: 0,
      backendUrl: backend.url,
      callbackSecret: secret,
      activemq: broker,
      prefetch: 2,
      delivery: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 500, timeoutMs: 5000 },
      weightsRefreshMs: 60_000,
    });
  });

  after(async () => {
    await matcher?.close();
    await backend?.close();
    await Promise.all([activemq?.stop(), mysql?.stop()]);
    process.env.LOG_LEVEL = logLevel;
  });

  it("broker down: registrations are still accepted (202), kept in the outbox, and matched once it is back", async () => {
    await activemq.stop();
    const answers = await Promise.all([post(registration()), post(registration())]);
    for (const answer of answers) assert.equal(answer.status, 202);
    const ids = await Promise.all(answers.map(async (a) => ((await a.json()) as { id: string }).id));
    assert.ok((await pendingInOutbox()) >= 2, "the match requests wait in the outbox");
    for (const id of ids) assert.equal(await status(id), "pending");

    await activemq.restart();
    for (const id of ids)
      await eventually(`registration ${id} to be matched`, async () =>
        (await status(id)) === "matched" ? true : undefined,
      );
    assert.equal(await pendingInOutbox(), 0);
  });

  it("database down: 503 with Retry-After, not ready, and back to normal without a restart", async () => {
    await mysql.kill();
    const refused = await post(registration());
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "5");
    assert.match(((await refused.json()) as { error: string }).error, /database unavailable/);
    const lookup = await fetch(new URL("/oversupply/00000000-0000-4000-8000-000000000000", backend.url));
    assert.equal(lookup.status, 503);
    assert.equal((await fetch(new URL("/readyz", backend.url))).status, 503);

    await mysql.restart();
    const accepted = await eventually("the backend to accept registrations again", async () => {
      const answer = await post(registration());
      return answer.status === 202 ? answer : undefined;
    });
    const { id } = (await accepted.json()) as { id: string };
    await eventually(`registration ${id} to be matched`, async () =>
      (await status(id)) === "matched" ? true : undefined,
    );
    assert.equal((await fetch(new URL("/readyz", backend.url))).status, 200);
  });

  it("backend unreachable: the frontend still serves the page and answers its API with 503", async () => {
    const frontend = await startFrontend({ port: 0, backendUrl: `http://127.0.0.1:${await freePort()}` });
    try {
      assert.equal((await fetch(new URL("/", frontend.url))).status, 200);
      const answer = await fetch(new URL("/api/oversupply", frontend.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(registration()),
      });
      assert.equal(answer.status, 503);
      assert.equal(answer.headers.get("retry-after"), "5");
      assert.match(((await answer.json()) as { error: string }).error, /backend is unavailable/);
    } finally {
      await frontend.close();
    }
  });
});
