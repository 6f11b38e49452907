/**
 * Processes for the ingest benchmark and the load test: a MariaDB of their own, the webhook in its
 * own process, and tgibf in another, so the load generator never shares an event loop (or a
 * garbage collector) with the server it measures.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { LoadReport } from "../apps/tgibf/src/report";
import { freePort, ManagedProcess, type MariaDb, startMariaDb, throwAwayDir } from "../local/deps";

export const repoRoot = join(__dirname, "..");
const TSX_CLI = join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");

export interface WebhookDatabase {
  mariadb: MariaDb;
  env: Record<string, string>;
}

/** A throw-away MariaDB (innodb_flush_log_at_trx_commit=1) with the webhook's database and user. */
export async function startWebhookDatabase(
  options: { bufferPoolMb?: number } = {},
): Promise<WebhookDatabase> {
  const mariadb = await startMariaDb({ bufferPoolMb: options.bufferPoolMb ?? 256 });
  const password = randomBytes(12).toString("base64url");
  await mariadb.createDatabase("call_events", "call_webhook", password);
  return {
    mariadb,
    env: {
      MYSQL_HOST: mariadb.host,
      MYSQL_PORT: String(mariadb.port),
      MYSQL_USER: "call_webhook",
      MYSQL_PASSWORD: password,
      MYSQL_DATABASE: "call_events",
    },
  };
}

/** Runs a TypeScript entry in its own Node process (through tsx), output captured line by line. */
export function tsProcess(
  name: string,
  entry: string,
  args: string[],
  env: Record<string, string>,
  onLine?: (stream: "stdout" | "stderr", line: string) => void,
): ManagedProcess {
  return new ManagedProcess({
    name,
    command: process.execPath,
    args: [TSX_CLI, join(repoRoot, entry), ...args],
    cwd: repoRoot,
    env: { ...process.env, ...env },
    logFile: join(throwAwayDir(name), `${name}.log`),
    onLine: onLine ? (l) => onLine(l.stream, l.line) : undefined,
  });
}

export interface WebhookProcess {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Starts call-webhook in its own process and waits until it is ready. */
export async function startWebhookProcess(
  database: WebhookDatabase,
  env: Record<string, string> = {},
): Promise<WebhookProcess> {
  const port = await freePort();
  const child = tsProcess("call-webhook", "apps/call-webhook/src/main.ts", [], {
    ...database.env,
    PORT: String(port),
    LOG_LEVEL: "warn",
    ...env,
  });
  child.start();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!child.running) throw new Error(`call-webhook exited while starting:\n${child.tailText()}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await child.kill();
      throw new Error(`call-webhook was not ready within 60 s:\n${child.tailText()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    process: child,
    stop: async () => {
      await child.stop(15_000);
      await child.close();
    },
  };
}

/**
 * Runs tgibf to completion with --json and returns its report. `onProgress` receives its progress
 * lines (stderr) as they come. `via` runs another entry that takes tgibf's options and prints its
 * report (bench/_tgibf-latencies.ts), with extra environment.
 */
export async function runTgibf(
  webhook: string,
  args: string[],
  onProgress?: (line: string) => void,
  via: { entry: string; env?: Record<string, string> } = { entry: "apps/tgibf/src/main.ts" },
): Promise<LoadReport> {
  let json: string | undefined;
  const child = tsProcess(
    "tgibf",
    via.entry,
    [...args, "--json"],
    { ...via.env, WEBHOOK: webhook },
    (stream, line) => {
      if (stream === "stdout" && line.startsWith("{")) json = line;
      else if (stream === "stderr") onProgress?.(line);
    },
  );
  child.start();
  await child.waitForExit();
  // The last output lines may be read just after the exit event.
  for (let i = 0; i < 40 && json === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  await child.close();
  if (child.exit?.code !== 0 || json === undefined) {
    throw new Error(`tgibf failed (exit ${child.exit?.code ?? child.exit?.signal}):\n${child.tailText()}`);
  }
  return JSON.parse(json) as LoadReport;
}
