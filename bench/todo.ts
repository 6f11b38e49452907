/**
 * What verified TLS to the database costs the todo service: the same service twice against one
 * MariaDB, once over TLS (verify-identity, the catalog's setting) and once in plain text as the
 * baseline, each with its own database seeded alike. GET /todos (a 20-task list) and POST /todos
 * (one insert and one read back). Load comes from autocannon in a separate process (closed loop);
 * the sides alternate over rounds so drift on a shared machine hits both alike.
 * Run: `npm run bench -- todo` or `tsx bench/todo.ts`.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TodoConfig } from "../apps/todo/src/config";
import { type RunningTodo, startTodo } from "../apps/todo/src/todo-service";
import { type MariaDb, startMariaDb } from "../local/deps";

const ROUNDS = 2;
const SECONDS_PER_SIDE = 5;
const CONNECTIONS = 16;
const SEEDED_TASKS = 20;
const POOL_SIZE = 10;

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
}

async function load(url: string, method: "GET" | "POST", expected: "2xx"): Promise<LoadResult> {
  const autocannon = join(__dirname, "..", "node_modules", "autocannon", "autocannon.js");
  const args = [autocannon, "--json", "-c", String(CONNECTIONS), "-d", String(SECONDS_PER_SIDE)];
  if (method === "POST")
    args.push("-m", "POST", "-H", "content-type=application/json", "-b", '{"title":"benchmark task"}');
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
  if (result.non2xx > 0 || result.errors > 0 || result[expected] === 0)
    throw new Error(
      `${method} ${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors: not a valid run`,
    );
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

async function startSide(db: MariaDb, name: string, tls: boolean): Promise<RunningTodo> {
  const password = `bench-${name}-password`;
  await db.createDatabase(name, name, password, { requireTls: tls });
  const config: TodoConfig = {
    port: 0,
    startupTimeoutMs: 10_000,
    db: {
      host: db.host,
      port: db.port,
      user: name,
      password,
      database: name,
      ...(tls
        ? {
            tls: {
              mode: "verify-identity",
              ca: readFileSync(db.tls!.caFile, "utf8"),
              caSource: db.tls!.caFile,
            },
          }
        : {}),
      poolSize: POOL_SIZE,
      connectTimeoutMs: 3000,
      queryTimeoutMs: 3000,
    },
  };
  const todo = await startTodo(config, { logLevel: "warn" });
  for (let i = 0; i < SEEDED_TASKS; i++) {
    const answer = await fetch(`${todo.url}/todos`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: `seeded task ${i}` }),
    });
    if (answer.status !== 201) throw new Error(`seeding ${name}: ${answer.status}`);
  }
  return todo;
}

export async function run(_opts: { json: boolean }): Promise<Record<string, number>> {
  const db = await startMariaDb({ tls: true });
  const started: RunningTodo[] = [];
  try {
    const plain = await startSide(db, "todo_plain", false);
    started.push(plain);
    const tls = await startSide(db, "todo_tls", true);
    started.push(tls);

    const results = { plainGet: [] as LoadResult[], tlsGet: [] as LoadResult[] };
    const writes = { plainPost: [] as LoadResult[], tlsPost: [] as LoadResult[] };
    for (let round = 0; round < ROUNDS; round++) {
      results.plainGet.push(await load(`${plain.url}/todos`, "GET", "2xx"));
      results.tlsGet.push(await load(`${tls.url}/todos`, "GET", "2xx"));
    }
    for (let round = 0; round < ROUNDS; round++) {
      writes.plainPost.push(await load(`${plain.url}/todos`, "POST", "2xx"));
      writes.tlsPost.push(await load(`${tls.url}/todos`, "POST", "2xx"));
    }
    const f = (side: LoadResult[], key: keyof LoadResult) =>
      Math.round(mean(side.map((r) => r[key])) * 10) / 10;
    const figures = {
      get_plain_rps: Math.round(f(results.plainGet, "rps")),
      get_tls_rps: Math.round(f(results.tlsGet, "rps")),
      get_tls_ratio_percent: Math.round((f(results.tlsGet, "rps") / f(results.plainGet, "rps")) * 1000) / 10,
      get_plain_p50_ms: f(results.plainGet, "p50"),
      get_plain_p99_ms: f(results.plainGet, "p99"),
      get_tls_p50_ms: f(results.tlsGet, "p50"),
      get_tls_p99_ms: f(results.tlsGet, "p99"),
      post_plain_rps: Math.round(f(writes.plainPost, "rps")),
      post_tls_rps: Math.round(f(writes.tlsPost, "rps")),
      post_tls_ratio_percent: Math.round((f(writes.tlsPost, "rps") / f(writes.plainPost, "rps")) * 1000) / 10,
      post_plain_p50_ms: f(writes.plainPost, "p50"),
      post_plain_p99_ms: f(writes.plainPost, "p99"),
      post_tls_p50_ms: f(writes.tlsPost, "p50"),
      post_tls_p99_ms: f(writes.tlsPost, "p99"),
    };
    console.log(
      `${CONNECTIONS} connections, pool of ${POOL_SIZE}, ${ROUNDS} rounds of ${SECONDS_PER_SIDE} s per side; GET lists ${SEEDED_TASKS} tasks`,
    );
    console.table({
      "GET /todos, plain text (baseline)": {
        "req/s": figures.get_plain_rps,
        "p50 ms": figures.get_plain_p50_ms,
        "p99 ms": figures.get_plain_p99_ms,
      },
      "GET /todos, TLS verify-identity": {
        "req/s": figures.get_tls_rps,
        "p50 ms": figures.get_tls_p50_ms,
        "p99 ms": figures.get_tls_p99_ms,
      },
      "POST /todos, plain text (baseline)": {
        "req/s": figures.post_plain_rps,
        "p50 ms": figures.post_plain_p50_ms,
        "p99 ms": figures.post_plain_p99_ms,
      },
      "POST /todos, TLS verify-identity": {
        "req/s": figures.post_tls_rps,
        "p50 ms": figures.post_tls_p50_ms,
        "p99 ms": figures.post_tls_p99_ms,
      },
    });
    console.log(
      `over TLS: GET at ${figures.get_tls_ratio_percent}% and POST at ${figures.post_tls_ratio_percent}% of the plain-text throughput`,
    );
    return figures;
  } finally {
    await Promise.all(started.map((todo) => todo.close()));
    await db.stop();
  }
}

if (require.main === module) {
  run({ json: false }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
