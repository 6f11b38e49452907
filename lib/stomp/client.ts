import { EventEmitter } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { type BackoffOptions, backoffDelay } from "./backoff";
import { PoisonMessageError, StompBrokerError, StompTimeoutError, StompUnavailableError } from "./errors";
import { encodeFrame, HEARTBEAT, type StompFrame } from "./frame";
import { type SendOutcome, StompMetrics, type StompMetricsFactory } from "./metrics";
import { FrameParser } from "./parser";

/** The subset of a pino/fastify logger the client uses. */
export interface StompLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StompClientOptions {
  /** A host, or a comma-separated list of one deployment's brokers (active first): `a,b` = `a` + failover `b`. */
  host: string;
  port: number;
  /**
   * More brokers of the same deployment (an active/standby pair's other instance), tried in turn
   * after `host:port` whenever a connection attempt fails. Subscriptions move with the client.
   */
  failover?: { host: string; port?: number }[];
  login?: string;
  passcode?: string;
  /** `true` for TLS with default verification, or Node TLS options (e.g. a private `ca`). */
  tls?: boolean | tls.ConnectionOptions;
  /** The CONNECT frame's `host` header (a virtual host). @default the host option */
  vhost?: string;
  log?: StompLogger;
  /** Heart-beat period asked for in both directions; 0 disables. @default 10000 */
  heartbeatMs?: number;
  /** How long `send` waits for the broker's RECEIPT. @default 5000 */
  sendTimeoutMs?: number;
  /** How long a connection attempt may take until CONNECTED. @default 10000 */
  connectTimeoutMs?: number;
  /** Delay between reconnection attempts. @default { initialMs: 100, maxMs: 5000 } */
  reconnect?: BackoffOptions;
  /** How long `close` waits for running handlers and for the DISCONNECT receipt. @default 2000 */
  closeTimeoutMs?: number;
  /** `send` fails fast when this many bytes are already waiting in the socket. @default 16 MiB */
  maxBufferedBytes?: number;
  /** Largest frame body accepted from the broker. @default 32 MiB */
  maxBodyBytes?: number;
  /** Where to register the client's metrics (`service.metrics`); none when absent. */
  metrics?: StompMetricsFactory;
  /**
   * Headers added to every SEND, computed per send; explicit headers win. With the service kit:
   * `sendHeaders: () => requestIdHeaders()` puts the current request id on every message.
   */
  sendHeaders?: () => Record<string, string>;
}

export interface StompMessage {
  /** The body as UTF-8 text. */
  body: string;
  /** The body's exact bytes. */
  bodyBytes: Buffer;
  /** All headers of the MESSAGE frame: message-id, destination, redelivered, custom ones such as x-request-id. */
  headers: Record<string, string>;
  /** True when the broker delivered this message before (to this or another consumer). */
  redelivered: boolean;
  messageId: string;
  destination: string;
}

export type MessageHandler = (message: StompMessage) => Promise<void> | void;

export interface SubscribeOptions {
  /** Messages the broker may push before they are acknowledged (`activemq.prefetchSize`). @default 1 */
  prefetch?: number;
  /** Handlers running at once for this subscription; 1 keeps messages in order. @default 1 */
  concurrency?: number;
  /**
   * What a handler's throw does.
   * - "release" (default for queues): the subscription is closed and reopened after a backoff (`retry`), so the
   *   broker redelivers the message (redelivered=true) and it never leaves the queue, however long
   *   the outage behind the failure lasts.
   * - "nack" (default for `/topic/` destinations): send NACK. ActiveMQ treats a STOMP NACK as a poison ack: without the broker's
   *   redelivery plugin the message goes straight to the dead-letter queue; with it (local/deps
   *   configures one), it is redelivered after a delay a few times, then dead-lettered.
   * A `PoisonMessageError` always NACKs.
   */
  onError?: "release" | "nack";
  /** Delay before reopening a released subscription. @default { initialMs: 200, maxMs: 5000 } */
  retry?: BackoffOptions;
  /**
   * Deliveries of one message that may fail in a row before it is NACKed as poison rather than
   * released again (so a message that can never succeed stops blocking the queue).
   * @default Infinity: an outage is retried for as long as it lasts
   */
  maxAttempts?: number;
  /** Extra SUBSCRIBE headers, e.g. `selector`. */
  headers?: Record<string, string>;
}

export interface Subscription {
  readonly destination: string;
  unsubscribe(): Promise<void>;
}

