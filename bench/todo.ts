/**
 * What verified TLS to the database costs the todo service: the same service twice against one
 * MariaDB, once over TLS (verify-identity, the catalog's setting) and once in plain text as the
 * baseline, each with its own database seeded alike. GET /todos (a 20-task list) and POST /todos
 * (one insert and one read back). Load comes from autocannon in a separate process (closed loop);
 * the sides alternate over rounds so drift on a shared machine hits both alike.
 * Run: `npm run bench -- todo` or `tsx bench/todo.ts`.
 */
import { readFileSync } from "node:fs";
import type { TodoConfig } from "../apps/todo/src/config";
import { type RunningTodo, startTodo } from "../apps/todo/src/todo-service";
import { type MariaDb, startMariaDb } from "../local/deps";
import { type LoadResult, load as loadWith, meanOf, runStandalone, tableRow } from "./_shared";

const ROUNDS = 2;
const SECONDS_PER_SIDE = 5;
const CONNECTIONS = 16;
const SEEDED_TASKS = 20;
const POOL_SIZE = 10;

function load(url: string, method: "GET" | "POST"): Promise<LoadResult> {
  return loadWith(url, {
    connections: CONNECTIONS,
    seconds: SECONDS_PER_SIDE,
    method,
    ...(method === "POST" ? { body: '{"title":"benchmark task"}' } : {}),
  });
}

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
      results.plainGet.push(await load(`${plain.url}/todos`, "GET"));
      results.tlsGet.push(await load(`${tls.url}/todos`, "GET"));
    }
    for (let round = 0; round < ROUNDS; round++) {
      writes.plainPost.push(await load(`${plain.url}/todos`, "POST"));
      writes.tlsPost.push(await load(`${tls.url}/todos`, "POST"));
    }
    const f = (side: LoadResult[], key: keyof LoadResult) => Math.round(meanOf(side, key) * 10) / 10;
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
      "GET /todos, plain text (baseline)": tableRow(
        figures.get_plain_rps,
        figures.get_plain_p50_ms,
        figures.get_plain_p99_ms,
      ),
      "GET /todos, TLS verify-identity": tableRow(
        figures.get_tls_rps,
        figures.get_tls_p50_ms,
        figures.get_tls_p99_ms,
      ),
      "POST /todos, plain text (baseline)": tableRow(
        figures.post_plain_rps,
        figures.post_plain_p50_ms,
        figures.post_plain_p99_ms,
      ),
      "POST /todos, TLS verify-identity": tableRow(
        figures.post_tls_rps,
        figures.post_tls_p50_ms,
        figures.post_tls_p99_ms,
      ),
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

if (require.main === module) runStandalone(run);
