import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import {
  createService,
  createServiceMetrics,
  currentRequestId,
  requestIdHeaders,
  runWithRequestId,
  type Service,
} from "../../lib/service-kit";
import {
  PoisonMessageError,
  StompBrokerError,
  StompClient,
  type StompClientOptions,
  type StompMessage,
  StompTimeoutError,
  StompUnavailableError,
} from "../../lib/stomp";
import { type ActiveMq, startActiveMq } from "../../local/deps";
import { ensureServerCertificate } from "../../local/deps/tls";
import { frozen } from "../harness/frozen";

type Maybe<T> = T | undefined | false;

async function until<T>(
  what: string,
  probe: () => Maybe<T> | Promise<Maybe<T>>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const uniqueQueue = (name: string) => `/queue/stomp-test-${name}-${randomUUID().slice(0, 8)}`;

describe("STOMP client against a real ActiveMQ", function () {
  this.timeout(120_000);
  let broker: ActiveMq;
  const clients: StompClient[] = [];

  function client(overrides: Partial<StompClientOptions> = {}): StompClient {
    const bus = new StompClient({
      host: broker.host,
      port: broker.stompPort,
      login: broker.user,
      passcode: broker.password,
      ...overrides,
    });
    clients.push(bus);
    return bus;
  }

  async function connectedClient(overrides: Partial<StompClientOptions> = {}): Promise<StompClient> {
    const bus = client(overrides);
    await bus.whenConnected();
    return bus;
  }

  before(async () => {
    // Its own broker: the fault tests kill it. One broker-side redelivery, so a NACKed poison
    // message reaches the dead-letter queue quickly.
    broker = await startActiveMq({
      redelivery: { maxRedeliveries: 1, initialDelayMs: 1000, backOffMultiplier: 1 },
    });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((bus) => bus.close()));
  });

  after(async () => {
    await broker?.stop();
  });

  it("sends and receives a message with its headers", async () => {
    const queue = uniqueQueue("basic");
    const bus = await connectedClient();
    await bus.send(queue, '{"question":"who"}', {
      "x-request-id": "req-1",
      "content-type": "application/json",
      "x-note": "colon: back\\slash, new\nline, ünïcødé",
    });
    const received: StompMessage[] = [];
    bus.subscribe(queue, (message) => {
      received.push(message);
    });
    const message = await until("the message", () => received[0]);
    assert.equal(message.body, '{"question":"who"}');
    assert.equal(message.headers["x-request-id"], "req-1");
    assert.equal(message.headers["content-type"], "application/json");
    assert.equal(message.headers["x-note"], "colon: back\\slash, new\nline, ünïcødé");
    assert.equal(message.destination, queue);
    assert.equal(message.redelivered, false);
    assert.equal(message.headers.persistent, "true");
    assert.match(message.messageId, /^ID:/);
  });

  it("carries the request id from an HTTP request through the queue to the consumer's context", async () => {
    const queue = uniqueQueue("trace");
    const bus = await connectedClient({ sendHeaders: () => requestIdHeaders() });
    const seenByConsumer: Array<string | undefined> = [];
    bus.subscribe(queue, (message) =>
      runWithRequestId(message.headers["x-request-id"], () => {
        seenByConsumer.push(currentRequestId());
      }),
    );
    const service: Service = createService({
      name: "producer",
      port: 0,
      host: "127.0.0.1",
      logLevel: "silent",
    });
    service.app.post("/publish", async () => {
      await bus.send(queue, "traced");
      return { queued: true };
    });
    const url = await service.listen();
    try {
      const response = await fetch(`${url}/publish`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "trace-9" },
        body: "{}",
      });
      assert.equal(response.status, 200);
      await until("the consumer", () => seenByConsumer[0]);
      assert.deepEqual(seenByConsumer, ["trace-9"]);
      await bus.send(queue, "outside any request", { "x-request-id": "explicit-1" });
      await until("the second message", () => seenByConsumer[1]);
      assert.equal(seenByConsumer[1], "explicit-1");
    } finally {
      await service.close();
    }
  });

  it("rejects send at once with StompUnavailableError when not connected", async () => {
    const bus = client();
    await assert.rejects(bus.send(uniqueQueue("early"), "x"), StompUnavailableError);
    bus.start();
    await bus.whenConnected();
    await bus.send(uniqueQueue("later"), "x");
  });

  it("an ACKed message is gone: a later consumer gets only what follows it", async () => {
    const queue = uniqueQueue("ack");
    const first = await connectedClient();
    await first.send(queue, "one");
    const handled: string[] = [];
    const subscription = first.subscribe(queue, (message) => {
      handled.push(message.body);
    });
    await until("the first message handled", () => handled.length === 1);
    await subscription.unsubscribe();
    await first.send(queue, "marker");
    const second = await connectedClient();
    const seen: string[] = [];
    second.subscribe(queue, (message) => {
      seen.push(message.body);
    });
    await until("the marker", () => seen.includes("marker"));
    assert.deepEqual(seen, ["marker"]);
  });

  it("a handler that throws gets the message again, marked redelivered (default: release)", async () => {
    const queue = uniqueQueue("release");
    const bus = await connectedClient();
    const deliveries: Array<{ body: string; redelivered: boolean }> = [];
    bus.subscribe(queue, (message) => {
      deliveries.push({ body: message.body, redelivered: message.redelivered });
      if (deliveries.length < 3) throw new Error("database unavailable");
    });
    await bus.send(queue, "retry me");
    await until("three deliveries", () => deliveries.length === 3);
    assert.deepEqual(deliveries, [
      { body: "retry me", redelivered: false },
      { body: "retry me", redelivered: true },
      { body: "retry me", redelivered: true },
    ]);
  });

  it("with onError 'nack', a throw NACKs and the broker redelivers", async () => {
    const queue = uniqueQueue("nack");
    const bus = await connectedClient();
    const deliveries: boolean[] = [];
    bus.subscribe(
      queue,
      (message) => {
        deliveries.push(message.redelivered);
        if (!message.redelivered) throw new Error("try again later");
      },
      { onError: "nack" },
    );
    await bus.send(queue, "nack me");
    await until("the redelivery", () => deliveries.length === 2);
    assert.deepEqual(deliveries, [false, true]);
  });

  it("a PoisonMessageError NACKs: after the broker's redeliveries the message is dead-lettered", async () => {
    const queue = uniqueQueue("poison");
    const deadLetters = `/queue/DLQ.${queue.slice("/queue/".length)}`;
    const bus = await connectedClient();
    let attempts = 0;
    bus.subscribe(queue, () => {
      attempts++;
      throw new PoisonMessageError("not a Buff");
    });
    const dead: StompMessage[] = [];
    bus.subscribe(deadLetters, (message) => {
      dead.push(message);
    });
    await bus.send(queue, "garbage", { "x-request-id": "poison-1" });
    const message = await until("the dead letter", () => dead[0], 60_000);
    assert.equal(message.body, "garbage");
    assert.equal(message.headers["x-request-id"], "poison-1");
    assert.equal(attempts, 2, "delivered once, redelivered once by the broker, then dead-lettered");
  });

  it("a topic subscription keeps receiving after a handler throws", async () => {
    const topic = `/topic/stomp-test-${randomUUID().slice(0, 8)}`;
    const bus = await connectedClient();
    const seen: string[] = [];
    bus.subscribe(topic, (message) => {
      seen.push(message.body);
      if (message.body === "one") throw new Error("cannot apply");
    });
    await bus.send(topic, "one");
    await bus.send(topic, "two");
    await until("the second message", () => seen.includes("two"));
    assert.deepEqual(seen, ["one", "two"]);
  });

  it("with maxAttempts, a message that keeps failing is NACKed and dead-lettered instead of blocking the queue", async () => {
    const queue = uniqueQueue("attempts");
    const deadLetters = `/queue/DLQ.${queue.slice("/queue/".length)}`;
    const bus = await connectedClient();
    const attempts: boolean[] = [];
    bus.subscribe(
      queue,
      (message) => {
        attempts.push(message.redelivered);
        throw new Error("always fails");
      },
      { maxAttempts: 2, retry: { initialMs: 50, maxMs: 100 } },
    );
    const dead: string[] = [];
    bus.subscribe(deadLetters, (message) => {
      dead.push(message.body);
    });
    await bus.send(queue, "hopeless");
    await until("the dead letter", () => dead[0], 60_000);
    assert.deepEqual(dead, ["hopeless"]);
    assert.ok(attempts.length >= 2, `attempted ${attempts.length} times`);
    assert.deepEqual(attempts.slice(0, 2), [false, true]);
  });

  it("reports its metrics on the service's registry", async () => {
    const metrics = createServiceMetrics("stomp-test");
    const queue = uniqueQueue("metrics");
    const bus = await connectedClient({ metrics });
    await bus.send(queue, "one");
    let failedOnce = false;
    const handled: string[] = [];
    bus.subscribe(queue, (message) => {
      if (!failedOnce) {
        failedOnce = true;
        throw new Error("first attempt fails");
      }
      handled.push(message.body);
    });
    await until("the message handled", () => handled[0]);
    const broker_ = `${broker.host}:${broker.stompPort}`;
    let text = await metrics.registry.metrics();
    assert.match(text, new RegExp(`stomp_connected\\{broker="${broker_}",service="stomp-test"\\} 1`));
    assert.match(text, new RegExp(`stomp_connections_total\\{broker="${broker_}",service="stomp-test"\\} 1`));
    assert.match(
      text,
      new RegExp(`stomp_sent_total\\{destination="${queue}",outcome="stored",service="stomp-test"\\} 1`),
    );
    assert.match(
      text,
      new RegExp(`stomp_received_total\\{destination="${queue}",outcome="release",service="stomp-test"\\} 1`),
    );
    await until("the ack to be counted", async () => /outcome="ack"/.test(await metrics.registry.metrics()));
    await bus.close();
    await assert.rejects(bus.send(queue, "late"), StompUnavailableError);
    text = await metrics.registry.metrics();
    assert.match(text, new RegExp(`stomp_connected\\{broker="${broker_}",service="stomp-test"\\} 0`));
    assert.match(
      text,
      new RegExp(`stomp_sent_total\\{destination="${queue}",outcome="unavailable",service="stomp-test"\\} 1`),
    );
  });

  it("runs one subscription's handlers one at a time and in order, or up to `concurrency` at once", async () => {
    const queue = uniqueQueue("order");
    const bus = await connectedClient();
    const bodies = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const body of bodies) await bus.send(queue, body);
    const seen: string[] = [];
    let running = 0;
    let maxRunning = 0;
    bus.subscribe(queue, async (message) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(message.body);
      running--;
    });
    await until("all messages", () => seen.length === bodies.length);
    assert.deepEqual(seen, bodies);
    assert.equal(maxRunning, 1);

    const wide = uniqueQueue("concurrent");
    for (const body of bodies) await bus.send(wide, body);
    const done: string[] = [];
    let wideRunning = 0;
    let wideMax = 0;
    bus.subscribe(
      wide,
      async (message) => {
        wideRunning++;
        wideMax = Math.max(wideMax, wideRunning);
        await new Promise((resolve) => setTimeout(resolve, 5));
        done.push(message.body);
        wideRunning--;
      },
      { prefetch: 4, concurrency: 4 },
    );
    await until("all messages (concurrent)", () => done.length === bodies.length);
    assert.deepEqual([...done].sort(), [...bodies].sort());
    assert.ok(wideMax <= 4, `at most 4 at once, saw ${wideMax}`);
  });

  it("carries large and binary bodies exactly (content-length framing)", async () => {
    const queue = uniqueQueue("large");
    const bus = await connectedClient();
    const large = "x".repeat(4 * 1024 * 1024);
    const binary = Buffer.from([0, 255, 0, 1, 0xc3, 0x28, 10, 0]);
    await bus.send(queue, large);
    await bus.send(queue, binary);
    const received: StompMessage[] = [];
    bus.subscribe(queue, (message) => {
      received.push(message);
    });
    await until("both messages", () => received.length === 2);
    assert.equal(received[0]!.body.length, large.length);
    assert.ok(received[0]!.body === large);
    assert.ok(received[1]!.bodyBytes.equals(binary));
  });

  it("rejects a send the broker refuses with StompBrokerError, then reconnects by itself", async () => {
    const bus = await connectedClient();
    let reconnected = false;
    bus.on("connected", () => {
      reconnected = true;
    });
    await assert.rejects(
      bus.send(uniqueQueue("refused"), "x", { transaction: "no-such-transaction" }),
      StompBrokerError,
    );
    await until("the reconnection", () => reconnected);
    await bus.send(uniqueQueue("after-error"), "still works");
  });

  it("does not connect with wrong credentials, reporting the broker's error", async () => {
    const bus = client({ passcode: "wrong", reconnect: { initialMs: 50, maxMs: 200 } });
    const errors: Error[] = [];
    bus.on("error", (error) => errors.push(error));
    bus.start();
    await until("an error from the broker", () => errors[0]);
    assert.ok(errors[0] instanceof StompBrokerError);
    assert.equal(bus.connected, false);
    await assert.rejects(bus.send(uniqueQueue("denied"), "x"), StompUnavailableError);
  });

  it("redelivers a message in flight when its consumer dies to the next consumer: no loss", async () => {
    const queue = uniqueQueue("crash");
    const fixture = path.join(__dirname, "fixtures", "stomp-consumer.ts");
    const consumer = spawn(process.execPath, ["--import", "tsx", fixture], {
      env: {
        ...process.env,
        BROKER_HOST: broker.host,
        BROKER_PORT: String(broker.stompPort),
        BROKER_USER: broker.user,
        BROKER_PASSWORD: broker.password,
        QUEUE: queue,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      let output = "";
      consumer.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
      });
      const producer = await connectedClient();
      await producer.send(queue, "precious");
      await until("the doomed consumer to hold the message", () => output.includes('"received"'), 60_000);
      const exited = new Promise((resolve) => consumer.on("exit", resolve));
      consumer.kill("SIGKILL");
      await exited;
      const received: StompMessage[] = [];
      producer.subscribe(queue, (message) => {
        received.push(message);
      });
      const message = await until("the redelivery to the next consumer", () => received[0], 60_000);
      assert.equal(message.body, "precious");
      assert.equal(message.redelivered, true);
    } finally {
      if (consumer.exitCode === null && consumer.signalCode === null) consumer.kill("SIGKILL");
    }
  });

  it("declares a silent broker dead by missed heart-beats and reconnects", async () => {
    const bus = await connectedClient({ heartbeatMs: 1000 });
    const reasons: Error[] = [];
    bus.on("disconnected", (reason) => reasons.push(reason));
    const pid = broker.pid!;
    process.kill(pid, "SIGSTOP");
    try {
      await frozen(pid);
      await until("the heart-beat timeout", () => reasons[0], 30_000);
      assert.match(reasons[0]!.message, /no data or heart-beat/);
      await assert.rejects(bus.send(uniqueQueue("frozen"), "x"), StompUnavailableError);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await bus.whenConnected(60_000);
    await bus.send(uniqueQueue("thawed"), "x");
  });

  it("settles a send left pending by a frozen broker: unavailable when the connection dies, else a timeout", async () => {
    const watched = await connectedClient({ heartbeatMs: 1000, sendTimeoutMs: 60_000 });
    const unwatched = await connectedClient({ heartbeatMs: 0, sendTimeoutMs: 300 });
    const pid = broker.pid!;
    process.kill(pid, "SIGSTOP");
    try {
      await frozen(pid);
      const outcomes = await Promise.all(
        [watched, unwatched].map((bus) =>
          bus.send(uniqueQueue("frozen-pending"), "x").then(
            () => "stored",
            (error: unknown) => error,
          ),
        ),
      );
      assert.ok(outcomes[0] instanceof StompUnavailableError, `watched: ${String(outcomes[0])}`);
      assert.ok(outcomes[1] instanceof StompTimeoutError, `unwatched: ${String(outcomes[1])}`);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await watched.whenConnected(60_000);
  });

  it("survives a broker crash: sends fail fast, it reconnects itself, the subscription resumes, stored messages survive", async () => {
    const queue = uniqueQueue("outage");
    const bus = await connectedClient();
    const received: string[] = [];
    bus.subscribe(queue, (message) => {
      received.push(message.body);
    });
    await bus.send(queue, "before");
    await until("the message before the crash", () => received.includes("before"));

    const producer = await connectedClient();
    const unconsumed = uniqueQueue("persisted");
    await producer.send(unconsumed, "stored before the crash");

    const disconnected = new Promise((resolve) => bus.once("disconnected", resolve));
    await broker.kill();
    await disconnected;
    assert.equal(bus.connected, false);
    const failure = await bus.send(queue, "during").then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(
      failure instanceof StompUnavailableError,
      `expected StompUnavailableError, got ${String(failure)}`,
    );

    await broker.restart();
    await bus.whenConnected(60_000);
    await producer.whenConnected(60_000);
    await bus.send(queue, "after");
    await until("the message after the restart", () => received.includes("after"), 60_000);
    assert.deepEqual(received, ["before", "after"]);

    const survivors: string[] = [];
    producer.subscribe(unconsumed, (message) => {
      survivors.push(message.body);
    });
    await until("the persisted message", () => survivors[0], 60_000);
    assert.deepEqual(survivors, ["stored before the crash"]);
  });

  it("fails over to the next broker when the one in use goes away, and the subscription follows", async () => {
    // The "active" broker is a TCP relay to the real one; the "standby" is the real one itself.
    // Closing the relay (refusing new connections, cutting open ones) is the active's failure.
    const relayed = new Set<net.Socket>();
    const active = net.createServer((inbound) => {
      const outbound = net.connect(broker.stompPort, broker.host);
      for (const socket of [inbound, outbound]) {
        relayed.add(socket);
        socket.on("error", () => {});
        socket.on("close", () => {
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => active.listen(0, "127.0.0.1", resolve));
    const activePort = (active.address() as net.AddressInfo).port;
    const queue = uniqueQueue("failover");
    const bus = await connectedClient({
      port: activePort,
      failover: [{ host: broker.host, port: broker.stompPort }],
      reconnect: { initialMs: 50, maxMs: 200 },
    });
    const received: string[] = [];
    bus.subscribe(queue, (message) => {
      received.push(message.body);
    });
    await bus.send(queue, "through the active");
    await until("the message through the active", () => received.includes("through the active"));
    assert.ok(relayed.size > 0, "the first connection went through the active broker");

    const disconnected = new Promise((resolve) => bus.once("disconnected", resolve));
    active.close();
    for (const socket of relayed) socket.destroy();
    await disconnected;
    await bus.whenConnected(30_000);
    await bus.send(queue, "through the standby");
    await until("the message through the standby", () => received.includes("through the standby"));
    assert.deepEqual(received, ["through the active", "through the standby"]);
  });

  it("takes a comma-separated host list as the active broker and its failovers", async () => {
    // The first name does not resolve (.invalid is reserved for that); the second is the broker.
    const bus = await connectedClient({
      host: `broker-a.invalid, ${broker.host}`,
      reconnect: { initialMs: 50, maxMs: 200 },
    });
    assert.equal(bus.connected, true);
    assert.throws(() => new StompClient({ host: "a,,b", port: 61613 }), /an empty name in the list/);
  });

  it("connects over TLS, verifying the broker's certificate", async () => {
    // A TLS terminator in front of the real broker, like Amazon MQ's stomp+ssl endpoint.
    const certs = await ensureServerCertificate(path.join(tmpdir(), `stomp-tls-${randomUUID().slice(0, 8)}`));
    const terminator = tls.createServer(
      { cert: readFileSync(certs.certFile), key: readFileSync(certs.keyFile) },
      (secure) => {
        const upstream = net.connect(broker.stompPort, broker.host);
        secure.pipe(upstream).pipe(secure);
        secure.on("error", () => upstream.destroy());
        upstream.on("error", () => secure.destroy());
      },
    );
    await new Promise<void>((resolve) => terminator.listen(0, "127.0.0.1", resolve));
    const port = (terminator.address() as net.AddressInfo).port;
    try {
      const bus = await connectedClient({ port, tls: { ca: readFileSync(certs.caFile) } });
      const queue = uniqueQueue("tls");
      await bus.send(queue, "secret cargo");
      const received: string[] = [];
      bus.subscribe(queue, (message) => {
        received.push(message.body);
      });
      await until("the message over TLS", () => received[0]);
      assert.equal(received[0], "secret cargo");

      const failures: string[] = [];
      const log = {
        debug() {},
        info() {},
        error() {},
        warn: (fields: { err?: Error }) => failures.push(String(fields.err?.message)),
      };
      const untrusting = client({ port, tls: true, log, reconnect: { initialMs: 50, maxMs: 200 } });
      untrusting.start();
      const reason = await until("the certificate to be refused", () => failures[0]);
      assert.match(reason, /certificate/i);
      assert.equal(untrusting.connected, false);
      await untrusting.close();
      await bus.close();
    } finally {
      terminator.close();
    }
  });

  it("close() aborts a connection attempt that hangs before CONNECTED", async () => {
    const received: string[] = [];
    let peerClosed = false;
    const silentPeer = net.createServer((socket) => {
      socket.on("data", (chunk) => received.push(chunk.toString("utf8")));
      socket.on("close", () => {
        peerClosed = true;
      });
    });
    await new Promise<void>((resolve) => silentPeer.listen(0, "127.0.0.1", resolve));
    try {
      const bus = client({ port: (silentPeer.address() as net.AddressInfo).port, connectTimeoutMs: 600_000 });
      bus.start();
      await until("the CONNECT frame", () => received.join("").includes("accept-version:1.2"));
      assert.match(received.join(""), /^CONNECT\n/);
      await bus.close();
      await until("the attempt to be aborted", () => peerClosed);
      assert.equal(bus.connected, false);
      await assert.rejects(bus.whenConnected(), StompUnavailableError);
    } finally {
      silentPeer.close();
    }
  });

  it("close() disconnects for good: no reconnection, sends rejected", async () => {
    const bus = await connectedClient();
    let reconnects = 0;
    bus.on("connected", () => reconnects++);
    await bus.close();
    assert.equal(bus.connected, false);
    await assert.rejects(bus.send(uniqueQueue("closed"), "x"), StompUnavailableError);
    // A fresh connection proves the broker is up, so the closed client could have reconnected.
    const other = await connectedClient();
    await other.send(uniqueQueue("alive"), "x");
    assert.equal(reconnects, 0);
  });
});