export interface StompClientEvents {
  connected: [];
  disconnected: [reason: Error];
  error: [error: Error];
}

interface PendingReceipt {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface Delivery {
  message: StompMessage;
  ackId: string;
  connection: Connection;
  wireId: string;
}

interface SubscriptionState {
  key: string;
  destination: string;
  handler: MessageHandler;
  prefetch: number;
  concurrency: number;
  onError: "release" | "nack";
  retry: BackoffOptions;
  maxAttempts: number;
  /** The message that failed last and how many times in a row. */
  lastFailedId: string | undefined;
  lastFailedCount: number;
  extraHeaders: Record<string, string>;
  /** The SUBSCRIBE id on the current connection; undefined while not subscribed. */
  wireId: string | undefined;
  wireSeq: number;
  queue: Delivery[];
  running: number;
  failures: number;
  retryTimer: NodeJS.Timeout | undefined;
  removed: boolean;
}

/** One TCP (or TLS) connection to the broker, from CONNECT to close. */
interface Connection {
  socket: net.Socket;
  epoch: number;
  lastReceived: number;
  lastSent: number;
  timers: NodeJS.Timeout[];
}

const noopLogger: StompLogger = { debug() {}, info() {}, warn() {}, error() {} };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * A STOMP 1.2 client for ActiveMQ that keeps itself connected: it reconnects forever with
 * backoff until `close()`, restores subscriptions after a reconnect, checks heart-beats both
 * ways, confirms every send with a RECEIPT and acknowledges every message individually.
 * Delivery is at-least-once: a message whose handler was running when the connection dropped
 * is redelivered, so handlers must be idempotent.
 */
export class StompClient extends EventEmitter<StompClientEvents> {
  private readonly options: Required<
    Omit<
      StompClientOptions,
      "login" | "passcode" | "tls" | "vhost" | "log" | "metrics" | "sendHeaders" | "failover"
    >
  > &
    StompClientOptions;
  private readonly log: StompLogger;
  private readonly metrics: StompMetrics | undefined;
  private current: Connection | undefined;
  /** The socket of a connection attempt not yet CONNECTED, so `close()` can abort it. */
  private connecting: net.Socket | undefined;
  private epoch = 0;
  private started = false;
  private closed = false;
  private wakeReconnect: (() => void) | undefined;
  private readonly pendingReceipts = new Map<string, PendingReceipt>();
  private receiptSeq = 0;
  private readonly subscriptions = new Map<string, SubscriptionState>();
  private readonly byWireId = new Map<string, SubscriptionState>();
  private subscriptionSeq = 0;
  private loop: Promise<void> | undefined;
  /** `host:port` first, then the failover brokers; `endpoint` is the one in use or being tried. */
  private readonly endpoints: { host: string; port: number }[];
  private endpoint = 0;

  constructor(options: StompClientOptions) {
    super();
    this.options = {
      heartbeatMs: 10_000,
      sendTimeoutMs: 5_000,
      connectTimeoutMs: 10_000,
      reconnect: { initialMs: 100, maxMs: 5_000 },
      closeTimeoutMs: 2_000,
      maxBufferedBytes: 16 * 1024 * 1024,
      maxBodyBytes: 32 * 1024 * 1024,
      ...options,
    };
    const hosts = options.host.split(",").map((h) => h.trim());
    if (hosts.some((h) => h === ""))
      throw new Error(`STOMP host ${JSON.stringify(options.host)}: an empty name in the list`);
    this.endpoints = [
      ...hosts.map((host) => ({ host, port: options.port })),
      ...(options.failover ?? []).map((b) => ({ host: b.host, port: b.port ?? options.port })),
    ];
    this.log = options.log ?? noopLogger;
    this.metrics = options.metrics ? new StompMetrics(options.metrics, this.address) : undefined;
  }

  /** True while a connection is established (CONNECTED received and not lost since). */
  get connected(): boolean {
    return this.current !== undefined;
  }

  /** Starts connecting in the background; keeps reconnecting until `close()`. Idempotent. */
  start(): this {
    if (this.started || this.closed) return this;
    this.started = true;
    this.loop = this.connectForever();
    return this;
  }

