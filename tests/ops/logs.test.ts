import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { sharedDependencies } from "../../local/deps";
import { parseLogArgs } from "../../ops/logs/cli";
import { formatEntry, parseTime, searchLogs } from "../../ops/logs/search";
import { postBuff, startBuffsSystem } from "../services/buffs-fixtures";
import { eventually } from "./helpers";

const line = (fields: Record<string, unknown>) => `${JSON.stringify(fields)}\n`;

describe("central logs: npm run logs", () => {
  const dir = mkdtempSync(join(tmpdir(), "ops-logs-"));
  before(() => {
    writeFileSync(
      join(dir, "order-api.log"),
      line({
        level: "info",
        time: "2026-11-21T10:00:00.000Z",
        service: "order-api",
        reqId: "r-1",
        msg: "request completed",
        status: 201,
      }) +
        line({
          level: "warn",
          time: "2026-11-21T10:05:00.000Z",
          service: "order-api",
          reqId: "r-2",
          msg: "processor unavailable",
        }) +
        "not json: a stray line\n",
    );
    writeFileSync(
      join(dir, "order-processor.log"),
      line({
        level: 30,
        time: "2026-11-21T10:00:00.100Z",
        service: "order-processor",
        reqId: "r-1",
        msg: "stock reserved",
      }) +
        line({
          level: 50,
          time: "2026-11-21T10:10:00.000Z",
          service: "order-processor",
          msg: "DynamoDB timeout",
        }),
    );
    writeFileSync(
      join(dir, "mysql.log.1"),
      line({
        time: "2026-11-21T09:00:00.000Z",
        level: "warn",
        service: "mysql",
        stream: "stderr",
        msg: "[Warning] Aborted connection",
      }),
    );
  });

  it("follows one request id across services, in time order", async () => {
    const found = await searchLogs(dir, { requestId: "r-1" });
    assert.deepEqual(
      found.map((e) => `${e.service}: ${e.msg}`),
      ["order-api: request completed", "order-processor: stock reserved"],
    );
  });

  it("filters by service, level (numeric pino levels too), time window and text", async () => {
    const warnings = await searchLogs(dir, { minLevel: "warn" });
    assert.deepEqual(
      warnings.map((e) => e.msg),
      ["[Warning] Aborted connection", "processor unavailable", "DynamoDB timeout"],
    );
    const window = await searchLogs(dir, {
      since: new Date("2026-11-21T10:01:00Z"),
      until: new Date("2026-11-21T10:06:00Z"),
    });
    assert.deepEqual(
      window.map((e) => e.msg),
      ["processor unavailable"],
    );
    const processor = await searchLogs(dir, { services: ["order-processor"], text: "dynamodb" });
    assert.deepEqual(
      processor.map((e) => e.level),
      ["error"],
    );
  });

  it("parses command-line filters and refuses bad ones", () => {
    const now = new Date("2026-11-21T12:00:00Z");
    const { filter } = parseLogArgs(
      ["-s", "todo,order-api", "-l", "warn", "--since", "15m", "-r", "abc", "timed", "out"],
      now,
    );
    assert.deepEqual(filter.services, ["todo", "order-api"]);
    assert.equal(filter.since?.toISOString(), "2026-11-21T11:45:00.000Z");
    assert.equal(filter.text, "timed out");
    assert.equal(filter.requestId, "abc");
    assert.throws(() => parseLogArgs(["--level", "loud"]), /--level must be one of/);
    assert.throws(() => parseTime("yesterday"), /not a time: "yesterday"/);
  });

  it("formats a line for people: time, service, level, request id, message, fields", async () => {
    const [entry] = await searchLogs(dir, { requestId: "r-1", limit: 1, services: ["order-processor"] });
    assert.equal(
      formatEntry(entry!, false),
      "2026-11-21T10:00:00.100Z order-processor      INFO  [r-1] stock reserved",
    );
  });

  it("a request id sent to buffs-dashboard reaches buffs-server's log through the queue", async () => {
    const deps = await sharedDependencies();
    const captured = join(dir, "captured");
    mkdirSync(captured);
    // buffs-server's JSON log lines go to a file of the logs folder, as the runner keeps them
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        appendFileSync(join(captured, "buffs-server.log"), chunk);
        done();
      },
    });
    const system = await startBuffsSystem(deps, { server: { logLevel: "info", logStream } });
    try {
      const requestId = randomUUID();
      const response = await postBuff(
        system.dashboard.url,
        { question: "traced?", answers: ["yes", "no"] },
        { "x-request-id": requestId },
      );
      assert.equal(response.status, 200, await response.text());
      assert.equal(response.headers.get("x-request-id"), requestId);
      const found = await eventually("the request id in buffs-server's log", async () => {
        const entries = await searchLogs(captured, { requestId });
        return entries.length ? entries : undefined;
      });
      assert.equal(found[0]?.service, "buffs-server");
      assert.equal(found[0]?.msg, "buff stored");
    } finally {
      await system.close();
    }
  });
});
