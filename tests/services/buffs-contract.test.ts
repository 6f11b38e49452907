import assert from "node:assert/strict";
import { BUFF_LIMITS, validateBuff } from "../../apps/buffs-dashboard/src/buff";
import { readDashboardConfig } from "../../apps/buffs-dashboard/src/config";
import { decodeBuffMessage } from "../../apps/buffs-server/src/buff-message";
import { isTransientDbError } from "../../apps/buffs-server/src/buff-repository";
import { readServerConfig } from "../../apps/buffs-server/src/config";
import { parseRedisHosts } from "../../apps/buffs-server/src/redis-client";
import { SingleFlight } from "../../apps/buffs-server/src/single-flight";

const valid = { question: "who", answers: ["me", "you"] };

describe("buffs: the Buff contract", () => {
  it("accepts the original's example and keeps only known fields", () => {
    assert.deepEqual(validateBuff({ ...valid, extra: 1 }), { ok: true, value: valid });
  });

  const invalid: [string, unknown, RegExp][] = [
    ["a missing body", undefined, /body must be a JSON object \(got nothing\)/],
    ["an array body", [valid], /body must be a JSON object \(got an array\)/],
    ["a string body", "who", /body must be a JSON object \(got a string\)/],
    ["null", null, /got null/],
    ["a missing question", { answers: valid.answers }, /question is required/],
    ["a numeric question", { ...valid, question: 7 }, /question must be a string \(got a number\)/],
    ["a blank question", { ...valid, question: "  " }, /question must not be empty/],
    [
      "an over-long question",
      { ...valid, question: "q".repeat(BUFF_LIMITS.questionMaxLength + 1) },
      /question must be at most 500/,
    ],
    ["missing answers", { question: "who" }, /answers is required/],
    [
      "answers as a string",
      { ...valid, answers: "me,you" },
      /answers must be an array of strings \(got a string\)/,
    ],
    ["a single answer", { ...valid, answers: ["me"] }, /answers must have 2 to 10 items \(got 1\)/],
    ["eleven answers", { ...valid, answers: Array.from({ length: 11 }, (_, i) => `a${i}`) }, /got 11/],
    [
      "a non-string answer",
      { ...valid, answers: ["me", 2] },
      /answers\[1\] must be a string \(got a number\)/,
    ],
    ["a blank answer", { ...valid, answers: ["me", ""] }, /answers\[1\] must not be empty/],
    [
      "an over-long answer",
      { ...valid, answers: ["me", "a".repeat(201)] },
      /answers\[1\] must be at most 200/,
    ],
    ["a repeated answer", { ...valid, answers: ["me", "me"] }, /answers\[1\] repeats an earlier answer/],
  ];
  for (const [what, input, reason] of invalid) {
    it(`rejects ${what}, saying why`, () => {
      const result = validateBuff(input);
      assert.equal(result.ok, false);
      assert.match((result as { reason: string }).reason, reason);
    });
  }
});

describe("buffs: reading a queue message", () => {
  const body = JSON.stringify({ id: "body-id", ...valid });

  it("takes the id from the buff-id header first, then the body, then the broker's message-id", () => {
    assert.deepEqual(decodeBuffMessage(body, { "buff-id": "header-id" }), {
      ok: true,
      value: { id: "header-id", ...valid },
    });
    assert.equal((decodeBuffMessage(body, {}) as { value: { id: string } }).value.id, "body-id");
    const legacy = decodeBuffMessage(JSON.stringify(valid), { "message-id": "ID:broker-1:1:1:1:7" });
    assert.equal((legacy as { value: { id: string } }).value.id, "ID:broker-1:1:1:1:7");
  });

  const poison: [string, string, Record<string, string>, RegExp][] = [
    ["a body that is not JSON", "{not json", {}, /body is not JSON/],
    ["an invalid Buff", JSON.stringify({ question: "who" }), { "buff-id": "x" }, /answers is required/],
    ["a numeric id", JSON.stringify({ id: 5, ...valid }), {}, /id must be a string/],
    ["no id at all", JSON.stringify(valid), {}, /no buff-id header/],
    ["an id with spaces", body, { "buff-id": "a b" }, /printable ASCII/],
  ];
  for (const [what, text, headers, reason] of poison) {
    it(`calls ${what} poison`, () => {
      const result = decodeBuffMessage(text, headers);
      assert.equal(result.ok, false);
      assert.match((result as { reason: string }).reason, reason);
    });
  }
});

