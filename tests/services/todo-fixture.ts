import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { TodoConfig } from "../../apps/todo/src/config";
import { type MariaDb, startMariaDb } from "../../local/deps/mariadb";
import { waitUntil } from "../../local/deps/wait";

export const TODO_DATABASE = "todo";
export const TODO_USER = "todo";

/** A MariaDB of the test's own that serves TLS and refuses plain text, with the todo database and user. */
export async function startSecureMariaDb(): Promise<{ db: MariaDb; password: string }> {
  const db = await startMariaDb({ tls: true, requireSecureTransport: true });
  const password = randomBytes(12).toString("base64url");
  await db.createDatabase(TODO_DATABASE, TODO_USER, password, { requireTls: true });
  return { db, password };
}

/** The configuration the catalog gives the service: verified TLS, the CA as a file path, a free port. */
export function todoConfigFor(
  db: MariaDb,
  password: string,
  overrides: Partial<TodoConfig["db"]> = {},
): TodoConfig {
  if (!db.tls) throw new Error("the MariaDB under test has no TLS files");
  return {
    port: 0,
    startupTimeoutMs: 10_000,
    db: {
      host: db.host,
      port: db.port,
      user: TODO_USER,
      password,
      database: TODO_DATABASE,
      tls: { mode: "verify-identity", ca: readFileSync(db.tls.caFile, "utf8"), caSource: db.tls.caFile },
      poolSize: 5,
      connectTimeoutMs: 3000,
      queryTimeoutMs: 3000,
      ...overrides,
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** One HTTP call; `body` is sent as JSON unless it is already a string. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers = { "content-type": "application/json", ...headers };
  }
  const response = await fetch(new URL(path, base), init);
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Retries `assertion` until it passes; fails with its last error once `timeoutMs` has passed. */
export async function eventually(
  what: string,
  assertion: () => Promise<void>,
  timeoutMs = 30_000,
): Promise<void> {
  await waitUntil(
    async () => {
      await assertion();
      return true;
    },
    { what, timeoutMs, intervalMs: 250 },
  );
}

/** Log lines of services under test are dropped (set TODO_TEST_LOGS=1 to see them). */
export const quiet = process.env.TODO_TEST_LOGS ? {} : { logLevel: "silent" };