  /** Resolves once connected (starting the client if needed); rejects after `timeoutMs`. */
  whenConnected(timeoutMs = 30_000): Promise<void> {
    if (this.closed) return Promise.reject(new StompUnavailableError("the STOMP client was closed"));
    this.start();
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("connected", onConnected);
        reject(new StompUnavailableError(`not connected to ${this.address} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onConnected = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once("connected", onConnected);
    });
  }

  /**
   * Sends a persistent message and resolves once the broker confirmed it with a RECEIPT (it is
   * then stored). Rejects at once with `StompUnavailableError` when not connected; later with
   * `StompUnavailableError` if the connection drops first, `StompBrokerError` on an ERROR frame,
   * `StompTimeoutError` after `sendTimeoutMs` (the message may or may not be stored).
   */
  send(destination: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<void> {
    const connection = this.current;
    let refusal: StompUnavailableError | undefined;
    if (connection === undefined || this.closed) {
      refusal = new StompUnavailableError(`not connected to the message broker at ${this.address}`);
    } else if (connection.socket.writableLength > this.options.maxBufferedBytes) {
      refusal = new StompUnavailableError("the message broker is not keeping up (send buffer full)");
    }
    if (refusal !== undefined || connection === undefined) {
      this.metrics?.sent(destination, "unavailable");
      return Promise.reject(refusal);
    }
    const sending = this.withReceipt(connection, (receipt) =>
      encodeFrame(
        "SEND",
        { persistent: "true", ...this.options.sendHeaders?.(), ...headers, destination, receipt },
        body,
      ),
    );
    const metrics = this.metrics;
    if (metrics === undefined) return sending;
    return sending.then(
      () => metrics.sent(destination, "stored"),
      (error: unknown) => {
        metrics.sent(destination, sendOutcomeOf(error));
        throw error;
      },
    );
  }

  /**
   * Subscribes with client-individual acknowledgements: a handler that resolves ACKs the
   * message, one that throws hands it back (see `SubscribeOptions.onError`). Handlers of one
   * subscription run one at a time, in order, unless `concurrency` says otherwise. The
   * subscription is restored after every reconnect.
   */
  subscribe(destination: string, handler: MessageHandler, options: SubscribeOptions = {}): Subscription {
    const prefetch = options.prefetch ?? 1;
    if (!Number.isInteger(prefetch) || prefetch < 1)
      throw new RangeError("prefetch must be a positive integer");
    const state: SubscriptionState = {
      key: `sub-${++this.subscriptionSeq}`,
      destination,
      handler,
      prefetch,
      concurrency: Math.max(1, Math.min(options.concurrency ?? 1, prefetch)),
      // A topic subscription cannot be released: the broker keeps nothing for a closed subscriber.
      onError: options.onError ?? (destination.startsWith("/topic/") ? "nack" : "release"),
      retry: options.retry ?? { initialMs: 200, maxMs: 5_000 },
      maxAttempts: options.maxAttempts ?? Number.POSITIVE_INFINITY,
      lastFailedId: undefined,
      lastFailedCount: 0,
      extraHeaders: options.headers ?? {},
      wireId: undefined,
      wireSeq: 0,
      queue: [],
      running: 0,
      failures: 0,
      retryTimer: undefined,
      removed: false,
    };
    this.subscriptions.set(state.key, state);
    if (this.current) this.subscribeOnWire(state, this.current);
    return {
      destination,
      unsubscribe: () => this.unsubscribe(state),
    };
  }

  /**
   * Stops reconnecting, lets running handlers finish (up to `closeTimeoutMs`), sends DISCONNECT
   * and waits briefly for its receipt. Messages not yet handled return to the broker.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeReconnect?.();
    this.connecting?.destroy(new Error("the STOMP client was closed"));
    for (const state of this.subscriptions.values()) {
      state.queue = [];
      clearTimeout(state.retryTimer);
    }
    const deadline = Date.now() + this.options.closeTimeoutMs;
    while ([...this.subscriptions.values()].some((s) => s.running > 0) && Date.now() < deadline)
      await sleep(10);
    const connection = this.current;
    if (connection) {
      try {
        await this.withReceipt(
          connection,
          (receipt) => encodeFrame("DISCONNECT", { receipt }),
          Math.max(100, deadline - Date.now()),
        );
      } catch (error) {
        this.log.debug({ err: error }, "stomp: no receipt for DISCONNECT");
      }
      connection.socket.destroy();
    }
    this.failPendingReceipts(new StompUnavailableError("the STOMP client was closed"));
    await this.loop;
  }

  private get address(): string {
    const { host, port } = this.endpoints[this.endpoint]!;
    return `${host}:${port}`;
  }

  private async connectForever(): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      try {
        const lost = await this.connectOnce();
        attempt = 0;
        await lost;
      } catch (error) {
        this.log.warn({ err: error, broker: this.address, attempt }, "stomp: connection attempt failed");
        if (this.endpoints.length > 1) {
          this.endpoint = (this.endpoint + 1) % this.endpoints.length;
          this.log.info({ broker: this.address }, "stomp: failing over to the next broker");
        }
      }
      if (this.closed) break;
      const delay = backoffDelay(attempt++, this.options.reconnect);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        timer.unref();
        this.wakeReconnect = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeReconnect = undefined;
    }
  }

  /** Resolves with a promise that settles when the connection is lost, once CONNECTED arrived. */
  private connectOnce(): Promise<Promise<void>> {
    const { host, port } = this.endpoints[this.endpoint]!;
    const socket = this.options.tls
      ? tls.connect({
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          ...(this.options.tls === true ? {} : this.options.tls),
        })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    this.connecting = socket;
    const connection: Connection = {
      socket,
      epoch: ++this.epoch,
      lastReceived: Date.now(),
      lastSent: Date.now(),
      timers: [],
    };
    const parser = new FrameParser({ maxBodyBytes: this.options.maxBodyBytes });

    return new Promise((resolveConnected, rejectConnected) => {
      let established = false;
      let resolveLost: () => void = () => {};
      const lost = new Promise<void>((resolve) => {
        resolveLost = resolve;
      });
      const connectTimer = setTimeout(() => {
        socket.destroy(
          new Error(`no CONNECTED from ${this.address} within ${this.options.connectTimeoutMs} ms`),
        );
      }, this.options.connectTimeoutMs);
      connectTimer.unref();

      socket.once(this.options.tls ? "secureConnect" : "connect", () => {
        const heartbeat = this.options.heartbeatMs;
        const headers: Record<string, string> = {
          "accept-version": "1.2",
          host: this.options.vhost ?? host,
          "heart-beat": `${heartbeat},${heartbeat}`,
        };
        if (this.options.login !== undefined) headers.login = this.options.login;
        if (this.options.passcode !== undefined) headers.passcode = this.options.passcode;
        this.write(connection, encodeFrame("CONNECT", headers));
      });

      socket.on("data", (chunk: Buffer) => {
        connection.lastReceived = Date.now();
        let frames: StompFrame[];
        try {
          frames = parser.push(chunk);
        } catch (error) {
          socket.destroy(error as Error);
          return;
        }
        for (const frame of frames) {
          // After an ERROR (or a protocol error) the rest of the chunk belongs to a dead connection.
          if (socket.destroyed) break;
          if (!established && frame.command === "CONNECTED") {
            established = true;
            clearTimeout(connectTimer);
            this.connecting = undefined;
            this.onConnected(connection, frame);
            resolveConnected(lost);
          } else if (!established && frame.command === "ERROR") {
            const error = brokerError(frame);
            if (this.listenerCount("error") > 0) this.emit("error", error);
            socket.destroy(error);
          } else {
            this.onFrame(connection, frame);
          }
        }
      });

      let socketError: Error | undefined;
      socket.on("error", (error) => {
        socketError = error;
      });
      socket.on("close", () => {
        clearTimeout(connectTimer);
        if (this.connecting === socket) this.connecting = undefined;
        const reason = socketError ?? new Error(`connection to ${this.address} closed`);
        if (established) {
          this.onDisconnected(connection, reason);
          resolveLost();
        } else {
          rejectConnected(reason);
        }
      });
    });
  }

  private onConnected(connection: Connection, frame: StompFrame): void {
    const [serverSends = 0, serverWants = 0] = (frame.headers["heart-beat"] ?? "0,0").split(",").map(Number);
    const ours = this.options.heartbeatMs;
    const sendEvery = ours > 0 && serverWants > 0 ? Math.max(ours, serverWants) : 0;
    const expectEvery = ours > 0 && serverSends > 0 ? Math.max(ours, serverSends) : 0;
    if (sendEvery > 0) {
      // Checked every third of the period, so the longest silence stays well under the period.
      const timer = setInterval(() => {
        if (Date.now() - connection.lastSent >= sendEvery / 3) this.write(connection, HEARTBEAT);
      }, sendEvery / 3);
      timer.unref();
      connection.timers.push(timer);
    }
    if (expectEvery > 0) {
      // Declared dead after two silent periods: tolerant of a busy event loop, yet bounded.
      const silentLimit = expectEvery * 2;
      const timer = setInterval(() => {
        if (Date.now() - connection.lastReceived > silentLimit) {
          connection.socket.destroy(
            new Error(`no data or heart-beat from the broker for over ${silentLimit} ms`),
          );
        }
      }, expectEvery / 2);
      timer.unref();
      connection.timers.push(timer);
    }
    this.current = connection;
    this.metrics?.connectionUp();
    this.log.info(
      { broker: this.address, server: frame.headers.server, sendEvery, expectEvery },
      "stomp: connected",
    );
    for (const state of this.subscriptions.values()) {
      if (!state.removed && state.retryTimer === undefined) this.subscribeOnWire(state, connection);
    }
    this.emit("connected");
  }

  private onDisconnected(connection: Connection, reason: Error): void {
    for (const timer of connection.timers) clearInterval(timer);
    if (this.current === connection) this.current = undefined;
    this.metrics?.connectionDown();
    for (const state of this.subscriptions.values()) {
      if (state.wireId !== undefined) this.byWireId.delete(state.wireId);
      state.wireId = undefined;
      // Unacknowledged messages of a lost connection are redelivered by the broker.
      state.queue = [];
    }
    this.failPendingReceipts(
      new StompUnavailableError(`connection to the message broker lost: ${reason.message}`),
    );
    if (!this.closed) this.log.warn({ broker: this.address, err: reason }, "stomp: disconnected");
    this.emit("disconnected", reason);
  }

  private onFrame(connection: Connection, frame: StompFrame): void {
    switch (frame.command) {
      case "MESSAGE":
        this.onMessage(connection, frame);
        return;
      case "RECEIPT": {
        const id = frame.headers["receipt-id"] ?? "";
        const pending = this.pendingReceipts.get(id);
        if (pending) {
          this.pendingReceipts.delete(id);
          clearTimeout(pending.timer);
          pending.resolve();
        }
        return;
      }
      case "ERROR": {
        const error = brokerError(frame);
        const id = frame.headers["receipt-id"];
        const pending = id === undefined ? undefined : this.pendingReceipts.get(id);
        if (pending && id !== undefined) {
          this.pendingReceipts.delete(id);
          clearTimeout(pending.timer);
          pending.reject(error);
        }
        this.log.error({ err: error, broker: this.address }, "stomp: ERROR frame from the broker");
        if (this.listenerCount("error") > 0) this.emit("error", error);
        // After an ERROR the broker closes the connection (STOMP 1.2); do not wait for it.
        connection.socket.destroy(error);
        return;
      }
      default:
        this.log.debug({ command: frame.command }, "stomp: unexpected frame ignored");
    }
  }

  private onMessage(connection: Connection, frame: StompFrame): void {
    const wireId = frame.headers.subscription ?? "";
    const state = this.byWireId.get(wireId);
    if (state === undefined || state.removed) {
      this.log.debug({ subscription: wireId }, "stomp: message for a closed subscription ignored");
      return;
    }
    const headers = frame.headers;
    state.queue.push({
      message: {
        body: frame.body.toString("utf8"),
        bodyBytes: frame.body,
        headers,
        redelivered: headers.redelivered === "true",
        messageId: headers["message-id"] ?? "",
        destination: headers.destination ?? state.destination,
      },
      ackId: headers.ack ?? headers["message-id"] ?? "",
      connection,
      wireId,
    });
    this.pump(state);
  }

  private pump(state: SubscriptionState): void {
    while (state.running < state.concurrency && state.queue.length > 0 && !this.closed) {
      const delivery = state.queue.shift()!;
      state.running++;
      this.handle(state, delivery).finally(() => {
        state.running--;
        this.pump(state);
      });
    }
  }

  private async handle(state: SubscriptionState, delivery: Delivery): Promise<void> {
    const started = performance.now();
    const id = delivery.message.messageId;
    try {
      await state.handler(delivery.message);
    } catch (error) {
      const poison = error instanceof PoisonMessageError;
      state.lastFailedCount = state.lastFailedId === id ? state.lastFailedCount + 1 : 1;
      state.lastFailedId = id;
      const exhausted = state.lastFailedCount >= state.maxAttempts;
      const outcome = poison || exhausted || state.onError === "nack" ? "nack" : "release";
      this.log.warn(
        {
          err: error,
          messageId: id,
          destination: state.destination,
          attempt: state.lastFailedCount,
          outcome,
        },
        "stomp: message handler failed",
      );
      this.metrics?.handled(state.destination, outcome, (performance.now() - started) / 1000);
      if (outcome === "nack") this.settle(state, delivery, "NACK");
      else this.release(state, delivery);
      return;
    }
    if (state.lastFailedId === id) state.lastFailedId = undefined;
    state.failures = 0;
    this.metrics?.handled(state.destination, "ack", (performance.now() - started) / 1000);
    this.settle(state, delivery, "ACK");
  }

  /** ACK or NACK, only on the connection and subscription that delivered the message. */
  private settle(state: SubscriptionState, delivery: Delivery, command: "ACK" | "NACK"): void {
    if (this.current !== delivery.connection || state.wireId !== delivery.wireId) return;
    this.write(delivery.connection, encodeFrame(command, { id: delivery.ackId }));
  }

  /**
   * Hands a failed message back: closing the subscription makes the broker redeliver every
   * unacknowledged message (marked redelivered) instead of dead-lettering it as a NACK would.
   */
  private release(state: SubscriptionState, delivery: Delivery): void {
    if (state.wireId !== delivery.wireId || state.removed) return;
    state.failures++;
    const connection = this.current;
    if (connection === delivery.connection && state.wireId !== undefined) {
      this.write(connection, encodeFrame("UNSUBSCRIBE", { id: state.wireId }));
    }
    if (state.wireId !== undefined) this.byWireId.delete(state.wireId);
    state.wireId = undefined;
    state.queue = [];
    if (this.closed) return;
    const delay = backoffDelay(state.failures - 1, state.retry);
    state.retryTimer = setTimeout(() => {
      state.retryTimer = undefined;
      if (!state.removed && this.current && state.wireId === undefined)
        this.subscribeOnWire(state, this.current);
    }, delay);
    state.retryTimer.unref();
  }

  private subscribeOnWire(state: SubscriptionState, connection: Connection): void {
    const wireId = `${state.key}-${++state.wireSeq}`;
    state.wireId = wireId;
    this.byWireId.set(wireId, state);
    this.write(
      connection,
      encodeFrame("SUBSCRIBE", {
        ...state.extraHeaders,
        id: wireId,
        destination: state.destination,
        ack: "client-individual",
        "activemq.prefetchSize": state.prefetch,
      }),
    );
  }

  private async unsubscribe(state: SubscriptionState): Promise<void> {
    if (state.removed) return;
    state.removed = true;
    state.queue = [];
    clearTimeout(state.retryTimer);
    this.subscriptions.delete(state.key);
    const wireId = state.wireId;
    state.wireId = undefined;
    if (wireId === undefined) return;
    this.byWireId.delete(wireId);
    const connection = this.current;
    if (connection) {
      await this.withReceipt(connection, (receipt) =>
        encodeFrame("UNSUBSCRIBE", { id: wireId, receipt }),
      ).catch((error: unknown) => this.log.debug({ err: error }, "stomp: no receipt for UNSUBSCRIBE"));
    }
  }

  private withReceipt(
    connection: Connection,
    frameFor: (receipt: string) => Buffer,
    timeoutMs = this.options.sendTimeoutMs,
  ): Promise<void> {
    const receipt = `r-${connection.epoch}-${++this.receiptSeq}`;
    const frame = frameFor(receipt);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingReceipts.delete(receipt);
        reject(new StompTimeoutError(`no receipt from the message broker within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.pendingReceipts.set(receipt, { resolve, reject, timer });
      this.write(connection, frame);
    });
  }

  private failPendingReceipts(error: Error): void {
    for (const [id, pending] of this.pendingReceipts) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pendingReceipts.delete(id);
    }
  }

  private write(connection: Connection, bytes: Buffer): void {
    if (connection.socket.destroyed) return;
    connection.lastSent = Date.now();
    connection.socket.write(bytes);
  }
}

function sendOutcomeOf(error: unknown): SendOutcome {
  if (error instanceof StompTimeoutError) return "timeout";
  if (error instanceof StompBrokerError) return "refused";
  return "unavailable";
}

function brokerError(frame: StompFrame): StompBrokerError {
  const message = frame.headers.message ?? "ERROR frame from the broker";
  return new StompBrokerError(`broker error: ${message}`, frame.headers, frame.body.toString("utf8"));
}