describe("buffs: configuration from the original's variables", () => {
  const env = {
    MQHOST: "mq",
    MQPORT: "61613",
    MQUSERNAME: "u",
    MQPASSWORD: "p",
    MQTLSENABLE: "true",
    DBNAME: "buffs",
    DBHOST: "db",
    DBPORT: "3306",
    DBUSER: "buffs",
    DBPASS: "secret",
    REDISHOSTS: "r1:7000, r2",
    REDISPASSWORD: "rp",
    REDISTLSENABLE: "true",
  };

  it("reads every variable of the server", () => {
    const config = readServerConfig(env);
    assert.deepEqual(config.mq, { host: "mq", port: 61613, login: "u", passcode: "p", tls: true });
    assert.deepEqual(config.db, {
      host: "db",
      port: 3306,
      database: "buffs",
      user: "buffs",
      password: "secret",
    });
    assert.deepEqual(config.redis, {
      nodes: [
        { host: "r1", port: 7000 },
        { host: "r2", port: 6379 },
      ],
      password: "rp",
      tls: true,
    });
    assert.equal(readServerConfig({ ...env, REDISTLSENABLE: undefined }).redis.tls, false);
    assert.equal(config.destination, "/queue/buffs");
    assert.equal(config.deadLetterDestination, "/queue/DLQ.buffs");
    assert.equal(config.cacheKey, "buffs");
    assert.equal(config.cacheTtlSeconds, 10);
  });

  it("names the variable that is wrong", () => {
    assert.throws(() => readServerConfig({ ...env, DBPORT: "abc" }), /DBPORT must be an integer/);
    assert.throws(() => readServerConfig({ ...env, MQTLSENABLE: "maybe" }), /MQTLSENABLE must be a boolean/);
    assert.throws(() => readServerConfig({ ...env, REDISHOSTS: "" }), /REDISHOSTS is required/);
    assert.throws(
      () => readServerConfig({ ...env, REDISHOSTS: "r1:99999" }),
      /REDISHOSTS items must be host or host:port/,
    );
    assert.throws(() => readDashboardConfig({}), /MQHOST is required/);
  });

  it("reads the dashboard's token only when set", () => {
    assert.equal(readDashboardConfig({ MQHOST: "mq" }).token, undefined);
    assert.equal(readDashboardConfig({ MQHOST: "mq", DASHBOARD_TOKEN: "t0k" }).token, "t0k");
  });

  it("parses IPv6 Redis hosts", () => {
    assert.deepEqual(parseRedisHosts(["[::1]:7001"]), [{ host: "::1", port: 7001 }]);
  });
});

describe("buffs: small building blocks", () => {
  it("single flight: concurrent callers of one key share one load; a settled load is forgotten", async () => {
    const flight = new SingleFlight<number>();
    let loads = 0;
    let release!: (value: number) => void;
    const load = () => {
      loads++;
      return new Promise<number>((resolve) => {
        release = resolve;
      });
    };
    const callers = Array.from({ length: 20 }, () => flight.run("k", load));
    release(42);
    assert.deepEqual(await Promise.all(callers), Array(20).fill(42));
    assert.equal(loads, 1);
    const next = flight.run("k", load);
    release(43);
    assert.equal(await next, 43);
    assert.equal(loads, 2);
  });

  it("only data errors are permanent; connection errors are retried", () => {
    assert.equal(isTransientDbError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" })), true);
    assert.equal(
      isTransientDbError(Object.assign(new Error("gone"), { code: "PROTOCOL_CONNECTION_LOST" })),
      true,
    );
    assert.equal(isTransientDbError(Object.assign(new Error("too long"), { sqlState: "22001" })), false);
  });
});
