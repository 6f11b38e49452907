import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { StompClient, type StompClientOptions, type StompLogger } from "../../lib/stomp";
import { type ActiveMq, startActiveMq } from "../../local/deps";
import { stompConnects } from "../../local/deps/probes";

/** Polls `probe` until it returns something truthy, or fails after the deadline. */
async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A logger that keeps the `err` of every warning (the client logs failed connection attempts). */
function recordingLogger(): StompLogger & { errors: Error[] } {
  const errors: Error[] = [];
  const keep = (obj: object) => {
    const err = (obj as { err?: unknown }).err;
    if (err instanceof Error) errors.push(err);
  };
  return { errors, debug() {}, info() {}, warn: keep, error: keep };
}

describe("local/deps: ActiveMQ with a stomp+ssl connector (tls: true)", function () {
  this.timeout(180_000);
  let broker: ActiveMq;
  let ca: string;
  const clients: StompClient[] = [];

  before(async () => {
    broker = await startActiveMq({ tls: true });
    assert.ok(broker.tls, "the broker exposes its TLS files");
    ca = readFileSync(broker.tls.caFile, "utf8");
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await broker?.stop();
  });

  const client = (tls: StompClientOptions["tls"]) => {
    const log = recordingLogger();
    const bus = new StompClient({
      host: broker.host,
      port: broker.stompTlsPort!,
      login: broker.user,
      passcode: broker.password,
      tls,
      log,
      reconnect: { initialMs: 50, maxMs: 500 },
    });
    clients.push(bus);
    bus.start();
    return { bus, log };
  };

  it("opens the TLS port beside the plain one, with a CA certificate in PEM", () => {
    assert.equal(typeof broker.stompTlsPort, "number");
    assert.notEqual(broker.stompTlsPort, broker.stompPort);
    assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
  });

  it("sends and receives over TLS with lib/stomp verifying the harness CA", async () => {
    const { bus } = client({ ca });
    await bus.whenConnected(30_000);
    const queue = "/queue/harness.tls";
    await bus.send(queue, "over tls", { "content-type": "text/plain" });
    let received: string | undefined;
    bus.subscribe(queue, async (message) => {
      received = message.body;
    });
    assert.equal(await until("the message sent over TLS", () => received), "over tls");
  });

  it("refuses a client that does not trust the CA: the handshake fails and it never connects", async () => {
    await assert.rejects(
      stompConnects(broker.stompTlsPort!, broker.user, broker.password, {}),
      /self[- ]signed certificate in certificate chain|unable to (get local issuer|verify)/i,
    );
    const { bus, log } = client(true);
    const failure = await until("a failed TLS connection attempt", () =>
      log.errors.find((error) => /certificate/i.test(error.message)),
    );
    assert.match(
      failure.message,
      /self[- ]signed certificate in certificate chain|unable to (get local issuer|verify)/i,
    );
    assert.equal(bus.connected, false);
  });

  it("speaks only TLS on the TLS port: a plain STOMP CONNECT gets no CONNECTED", async () => {
    await assert.rejects(stompConnects(broker.stompTlsPort!, broker.user, broker.password));
    assert.equal(await stompConnects(broker.stompPort, broker.user, broker.password), true);
  });
});
