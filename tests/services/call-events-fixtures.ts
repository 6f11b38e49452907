import { randomBytes } from "node:crypto";
import type { RowDataPacket } from "mysql2";
import mysql from "mysql2/promise";
import type { WebhookConfig } from "../../apps/call-webhook/src/config";
import type { MySqlConfig } from "../../apps/call-webhook/src/event-store";
import { type CallWebhook, startCallWebhook } from "../../apps/call-webhook/src/webhook";
import type { MariaDb } from "../../local/deps";

const LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "silent";

/** Polls `probe` until it returns something other than undefined/false; fails after the deadline. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let sequence = 0;

/** A valid call.new event (the issue's example) with a unique call_id, plus overrides. */
export function validEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  return {
    call_id: `1463669263.${randomBytes(3).toString("hex")}${sequence}`,
    code: "123456",
    type: "call.new",
    direction: "inbound",
    our_number: "0800000000",
    their_number: "11999990000",
    timestamp: "2017-01-01T00:00:00Z",
    ...overrides,
  };
}

/** A fresh database and user of its own on `mariadb`, so tests never see each other's rows. */
export async function createTestDatabase(mariadb: MariaDb): Promise<MySqlConfig> {
  const suffix = randomBytes(4).toString("hex");
  const database = `calls_${suffix}`;
  const user = `cw_${suffix}`;
  const password = randomBytes(12).toString("base64url");
  await mariadb.createDatabase(database, user, password);
  return { host: mariadb.host, port: mariadb.port, user, password, database, connections: 10 };
}

export async function startTestWebhook(
  mysqlConfig: MySqlConfig,
  overrides: Partial<WebhookConfig> = {},
): Promise<CallWebhook> {
  return startCallWebhook({
    port: 0,
    host: "127.0.0.1",
    mysql: mysqlConfig,
    batching: { maxBatchSize: 500, lingerMs: 2, maxInFlight: 2, maxBacklog: 5000, maxWaitMs: 30_000 },
    statementTimeoutMs: 30_000,
    breakerCooldownMs: 500,
    ingestMode: "group-commit",
    logLevel: LOG_LEVEL,
    ...overrides,
  });
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** The body as received (for assertion messages). */
  text: string;
  headers: Headers;
}

export async function postEvent(baseUrl: string, body: unknown, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${baseUrl}/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    text,
    headers: response.headers,
  };
}

/** A connection of the test's own (not the webhook's pool): what it reads is what is committed. */
export function separateConnection(config: MySqlConfig): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
  });
}

export async function storedCallIds(config: MySqlConfig): Promise<string[]> {
  const conn = await separateConnection(config);
  try {
    const [rows] = await conn.query<RowDataPacket[]>("SELECT call_id FROM call_events");
    return rows.map((r) => String(r.call_id));
  } finally {
    await conn.end();
  }
}

/** The value of one sample in Prometheus text, e.g. metricValue(text, "call_event_batch_size_events_count"). */
export function metricValue(text: string, name: string, labels = ""): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  if (!line) throw new Error(`no sample ${name}{${labels}} in the metrics`);
  return Number(line.slice(line.lastIndexOf(" ") + 1));
}
