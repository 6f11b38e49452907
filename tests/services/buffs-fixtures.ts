import { randomBytes } from "node:crypto";
import type { BrokerConfig } from "../../apps/buffs-dashboard/src/broker-config";
import { type Dashboard, startDashboard } from "../../apps/buffs-dashboard/src/dashboard";
import type { ServerConfig } from "../../apps/buffs-server/src/config";
import { type BuffsServer, type ServerOptions, startServer } from "../../apps/buffs-server/src/server";
import { StompClient } from "../../lib/stomp";
import type { ActiveMq, MariaDb, Redis } from "../../local/deps";

/** Polls `probe` until it returns a value other than undefined/null/false, or fails after the deadline. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`,
      );
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** One sample of a Prometheus metric from a service's /metrics (0 when absent). */
export async function metric(
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (matches) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString("hex")}`;
}

export interface BuffsDeps {
  mysql: MariaDb;
  redis: Redis;
  activemq: ActiveMq;
}

export interface BuffsSystem {
  dashboard: Dashboard;
  server: BuffsServer;
  database: string;
  destination: string;
  deadLetterDestination: string;
  /** The Redis key of this system's list (the real one is `buffs`; each test system has its own). */
  cacheKey: string;
  close(): Promise<void>;
}

/**
 * A dashboard and a server in this process, on their own database and queue names, so suites on
 * one shared set of dependencies do not see each other's Buffs.
 */
export async function startBuffsSystem(
  deps: BuffsDeps,
  options: {
    token?: string;
    server?: ServerOptions;
    database?: string;
    destination?: string;
    /** Redis nodes other than `deps.redis`, e.g. a cluster. */
    redis?: ServerConfig["redis"];
    /** How both reach the broker, instead of `deps.activemq`'s plain STOMP port (e.g. over TLS). */
    mq?: BrokerConfig;
  } = {},
): Promise<BuffsSystem> {
  const database = options.database ?? uniqueName("buffs");
  const password = randomBytes(12).toString("hex");
  await deps.mysql.createDatabase(database, database, password);
  const destination = options.destination ?? `/queue/${uniqueName("buffs")}`;
  const deadLetterDestination = `${destination}.DLQ`;
  const cacheKey = uniqueName("buffs");
  const mq = options.mq ?? {
    host: deps.activemq.host,
    port: deps.activemq.stompPort,
    login: deps.activemq.user,
    passcode: deps.activemq.password,
    tls: false,
  };
  const server = await startServer(
    {
      port: 0,
      mq,
      destination,
      deadLetterDestination,
      prefetch: 10,
      db: { host: deps.mysql.host, port: deps.mysql.port, database, user: database, password },
      redis: options.redis ?? {
        nodes: [{ host: deps.redis.host, port: deps.redis.port }],
        password: deps.redis.password,
      },
      cacheKey,
      cacheTtlSeconds: 10,
    },
    { logLevel: "warn", ...options.server },
  );
  const dashboard = await startDashboard(
    { port: 0, mq, destination, token: options.token },
    { logLevel: "warn" },
  );
  await Promise.all([dashboard.bus.whenConnected(60_000), server.bus.whenConnected(60_000)]);
  return {
    dashboard,
    server,
    database,
    destination,
    deadLetterDestination,
    cacheKey,
    async close() {
      await Promise.all([dashboard.close(), server.close()]);
    },
  };
}

/** A STOMP client of the test's own, connected. */
export async function connectedClient(activemq: ActiveMq): Promise<StompClient> {
  const client = new StompClient({
    host: activemq.host,
    port: activemq.stompPort,
    login: activemq.user,
    passcode: activemq.password,
  });
  client.start();
  await eventually("the test's STOMP client to connect", () => client.connected);
  return client;
}

export async function postBuff(
  dashboardUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${dashboardUrl}/buff`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export interface ServedBuff {
  ID: number;
  CreatedAt: string;
  UpdatedAt: string;
  DeletedAt: string | null;
  buffId: string | null;
  question: string;
  answers: string[];
}

export async function getBuffs(serverUrl: string): Promise<ServedBuff[]> {
  const response = await fetch(`${serverUrl}/buffs`);
  if (response.status !== 200) throw new Error(`GET /buffs answered ${response.status}`);
  return (await response.json()) as ServedBuff[];
}

/**
 * The broker's own figures for a queue (ActiveMQ's statistics plugin, which local/deps enables):
 * `size` (messages waiting or delivered but not acknowledged), `enqueueCount`, `dequeueCount`
 * (acknowledged), `inflightCount` (delivered, not yet acknowledged).
 */
export async function queueStatistics(
  client: StompClient,
  destination: string,
): Promise<Record<string, number>> {
  const queue = destination.replace(/^\/queue\//, "");
  const replyTo = `/queue/${uniqueName("statistics_reply")}`;
  let answer: string | undefined;
  const subscription = client.subscribe(
    replyTo,
    async (message) => {
      answer = message.body;
    },
    { headers: { transformation: "jms-map-json" } },
  );
  try {
    await client.send(`/queue/ActiveMQ.Statistics.Destination.${queue}`, "", { "reply-to": replyTo });
    const body = await eventually(`statistics of ${queue}`, () => answer, 10_000);
    const entries = (JSON.parse(body) as { map: { entry: Record<string, unknown>[] } }).map.entry;
    const figures: Record<string, number> = {};
    for (const entry of entries) {
      const value = entry.long ?? entry.int ?? entry.double;
      if (typeof entry.string === "string" && typeof value === "number") figures[entry.string] = value;
    }
    return figures;
  } finally {
    await subscription.unsubscribe();
  }
}
