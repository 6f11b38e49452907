import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseCallEvent } from "../../apps/call-webhook/src/call-event";
import { drawEventType, EVENT_MIX, EventFactory, MIX_TOTAL } from "../../apps/tgibf/src/event-mix";
import { LatencyHistogram } from "../../apps/tgibf/src/latency-histogram";
import { runLoad } from "../../apps/tgibf/src/load";
import { parseDuration, parseOptions, type TgibfOptions, UsageError } from "../../apps/tgibf/src/options";
import { buildReport, formatTable } from "../../apps/tgibf/src/report";
import { eventsInRound, nextRound, PAUSE_BETWEEN_ROUNDS_MS } from "../../apps/tgibf/src/rounds";
import { Sender } from "../../apps/tgibf/src/sender";
import { checkTarget, isLoopbackHost, TargetError } from "../../apps/tgibf/src/target";
import { ensureServerCertificate, type TlsFiles } from "../../local/deps/tls";

/** A deterministic "random" source that returns the given values in turn. */
const sequence = (values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe("call-events: tgibf", () => {
  describe("the original's burst schedule", () => {
    it("round n posts n × 1000 events, with a 2 s pause between rounds", () => {
      assert.deepEqual([1, 2, 3, 10].map(eventsInRound), [1000, 2000, 3000, 10_000]);
      assert.equal(PAUSE_BETWEEN_ROUNDS_MS, 2000);
    });

    it("goes up one round after a clean round, and steps back by two after network errors (i = i − 2, then i++)", () => {
      assert.equal(nextRound(1, false), 2);
      assert.equal(nextRound(5, false), 6);
      assert.equal(nextRound(5, true), 4);
      assert.equal(nextRound(10, true), 9);
      assert.equal(nextRound(2, true), 1);
      assert.equal(nextRound(1, true), 1, "never below round 1");
    });
  });

  describe("the event mix", () => {
    it("is 12 call.new, 8 call.standby, 8 call.ongoing and 12 call.finished out of 40", () => {
      assert.equal(MIX_TOTAL, 40);
      assert.deepEqual(
        EVENT_MIX.map((e) => [e.type, e.weight]),
        [
          ["call.new", 12],
          ["call.standby", 8],
          ["call.ongoing", 8],
          ["call.finished", 12],
        ],
      );
    });

    it("maps each of the 40 tickets to its type exactly by the weights", () => {
      const counts = new Map<string, number>();
      for (let ticket = 0; ticket < 40; ticket++) {
        const type = drawEventType(() => (ticket + 0.5) / 40);
        counts.set(type, (counts.get(type) ?? 0) + 1);
      }
      assert.deepEqual(Object.fromEntries(counts), {
        "call.new": 12,
        "call.standby": 8,
        "call.ongoing": 8,
        "call.finished": 12,
      });
      assert.equal(
        drawEventType(() => 0),
        "call.new",
      );
      assert.equal(
        drawEventType(() => 0.9999999),
        "call.finished",
      );
    });

    it("makes valid events with unique call ids", () => {
      const factory = new EventFactory(sequence([0.1, 0.35, 0.6, 0.9]), Date.parse("2026-11-27T00:00:00Z"));
      const events = Array.from({ length: 1000 }, () => factory.next());
      assert.equal(new Set(events.map((e) => e.call_id)).size, 1000);
      for (const event of events.slice(0, 10)) assert.equal(parseCallEvent(event).type, event.type);
      assert.match(events[0]!.call_id, /^1795737600\.\d{4}0000001$/);
      assert.equal(events[0]!.timestamp, "2017-01-01T00:00:00Z", "a static timestamp, like the original");
    });
  });

  describe("safety: loopback targets only, bounded runs", () => {
    it("accepts loopback hosts and refuses others without --allow-remote", () => {
      for (const host of ["localhost", "127.0.0.1", "127.3.2.1", "[::1]", "api.localhost"]) {
        assert.ok(isLoopbackHost(host), host);
      }
      for (const host of [
        "example.com",
        "10.0.0.1",
        "192.168.1.10",
        "0.0.0.0",
        "[2001:db8::1]",
        "localhost.example.com",
      ]) {
        assert.equal(isLoopbackHost(host), false, host);
      }
      assert.throws(() => checkTarget("http://example.com/webhook", false), TargetError);
      assert.equal(checkTarget("http://example.com/webhook", true).host, "example.com");
      assert.throws(() => checkTarget("not a url", false), /WEBHOOK is not a URL/);
      assert.throws(
        () => checkTarget("ftp://127.0.0.1/webhook", false),
        /must be an http:\/\/ or https:\/\//,
      );
      assert.equal(checkTarget("https://127.0.0.1", false).href, "https://127.0.0.1/webhook");
      assert.equal(
        checkTarget("http://127.0.0.1:8090", false).pathname,
        "/webhook",
        "a base URL gets /webhook",
      );
    });

    it("parses options with bounded defaults and clear errors", () => {
      const defaults = parseOptions([], { WEBHOOK: "http://127.0.0.1:8090/webhook" }) as TgibfOptions;
      assert.equal(defaults.mode, "burst");
      assert.equal(defaults.durationMs, 60_000);
      assert.equal(defaults.maxRounds, 20);
      assert.equal(defaults.maxRequests, 1_000_000);
      const rate = parseOptions(
        [
          "--mode",
          "rate",
          "--rate",
          "300",
          "--duration",
          "2m",
          "--keep-alive",
          "--concurrency",
          "50",
          "--json",
        ],
        { WEBHOOK: "http://localhost:1/webhook" },
      ) as TgibfOptions;
      assert.deepEqual(
        [rate.mode, rate.rate, rate.durationMs, rate.keepAlive, rate.concurrency, rate.maxSockets, rate.json],
        ["rate", 300, 120_000, true, 50, 50, true],
      );
      assert.equal(parseOptions(["--help"], {}), "help");
      assert.throws(() => parseOptions([], {}), /set WEBHOOK/);
      assert.throws(() => parseOptions(["--mode", "chaos"], { WEBHOOK: "x" }), UsageError);
      assert.throws(() => parseOptions(["--rate", "0"], { WEBHOOK: "x" }), /--rate must be a whole number/);
      assert.throws(() => parseOptions(["--duration", "48h"], { WEBHOOK: "x" }), /between 1 ms and 24 h/);
      assert.throws(() => parseOptions(["--wat"], { WEBHOOK: "x" }), /unknown option/);
      assert.deepEqual(
        ["500ms", "90s", "2m", "1h", "30"].map(parseDuration),
        [500, 90_000, 120_000, 3_600_000, 30_000],
      );
    });
  });

  it("the CLI refuses a non-loopback WEBHOOK before sending anything (exit 2)", function () {
    this.timeout(30_000);
    const repoRoot = join(__dirname, "..", "..");
    const run = spawnSync(
      process.execPath,
      [
        join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"),
        join(repoRoot, "apps", "tgibf", "src", "main.ts"),
      ],
      {
        env: { ...process.env, WEBHOOK: "http://203.0.113.7:8090/webhook" },
        encoding: "utf8",
        timeout: 25_000,
      },
    );
    assert.equal(run.status, 2);
    assert.match(run.stderr, /refusing to load 203\.0\.113\.7:8090: only loopback targets/);
    assert.equal(run.stdout, "");
  });

  describe("figures", () => {
    it("computes percentiles within 1%", () => {
      const histogram = new LatencyHistogram();
      for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
      for (const [p, expected] of [
        [50, 500],
        [95, 950],
        [99, 990],
      ] as const) {
        const got = histogram.percentile(p);
        assert.ok(Math.abs(got - expected) / expected <= 0.01, `p${p} = ${got}, expected ~${expected}`);
      }
      assert.equal(histogram.percentile(100), 1000);
      assert.equal(new LatencyHistogram().percentile(99), 0);
    });
  });

  describe("burst mode against a server that drops connections in round 2", () => {
    let server: Server;
    let url: string;
    let requestsSeen = 0;
    before(async () => {
      // Requests 1001-3000 (round 2) get their connection destroyed: network errors for tgibf.
      server = createServer((req, res) => {
        requestsSeen += 1;
        const inRoundTwo = requestsSeen > 1000 && requestsSeen <= 3000;
        req.resume();
        req.on("end", () => (inRoundTwo ? req.socket.destroy() : res.end('{"status":"stored"}')));
      });
      server.maxConnections = 10_000;
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
    });
    after(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it("runs rounds 1, 2 (errors), then steps back to 1, and reports the figures", async function () {
      this.timeout(60_000);
      const options = parseOptions(["--max-rounds", "3", "--duration", "50s"], {
        WEBHOOK: url,
      }) as TgibfOptions;
      const run = await runLoad(options);
      assert.deepEqual(
        run.rounds.map((r) => [r.round, r.events, r.ok, r.errors]),
        [
          [1, 1000, 1000, 0],
          [2, 2000, 0, 2000],
          [1, 1000, 1000, 0],
        ],
      );
      const report = buildReport(run, "burst");
      assert.equal(report.webhook, url);
      assert.equal(report.sent, 4000);
      assert.equal(report.ok, 2000);
      assert.equal(report.errors, 2000);
      assert.ok(report.p99_ms >= report.p50_ms);
      assert.ok(report.rate_per_s > 0);
      const table = formatTable(report);
      assert.match(table, /^sent\s+4000$/m);
      assert.match(table, /^network errors\s+2000$/m);
    });
  });
});

describe("tgibf: request ids", () => {
  it("sends an x-request-id per request, one prefix per run, never twice the same", async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers["x-request-id"]));
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const sender = new Sender(new URL(`http://127.0.0.1:${port}/webhook`), {
      keepAlive: true,
      maxSockets: 4,
      timeoutMs: 5000,
    });
    try {
      for (let i = 0; i < 3; i++) assert.deepEqual(await sender.post("{}"), { status: 200 });
    } finally {
      sender.close();
      server.close();
    }
    assert.equal(new Set(seen).size, 3);
    for (const id of seen) assert.match(id, /^tgibf-[0-9a-f]{8}-\d+$/);
    assert.equal(new Set(seen.map((id) => id.split("-")[1])).size, 1);
  });
});

