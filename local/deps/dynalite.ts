import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { httpAnswers } from "./probes";
import { type LineSink, ManagedProcess, throwAwayDir } from "./process";
import { onPort, type ServerControl, startServer } from "./server";

export interface DynaliteOptions {
  /** Default: a free port. */
  port?: number;
  /** Default: a throw-away temp dir. Tables live in LevelDB under `<dataDir>/db`. */
  dataDir?: string;
  /** How long new tables stay CREATING (dynalite's default 500 ms; real DynamoDB takes seconds). */
  createTableMs?: number;
  onLine?: LineSink;
  startupTimeoutMs?: number;
}

export interface Dynalite extends ServerControl {
  /** `http://127.0.0.1:<port>`: the DynamoDB endpoint to give the AWS SDK. */
  endpoint: string;
  host: string;
  port: number;
  dataDir: string;
  /** Any region and any credentials work; these are what the runner hands to services. */
  region: string;
}

export function startDynalite(options: DynaliteOptions = {}): Promise<Dynalite> {
  const dataDir = options.dataDir ?? throwAwayDir("dynalite");
  return onPort(options.port, (port) => startOn(port, dataDir, options));
}

async function startOn(port: number, dataDir: string, options: DynaliteOptions): Promise<Dynalite> {
  const dbDir = join(dataDir, "db");
  mkdirSync(dbDir, { recursive: true });
  const logFile = join(dataDir, "dynalite.log");
  const cli = join(dirname(require.resolve("dynalite/package.json")), "cli.js");
  const endpoint = `http://127.0.0.1:${port}`;
  const server = new ManagedProcess({
    name: "dynalite",
    command: process.execPath,
    args: [
      cli,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--path",
      dbDir,
      ...(options.createTableMs === undefined ? [] : ["--createTableMs", String(options.createTableMs)]),
    ],
    logFile,
    onLine: options.onLine,
  });
  const control = await startServer({
    what: `dynalite on port ${port}`,
    port,
    process: server,
    logFile,
    ready: () => httpAnswers(endpoint),
    timeoutMs: options.startupTimeoutMs ?? 30_000,
  });
  return Object.assign(control, { endpoint, host: "127.0.0.1", port, dataDir, region: "us-east-1" });
}
