import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { Writable } from "node:stream";
import {
  createService,
  currentRequestId,
  EnvError,
  HttpError,
  readEnv,
  requestIdHeaders,
  requestIdOf,
  routePatternToRegExp,
  runWithRequestId,
  type Service,
  type ServiceOptions,
} from "../../lib/service-kit";

type LogLine = Record<string, unknown>;

/** Collects a service's JSON log lines. */
class LogCapture extends Writable {
  readonly lines: LogLine[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.lines.push(JSON.parse(line));
    callback();
  }
  find(predicate: (line: LogLine) => boolean): LogLine | undefined {
    return this.lines.find(predicate);
  }
}

interface Running {
  service: Service;
  url: string;
  logs: LogCapture;
}

const running: Service[] = [];

async function start(
  options: Partial<ServiceOptions> = {},
  routes: (service: Service) => void = () => {},
): Promise<Running> {
  const logs = new LogCapture();
  const service = createService({
    name: "kit-test",
    port: 0,
    host: "127.0.0.1",
    logStream: logs,
    ...options,
  });
  routes(service);
  const url = await service.listen();
  running.push(service);
  return { service, url, logs };
}

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

function thingRoutes(service: Service): void {
  service.app.get("/things/:id", async (request) => ({ id: (request.params as { id: string }).id }));
  service.app.post("/things", async (request) => ({ received: request.body, requestId: currentRequestId() }));
  service.app.put("/things/:id", async () => ({ ok: true }));
  service.app.get("/teapot", async () => {
    throw new HttpError(418, "short and stout", { "retry-after": "7" });
  });
  service.app.get("/boom", async () => {
    throw new Error("database password is hunter2");
  });
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.close()));
});

describe("service kit: readEnv", () => {
  const env = readEnv({
    DBPORT: "3306",
    BAD: "abc",
    FLAG: "Yes",
    OFF: "0",
    HOSTS: " a, b ,,c ",
    EMPTY: "",
    PASS: " p ",
  });

  it("reads strings, integers, booleans, lists and optional values", () => {
    assert.equal(env.string("PASS"), " p ");
    assert.equal(env.string("MISSING", "dflt"), "dflt");
    assert.equal(env.int("DBPORT"), 3306);
    assert.equal(env.int("MISSING", 8080), 8080);
    assert.equal(env.int("EMPTY", 5), 5);
    assert.equal(env.bool("FLAG"), true);
    assert.equal(env.bool("OFF"), false);
    assert.equal(env.bool("MISSING", true), true);
    assert.deepEqual(env.list("HOSTS"), ["a", "b", "c"]);
    assert.deepEqual(env.list("MISSING", ["x"]), ["x"]);
    assert.equal(env.optional("MISSING"), undefined);
    assert.equal(env.optional("EMPTY"), undefined);
    assert.equal(env.optional("PASS"), " p ");
  });

  it("names the variable in every error", () => {
    assert.throws(() => env.int("BAD"), { name: "EnvError", message: 'BAD must be an integer (got "abc")' });
    assert.throws(
      () => env.string("MISSING"),
      (error: unknown) => {
        return (
          error instanceof EnvError && error.variable === "MISSING" && error.message === "MISSING is required"
        );
      },
    );
    assert.throws(() => env.bool("BAD"), /BAD must be a boolean/);
    assert.throws(() => env.int("DBPORT", undefined, { max: 1024 }), /DBPORT must be <= 1024 \(got 3306\)/);
    assert.throws(() => env.list("EMPTY"), /EMPTY is required/);
  });
});

describe("service kit: route patterns", () => {
  it("matches concrete paths against fastify patterns", () => {
    assert.ok(routePatternToRegExp("/orders/:id").test("/orders/42"));
    assert.ok(!routePatternToRegExp("/orders/:id").test("/orders/42/items"));
    assert.ok(!routePatternToRegExp("/orders/").test("/orders"));
    assert.ok(routePatternToRegExp("/files/*").test("/files/a/b.txt"));
    assert.ok(routePatternToRegExp("/n/:id(^\\d+$)").test("/n/12"));
    assert.ok(!routePatternToRegExp("/n/:id(^\\d+$)").test("/n/ab"));
    assert.ok(routePatternToRegExp("/a.b").test("/a.b") && !routePatternToRegExp("/a.b").test("/axb"));
  });
});