const execFileAsync = promisify(execFile);

describe("tgibf: https targets", () => {
  let dir: string;
  let tls: TlsFiles;
  let server: ReturnType<typeof createHttpsServer>;
  let url: string;
  const received: { path: string; type: string }[] = [];

  before(async function () {
    this.timeout(30_000);
    dir = mkdtempSync(join(tmpdir(), "tgibf-tls-"));
    tls = await ensureServerCertificate(dir);
    server = createHttpsServer(
      { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
      (req: IncomingMessage, res: ServerResponse) => {
        let body = "";
        req.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        req.on("end", () => {
          received.push({ path: req.url ?? "", type: String(JSON.parse(body).type) });
          res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    received.length = 0;
  });

  const options = (overrides: Partial<TgibfOptions>): TgibfOptions =>
    ({
      ...(parseOptions(["--mode", "concurrency", "--concurrency", "4", "--requests", "20"], {
        WEBHOOK: url,
      }) as TgibfOptions),
      ...overrides,
    }) as TgibfOptions;

  for (const keepAlive of [false, true]) {
    it(`posts over TLS to a server whose CA it is given (--ca${keepAlive ? ", --keep-alive" : ""})`, async () => {
      const run = await runLoad(options({ caFile: tls.caFile, keepAlive }));
      assert.equal(run.target, `${url}/webhook`);
      assert.equal(run.tally.ok, 20);
      assert.equal(run.tally.errors, 0);
      assert.equal(received.length, 20);
      assert.ok(received.every((r) => r.path === "/webhook" && r.type.startsWith("call.")));
    });
  }

  it("verifies the certificate: without the CA every request fails and nothing is delivered", async () => {
    const run = await runLoad(options({}));
    assert.equal(run.tally.ok, 0);
    assert.equal(run.tally.errors, 20);
    assert.equal(received.length, 0);
  });

  it("refuses an unreadable --ca before sending anything", async () => {
    await assert.rejects(runLoad(options({ caFile: join(dir, "missing.pem") })), TargetError);
    await assert.rejects(runLoad(options({ caFile: tls.keyFile })), /no PEM certificate/);
    assert.equal(received.length, 0);
  });

  it("the CLI trusts NODE_EXTRA_CA_CERTS and reports the run as JSON", async function () {
    this.timeout(30_000);
    const repoRoot = join(__dirname, "..", "..");
    // Not spawnSync: the server answering it lives in this process.
    const child = await execFileAsync(
      process.execPath,
      [
        join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"),
        join(repoRoot, "apps", "tgibf", "src", "main.ts"),
        "--mode",
        "concurrency",
        "--concurrency",
        "2",
        "--requests",
        "6",
        "--keep-alive",
        "--progress",
        "0",
        "--json",
      ],
      { env: { ...process.env, WEBHOOK: url, NODE_EXTRA_CA_CERTS: tls.caFile }, timeout: 25_000 },
    );
    const report = JSON.parse(child.stdout) as { sent: number; ok: number; errors: number };
    assert.deepEqual([report.sent, report.ok, report.errors], [6, 6, 0]);
  });
});
