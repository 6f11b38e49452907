/** Helpers the benchmarks share (a leading `_` keeps bench/run.ts from running this file). */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  /** Sent as `-m`; when set, also names the run in errors. Absent means GET. */
  method?: "GET" | "POST";
  /** A JSON body, sent with content-type application/json. */
  body?: string;
}

/**
 * One autocannon run in a separate process (closed loop: each connection sends its next request
 * when the previous answer arrives). A run with any non-2xx answer, any error, or no 2xx at all is
 * not a valid measurement and throws.
 */
export async function load(url: string, options: LoadOptions): Promise<LoadResult> {
  const autocannon = join(__dirname, "..", "node_modules", "autocannon", "autocannon.js");
  const args = [autocannon, "--json", "-c", String(options.connections), "-d", String(options.seconds)];
  if (options.method === "POST") args.push("-m", "POST");
  if (options.body !== undefined) args.push("-H", "content-type=application/json", "-b", options.body);
  const { stdout } = await promisify(execFile)(process.execPath, [...args, url], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    "2xx": number;
  };
  if (result.non2xx > 0 || result.errors > 0 || result["2xx"] === 0) {
    const run = options.method === undefined ? url : `${options.method} ${url}`;
    throw new Error(`${run}: ${result.non2xx} non-2xx answers and ${result.errors} errors: not a valid run`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** The mean of one figure over a side's rounds. */
export function meanOf(side: LoadResult[], key: keyof LoadResult): number {
  return side.reduce((sum, result) => sum + result[key], 0) / side.length;
}

/** One row of the console table every benchmark prints. */
export function tableRow(rps: number, p50: number, p99: number): Record<string, number> {
  return { "req/s": rps, "p50 ms": p50, "p99 ms": p99 };
}

/** `tsx bench/<name>.ts`: runs the benchmark alone and exits with its outcome. */
export function runStandalone(run: (opts: { json: boolean }) => Promise<unknown>): void {
  run({ json: false }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