describe("service kit: HTTP edge cases", () => {
  it("answers 404 JSON for an unknown route", async () => {
    const { url } = await start({}, thingRoutes);
    const response = await fetch(`${url}/nowhere?x=1`);
    assert.equal(response.status, 404);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(await response.json(), { error: "no route for GET /nowhere" });
    assert.match(response.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  });

  it("answers 405 with an Allow header for a known path with a wrong method", async () => {
    const { url } = await start({}, thingRoutes);
    const response = await fetch(`${url}/things/7`, { method: "DELETE" });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET, HEAD, PUT");
    const body = (await response.json()) as { error: string };
    assert.match(body.error, /DELETE not allowed/);
    const post = await fetch(`${url}/things/7`, json({}));
    assert.equal(post.status, 405);
    assert.equal((await fetch(`${url}/things`)).headers.get("allow"), "POST");
  });

  it("answers 405 for routes registered in a prefixed plugin too", async () => {
    const { url } = await start({}, (service) => {
      service.app.register(
        async (api) => {
          api.get("/items/:id", async () => ({ ok: true }));
          api.post("/items", async () => ({ ok: true }));
        },
        { prefix: "/api" },
      );
    });
    assert.equal((await fetch(`${url}/api/items/1`)).status, 200);
    const wrong = await fetch(`${url}/api/items/1`, { method: "PATCH" });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "GET, HEAD");
    assert.equal((await fetch(`${url}/api/items`)).headers.get("allow"), "POST");
    assert.equal((await fetch(`${url}/items/1`)).status, 404);
  });

  it("answers 400 with the parser's reason for malformed JSON", async () => {
    const { url } = await start({}, thingRoutes);
    const response = await fetch(`${url}/things`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"question": ',
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: string };
    assert.match(body.error, /^malformed JSON: .+/);
  });

  it("answers 400 for an empty JSON body and for prototype-poisoning keys", async () => {
    const { url } = await start({}, thingRoutes);
    const empty = await fetch(`${url}/things`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    assert.equal(empty.status, 400);
    assert.match(((await empty.json()) as { error: string }).error, /empty/);
    const poisoned = await fetch(`${url}/things`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a": {"__proto__": {"admin": true}}}',
    });
    assert.equal(poisoned.status, 400);
    assert.match(((await poisoned.json()) as { error: string }).error, /__proto__/);
  });

  it("accepts JSON with a charset and parses it", async () => {
    const { url } = await start({}, thingRoutes);
    const response = await fetch(`${url}/things`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: '{"question":"who?","answers":["me","you"]}',
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { received: unknown };
    assert.deepEqual(body.received, { question: "who?", answers: ["me", "you"] });
  });

  it("answers 413 for a body over bodyLimit", async () => {
    const { url } = await start({ bodyLimit: 1024 }, thingRoutes);
    const response = await fetch(`${url}/things`, json({ big: "x".repeat(2000) }));
    assert.equal(response.status, 413);
    assert.deepEqual(await response.json(), { error: "request body is larger than the limit of 1024 bytes" });
    const fits = await fetch(`${url}/things`, json({ small: "x".repeat(500) }));
    assert.equal(fits.status, 200);
  });

  it("answers 415 for a non-JSON body, or a body without a content type", async () => {
    const { url } = await start({}, thingRoutes);
    for (const headers of [
      { "content-type": "text/plain" },
      { "content-type": "application/x-www-form-urlencoded" },
    ]) {
      const response = await fetch(`${url}/things`, { method: "POST", headers, body: "a=1" });
      assert.equal(response.status, 415, headers["content-type"]);
      assert.match(((await response.json()) as { error: string }).error, /application\/json/);
    }
    const untyped = await fetch(`${url}/things`, {
      method: "POST",
      body: new Uint8Array([1, 2, 3]),
      headers: { "x-request-id": "client-42" },
    });
    assert.equal(untyped.status, 415);
    assert.equal(untyped.headers.get("x-request-id"), "client-42");
  });

  it("maps a thrown HttpError to its status, message and headers", async () => {
    const { url } = await start({}, thingRoutes);
    const response = await fetch(`${url}/teapot`);
    assert.equal(response.status, 418);
    assert.equal(response.headers.get("retry-after"), "7");
    assert.deepEqual(await response.json(), { error: "short and stout" });
  });

  it("answers 500 'internal error' for any other error, with the details only in the log", async () => {
    const { url, logs } = await start({}, thingRoutes);
    const response = await fetch(`${url}/boom`);
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.equal(text, '{"error":"internal error"}');
    const requestId = response.headers.get("x-request-id");
    const logged = await until("the error log line", () =>
      logs.find((line) => line.msg === "request failed"),
    );
    assert.equal(logged.level, "error");
    assert.equal(logged.reqId, requestId);
    assert.match(JSON.stringify(logged.err), /hunter2/);
  });

  it("shapes every error body with errorBody", async () => {
    const { url } = await start({ errorBody: (_status, message) => ({ detail: message }) }, (service) => {
      service.app.get("/orders/:id", async () => {
        throw new HttpError(404, "Order not found");
      });
    });
    assert.deepEqual(await (await fetch(`${url}/orders/1`)).json(), { detail: "Order not found" });
    assert.deepEqual(await (await fetch(`${url}/nope`)).json(), { detail: "no route for GET /nope" });
    const wrongMethod = await fetch(`${url}/orders/1`, { method: "POST" });
    assert.equal(wrongMethod.status, 405);
    assert.ok("detail" in ((await wrongMethod.json()) as object));
  });

  it("never crashes on a request: the service keeps answering after errors", async () => {
    const { url } = await start({}, thingRoutes);
    await Promise.all([fetch(`${url}/boom`), fetch(`${url}/teapot`), fetch(`${url}/things`, json({}))]);
    assert.equal((await fetch(`${url}/things/1`)).status, 200);
  });
});

describe("service kit: request ids and logs", () => {
  it("generates a request id, echoes it, and logs it on the completion line", async () => {
    const { url, logs } = await start({}, thingRoutes);
    const response = await fetch(`${url}/things/5`);
    const id = response.headers.get("x-request-id") ?? "";
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const line = await until("the completion line", () => logs.find((l) => l.reqId === id));
    assert.equal(line.msg, "request completed");
    assert.equal(line.service, "kit-test");
    assert.equal(line.level, "info");
    assert.equal(line.method, "GET");
    assert.equal(line.route, "/things/:id");
    assert.equal(line.status, 200);
    assert.equal(typeof line.durationMs, "number");
    assert.ok(!Number.isNaN(Date.parse(String(line.time))) && String(line.time).endsWith("Z"));
  });

  it("keeps a sane incoming id and replaces an unsafe one", async () => {
    const { url } = await start({}, thingRoutes);
    const kept = await fetch(`${url}/things/1`, { headers: { "x-request-id": "edge-1234.abc" } });
    assert.equal(kept.headers.get("x-request-id"), "edge-1234.abc");
    for (const unsafe of ["a".repeat(200), "has space", 'quote"s', "new\\nline"]) {
      const replaced = await fetch(`${url}/things/1`, { headers: { "x-request-id": unsafe } });
      const id = replaced.headers.get("x-request-id");
      assert.notEqual(id, unsafe);
      assert.match(id ?? "", /^[0-9a-f-]{36}$/);
    }
  });

  it("exposes the request id to handlers, after body parsing too, and propagates it to outgoing calls", async () => {
    const downstream = await start({ name: "downstream" }, (service) => {
      service.app.get("/echo-id", async (request) => ({ seen: requestIdOf(request) }));
    });
    const upstream = await start({ name: "upstream" }, (service) => {
      service.app.post("/call", async () => {
        const answer = await fetch(`${downstream.url}/echo-id`, { headers: requestIdHeaders() });
        return { mine: currentRequestId(), downstream: ((await answer.json()) as { seen: string }).seen };
      });
    });
    const response = await fetch(`${upstream.url}/call`, {
      ...json({ any: "body" }),
      headers: { "content-type": "application/json", "x-request-id": "trace-77" },
    });
    assert.deepEqual(await response.json(), { mine: "trace-77", downstream: "trace-77" });
    assert.equal(currentRequestId(), undefined);
  });

  it("runs work outside a request under a given or fresh request id", async () => {
    assert.equal(
      await runWithRequestId("from-queue-1", async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return currentRequestId();
      }),
      "from-queue-1",
    );
    assert.deepEqual(
      runWithRequestId("from-queue-1", () => requestIdHeaders()),
      { "x-request-id": "from-queue-1" },
    );
    assert.match(runWithRequestId("bad id\n", () => currentRequestId()) ?? "", /^[0-9a-f-]{36}$/);
    assert.match(runWithRequestId(undefined, () => currentRequestId()) ?? "", /^[0-9a-f-]{36}$/);
    assert.deepEqual(requestIdHeaders(), {});
  });

  it("does not log secrets: authorization and cookie headers are redacted", async () => {
    const { url, logs } = await start({}, (service) => {
      service.app.get("/log-headers", async (request) => {
        request.log.info({ headers: request.headers }, "headers seen");
        return {};
      });
    });
    await fetch(`${url}/log-headers`, { headers: { authorization: "Bearer s3cret", cookie: "sid=s3cret" } });
    const line = await until("the headers line", () => logs.find((l) => l.msg === "headers seen"));
    assert.doesNotMatch(JSON.stringify(line), /s3cret/);
    assert.match(JSON.stringify(line), /\[redacted\]/);
  });

  it("honours LOG_LEVEL and rejects an unknown one", async () => {
    const { url, logs } = await start({ logLevel: "warn" }, thingRoutes);
    await fetch(`${url}/things/1`);
    await fetch(`${url}/teapot`);
    assert.equal(
      logs.find((l) => l.msg === "request completed"),
      undefined,
    );
    assert.throws(() => createService({ name: "x", logLevel: "loud" }), /LOG_LEVEL must be one of/);
  });
});

