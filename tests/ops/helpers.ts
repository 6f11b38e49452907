import {
  type Dynalite,
  freePort,
  ManagedProcess,
  type MariaDb,
  startDynalite,
  startMariaDb,
  waitUntil,
} from "../../local/deps";
import type { BackupSources } from "../../ops/backup/backup";

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts a server process (killed with its group when the test process exits) and waits for `readyUrl`. */
export async function startServer(
  name: string,
  command: string,
  args: string[],
  readyUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ManagedProcess> {
  const server = new ManagedProcess({ name, command, args, env });
  server.start();
  await waitUntil(async () => (await fetch(readyUrl)).ok, { what: name, timeoutMs: 30_000, process: server });
  return server;
}

export async function prometheusQuery(
  prometheusUrl: string,
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result;
}

/** A MariaDB and a dynalite of the test's own, as backup sources (MySQL: `databases`). */
export async function startBackupStores(
  databases: string[],
): Promise<{ mysql: MariaDb; dynamo: Dynalite; sources: BackupSources; stop(): Promise<void> }> {
  const [mysql, dynamo] = await Promise.all([startMariaDb({}), startDynalite({})]);
  return {
    mysql,
    dynamo,
    sources: {
      mysql: {
        target: { host: "127.0.0.1", port: mysql.port, user: mysql.rootUser, password: mysql.rootPassword },
        databases,
      },
      dynamodb: { endpoint: dynamo.endpoint },
    },
    stop: async () => {
      await Promise.all([mysql.stop(), dynamo.stop()]);
    },
  };
}

export { freePort };
