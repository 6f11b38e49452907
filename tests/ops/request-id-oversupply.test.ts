import { strict as assert } from "node:assert";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ManagedProcess, sharedDependencies, waitUntil } from "../../local/deps";
import { searchLogs } from "../../ops/logs/search";
import { eventually, freePort } from "./helpers";

const repoRoot = resolve(__dirname, "..", "..");
const cheese = {
  partner: "Kaasboerderij De Weide",
  category: "dairy",
  item: "gouda",
  quantity: 12,
  unit: "kg",
};

/**
 * The request id's path through oversupply (docs/operations/monitoring.md): POST /oversupply →
 * outbox row → queue message header → matcher → signed callback → backend. The services run as
 * the runner runs them, each a process whose stdout lines land in a file of the logs folder.
 */
describe("central logs: a request id through oversupply's outbox, queue, matcher and callback", function () {
  this.timeout(120_000);
  const logs = mkdtempSync(join(tmpdir(), "ops-logs-oversupply-"));
  const processes: ManagedProcess[] = [];
  let backendUrl: string;

  const startService = async (name: string, entry: string, env: Record<string, string>) => {
    const port = await freePort();
    const service = new ManagedProcess({
      name,
      command: process.execPath,
      args: ["--import", "tsx", entry],
      cwd: repoRoot,
      env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: "info" },
      logFile: join(logs, `${name}.log`),
    });
    processes.push(service);
    service.start();
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(async () => (await fetch(`${url}/readyz`)).ok, {
      what: name,
      timeoutMs: 60_000,
      process: service,
    });
    return url;
  };

  before(async () => {
    const deps = await sharedDependencies();
    const password = randomBytes(12).toString("base64url");
    await deps.mysql.createDatabase("oversupply_request_id", "oversupply_rid", password);
    const secret = randomBytes(32).toString("base64url");
    const broker = {
      ACTIVEMQ_HOST: deps.activemq.host,
      ACTIVEMQ_PORT: String(deps.activemq.stompPort),
      ACTIVEMQ_USER: deps.activemq.user,
      ACTIVEMQ_PASSWORD: deps.activemq.password,
    };
    backendUrl = await startService("oversupply-backend", "apps/oversupply-backend/src/main.ts", {
      MYSQL_HOST: deps.mysql.host,
      MYSQL_PORT: String(deps.mysql.port),
      MYSQL_USER: "oversupply_rid",
      MYSQL_PASSWORD: password,
      MYSQL_DATABASE: "oversupply_request_id",
      CALLBACK_SECRET: secret,
      OUTBOX_POLL_MS: "200",
      ...broker,
    });
    await startService("oversupply-matcher", "apps/oversupply-matcher/src/main.ts", {
      BACKEND_URL: backendUrl,
      CALLBACK_SECRET: secret,
      ...broker,
    });
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.stop(10_000)));
  });

  it("the id sent with a registration is in the matcher's log and in the backend's callback log", async () => {
    const requestId = randomUUID();
    const response = await fetch(`${backendUrl}/oversupply`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": requestId },
      body: JSON.stringify({
        ...cheese,
        location: { lat: 52.0907, lon: 5.1214 },
        bestBefore: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
      }),
    });
    const text = await response.text();
    assert.equal(response.status, 202, text);
    assert.equal(response.headers.get("x-request-id"), requestId);
    const { id } = JSON.parse(text) as { id: string };

    // as `npm run logs -- -r <id>` finds them: the callback the backend handled, and the matcher's handling
    const delivered = await eventually("the recommendation's delivery under the request id", async () => {
      const entries = await searchLogs(logs, { requestId, text: "recommendation delivered" });
      return entries.length >= 2 ? entries : undefined;
    });
    const matcher = delivered.find((e) => e.service === "oversupply-matcher");
    const callback = delivered.find((e) => e.service === "oversupply-backend");
    assert.ok(matcher, `no matcher line with ${requestId}: ${JSON.stringify(delivered)}`);
    assert.ok(callback, `no backend callback line with ${requestId}: ${JSON.stringify(delivered)}`);
    for (const entry of [matcher, callback]) {
      assert.equal(entry.reqId, requestId, `${entry.service} logs the id as its reqId`);
      assert.equal(entry.raw.registrationId, id);
    }
    assert.equal(callback.raw.result, "applied");
  });
});