describe("service kit: health, readiness and metrics", () => {
  it("answers liveness", async () => {
    const { url } = await start();
    const response = await fetch(`${url}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok" });
  });

  it("flips readiness 200 -> 503 -> 200 as a check fails and recovers", async () => {
    let databaseUp = true;
    const { url } = await start({
      readiness: {
        database: async () => {
          if (!databaseUp) throw new Error("connect ECONNREFUSED 127.0.0.1:3306");
        },
        cache: async () => "PONG",
      },
    });
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ready", checks: { database: "ok", cache: "ok" } });
    databaseUp = false;
    const notReady = await fetch(`${url}/readyz`);
    assert.equal(notReady.status, 503);
    assert.deepEqual(await notReady.json(), {
      status: "not ready",
      checks: { database: "connect ECONNREFUSED 127.0.0.1:3306", cache: "ok" },
    });
    databaseUp = true;
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
  });

  it("fails a readiness check that hangs past its timeout", async () => {
    const { url } = await start({
      readinessTimeoutMs: 100,
      readiness: { hung: () => new Promise(() => {}) },
    });
    const response = await fetch(`${url}/readyz`);
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), {
      status: "not ready",
      checks: { hung: "timed out after 100 ms" },
    });
  });

  it("serves the endpoints at custom paths", async () => {
    const { url } = await start({ health: { liveness: "/live", readiness: "/ready", metrics: false } });
    assert.equal((await fetch(`${url}/live`)).status, 200);
    assert.equal((await fetch(`${url}/ready`)).status, 200);
    assert.equal((await fetch(`${url}/healthz`)).status, 404);
    assert.equal((await fetch(`${url}/metrics`)).status, 404);
  });

  it("exposes RED metrics labelled by route pattern, process metrics and custom metrics", async () => {
    const { url, service } = await start({}, thingRoutes);
    const buffs = service.metrics.counter({
      name: "buffs_stored_total",
      help: "Buffs stored.",
      labelNames: ["outcome"],
    });
    assert.equal(service.metrics.counter({ name: "buffs_stored_total", help: "again" }), buffs);
    buffs.inc({ outcome: "new" }, 3);
    for (const id of ["1", "2", "3"]) await fetch(`${url}/things/${id}`);
    await fetch(`${url}/no/such/route`);
    await fetch(`${url}/things/1`, { method: "DELETE" });
    const response = await fetch(`${url}/metrics`);
    assert.match(response.headers.get("content-type") ?? "", /text\/plain/);
    const text = await response.text();
    assert.match(
      text,
      /http_requests_total\{method="GET",route="\/things\/:id",status_code="200",service="kit-test"\} 3/,
    );
    assert.match(
      text,
      /http_requests_total\{method="GET",route="unmatched",status_code="404",service="kit-test"\} 1/,
    );
    assert.match(
      text,
      /http_requests_total\{method="DELETE",route="unmatched",status_code="405",service="kit-test"\} 1/,
    );
    assert.match(
      text,
      /http_request_duration_seconds_bucket\{le="0.001",service="kit-test",method="GET",route="\/things\/:id"/,
    );
    assert.match(
      text,
      /http_request_duration_seconds_count\{service="kit-test",method="GET",route="\/things\/:id",status_code="200"\} 3/,
    );
    assert.doesNotMatch(text, /route="\/things\/1"/);
    assert.match(text, /process_cpu_user_seconds_total\{service="kit-test"\}/);
    assert.match(text, /nodejs_eventloop_lag_seconds/);
    assert.match(text, /buffs_stored_total\{outcome="new",service="kit-test"\} 3/);
  });
});

describe("service kit: lifecycle", () => {
  it("listen() returns a reachable base URL; close() runs hooks in reverse order and is idempotent", async () => {
    const order: string[] = [];
    const service = createService({ name: "lifecycle", port: 0, logStream: new LogCapture() });
    service.onClose(() => {
      order.push("first");
    });
    service.onClose(async () => {
      order.push("second");
    });
    const url = await service.listen();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    await Promise.all([service.close(), service.close()]);
    assert.deepEqual(order, ["second", "first"]);
    await assert.rejects(fetch(`${url}/healthz`));
  });

  it("reads the port from PORT and rejects an invalid one", () => {
    const saved = process.env.PORT;
    try {
      process.env.PORT = "http";
      assert.throws(() => createService({ name: "x" }), /PORT must be an integer/);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});

describe("service kit: graceful shutdown (child process)", function () {
  this.timeout(60_000);
  const fixture = path.join(__dirname, "fixtures", "slow-service.ts");
  let child: ChildProcess | undefined;

  interface Fixture {
    child: ChildProcess;
    url: string;
    lines: LogLine[];
    exit: Promise<number | null>;
  }

  async function startFixture(env: Record<string, string> = {}): Promise<Fixture> {
    const proc = spawn(process.execPath, ["--import", "tsx", fixture], {
      env: { ...process.env, PORT: "0", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    child = proc;
    const lines: LogLine[] = [];
    let buffered = "";
    proc.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      let newline = buffered.indexOf("\n");
      while (newline !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith("{")) lines.push(JSON.parse(line));
        newline = buffered.indexOf("\n");
      }
    });
    const exit = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    const started = await until(
      "the fixture to listen",
      () => lines.find((l) => l.msg === "fixture url"),
      30_000,
    );
    return { child: proc, url: String(started.url), lines, exit };
  }

  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  it("on SIGTERM lets an in-flight request finish, runs close hooks in reverse order, exits 0", async () => {
    const { child: proc, url, lines, exit } = await startFixture();
    const inFlight = fetch(`${url}/slow`);
    await until("the slow request to start", () => lines.find((l) => l.msg === "slow request started"));
    proc.kill("SIGTERM");
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { finished: true });
    assert.equal(await exit, 0);
    const messages = lines.map((l) => l.msg);
    const shuttingDown = messages.indexOf("shutting down");
    const last = messages.indexOf("close hook last-registered ran");
    const first = messages.indexOf("close hook first-registered ran");
    assert.ok(shuttingDown >= 0 && last > shuttingDown && first > last, messages.join(" | "));
    assert.ok(messages.indexOf("request completed") < last, "hooks run after the request completed");
  });

  it("cuts a request that outlives the shutdown timeout, then still exits 0", async () => {
    const { child: proc, url, lines, exit } = await startFixture({ SHUTDOWN_TIMEOUT_MS: "300" });
    const endless = fetch(`${url}/forever`).then(
      () => "answered",
      () => "connection closed",
    );
    await until("the endless request to start", () => lines.find((l) => l.msg === "endless request started"));
    proc.kill("SIGTERM");
    assert.equal(await exit, 0);
    assert.equal(await endless, "connection closed");
    assert.ok(lines.some((l) => l.msg === "close hook first-registered ran"));
  });

  it("logs an unhandled rejection instead of crashing", async () => {
    const { url, lines } = await startFixture();
    assert.equal((await fetch(`${url}/forgotten-await`)).status, 200);
    const logged = await until("the rejection log line", () =>
      lines.find((l) => l.msg === "unhandled promise rejection"),
    );
    assert.equal(logged.level, "error");
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  });

  it("exits at once on a second signal", async () => {
    const { child: proc, url, lines, exit } = await startFixture();
    fetch(`${url}/forever`).catch(() => {});
    await until("the endless request to start", () => lines.find((l) => l.msg === "endless request started"));
    proc.kill("SIGTERM");
    await until("shutdown to begin", () => lines.find((l) => l.msg === "shutting down"));
    proc.kill("SIGINT");
    assert.equal(await exit, 130);
    assert.ok(!lines.some((l) => String(l.msg).startsWith("close hook")));
  });
});
