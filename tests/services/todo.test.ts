import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql, { type RowDataPacket } from "mysql2/promise";
import { loadTodoConfig } from "../../apps/todo/src/config";
import { migrate } from "../../apps/todo/src/migrate";
import { migrations } from "../../apps/todo/src/migrations";
import { type RunningTodo, startTodo } from "../../apps/todo/src/todo-service";
import type { MariaDb } from "../../local/deps/mariadb";
import { ensureServerCertificate } from "../../local/deps/tls";
import { frozen } from "../harness/frozen";
import {
  call,
  eventually,
  quiet,
  startSecureMariaDb,
  TODO_DATABASE,
  TODO_USER,
  todoConfigFor,
} from "./todo-fixture";

interface TodoBody {
  id: number;
  title: string;
  done: boolean;
  createdAt: string;
  updatedAt: string;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function assertTodoShape(body: unknown): asserts body is TodoBody {
  const todo = body as TodoBody;
  assert.deepEqual(Object.keys(todo).sort(), ["createdAt", "done", "id", "title", "updatedAt"]);
  assert.ok(Number.isInteger(todo.id) && todo.id > 0, `id ${todo.id}`);
  assert.equal(typeof todo.title, "string");
  assert.equal(typeof todo.done, "boolean");
  assert.match(todo.createdAt, ISO_UTC);
  assert.match(todo.updatedAt, ISO_UTC);
}

describe("todo: configuration from the environment", () => {
  const dir = mkdtempSync(join(tmpdir(), "todo-config-"));
  const caFile = join(dir, "ca.pem");
  const base = { DB_HOST: "db.internal", DB_USER: "todo", DB_PASSWORD: "secret", DB_NAME: "todo" };
  before(async () => {
    const files = await ensureServerCertificate(dir);
    writeFileSync(caFile, readFileSync(files.caFile));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the database settings, with TLS off when no CA is given", () => {
    const config = loadTodoConfig({ ...base, DB_PORT: "3307", PORT: "3000" });
    assert.equal(config.port, 3000);
    assert.deepEqual(
      { ...config.db, tls: config.db.tls ?? "none" },
      {
        host: "db.internal",
        port: 3307,
        user: "todo",
        password: "secret",
        database: "todo",
        tls: "none",
        poolSize: 10,
        connectTimeoutMs: 5000,
        queryTimeoutMs: 5000,
      },
    );
  });

  it("turns verified TLS on with the host name checked as soon as a CA is given", () => {
    const config = loadTodoConfig({ ...base, DB_TLS_CA: caFile });
    assert.equal(config.db.tls?.mode, "verify-identity");
    assert.match(config.db.tls?.ca ?? "", /BEGIN CERTIFICATE/);
    assert.equal(config.db.tls?.caSource, caFile);
  });

  it("accepts the CA bundle as PEM text, and verify-ca", () => {
    const pem = readFileSync(caFile, "utf8");
    const config = loadTodoConfig({ ...base, DB_TLS_MODE: "verify-ca", DB_TLS_CA: pem });
    assert.equal(config.db.tls?.mode, "verify-ca");
    assert.equal(config.db.tls?.ca, pem.trim());
  });

  const refused: [string, NodeJS.ProcessEnv, RegExp][] = [
    ["a missing DB_HOST", { ...base, DB_HOST: undefined }, /DB_HOST is required/],
    ["a non-numeric DB_PORT", { ...base, DB_PORT: "db" }, /DB_PORT must be an integer/],
    [
      "an unknown TLS mode",
      { ...base, DB_TLS_MODE: "required" },
      /DB_TLS_MODE must be one of disabled, verify-ca/,
    ],
    [
      "verification without a CA",
      { ...base, DB_TLS_MODE: "verify-ca" },
      /DB_TLS_CA is required when DB_TLS_MODE/,
    ],
    [
      "a CA file that does not exist",
      { ...base, DB_TLS_CA: join(dir, "nope.pem") },
      /cannot read the CA bundle/,
    ],
    ["a CA file without a certificate", { ...base, DB_TLS_CA: __filename }, /holds no PEM certificate/],
  ];
  for (const [what, env, reason] of refused) {
    it(`refuses ${what}, naming the variable`, () => {
      assert.throws(() => loadTodoConfig(env), reason);
    });
  }
});

describe("todo: on MariaDB with TLS and require_secure_transport=ON", function () {
  this.timeout(180_000);
  let db: MariaDb;
  let password: string;
  let todo: RunningTodo;
  let base: string;

  before(async () => {
    ({ db, password } = await startSecureMariaDb());
    todo = await startTodo(todoConfigFor(db, password), quiet);
    base = todo.url;
  });
  after(async () => {
    await todo?.close();
    await db?.stop();
  });

  describe("the connection", () => {
    it("is encrypted: the app's session runs over TLS", async () => {
      const [rows] = await todo.pool.query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'");
      assert.match(String(rows[0]?.Value), /^TLSv1\.[23]$/);
    });

    it("the server refuses a plain-text connection (require_secure_transport) that succeeds over TLS", async () => {
      // root has no per-account REQUIRE SSL, so only require_secure_transport can refuse it.
      const accounts = await db.query<RowDataPacket[]>(
        "SELECT ssl_type FROM mysql.user WHERE user = 'root' AND host = '127.0.0.1'",
      );
      assert.equal(accounts[0]?.ssl_type, "");
      const root = { host: db.host, port: db.port, user: db.rootUser, password: db.rootPassword };
      // MariaDB 10.11 answers a refused insecure transport with "Access denied".
      await assert.rejects(mysql.createConnection(root), /Access denied|insecure transport/i);
      const overTls = await mysql.createConnection({
        ...root,
        ssl: { ca: readFileSync(db.tls!.caFile, "utf8"), rejectUnauthorized: true },
      });
      await overTls.end();
    });

    it("the app with TLS disabled fails to start: the server refuses it", async () => {
      const config = todoConfigFor(db, password);
      delete config.db.tls;
      await assert.rejects(
        startTodo(config, quiet),
        /access denied for user todo .*requires TLS, set DB_TLS_CA/,
      );
    });

    it("the app refuses a server whose certificate is not signed by its CA, without retrying", async () => {
      const otherDir = mkdtempSync(join(tmpdir(), "todo-other-ca-"));
      try {
        const other = await ensureServerCertificate(otherDir);
        const config = todoConfigFor(db, password, {
          tls: { mode: "verify-ca", ca: readFileSync(other.caFile, "utf8"), caSource: other.caFile },
        });
        config.startupTimeoutMs = 120_000; // a retry loop would outlive the test's timeout
        const started = Date.now();
        await assert.rejects(startTodo(config, quiet), (error: Error) => {
          assert.match(error.message, /database TLS: the server certificate is not trusted by the CA bundle/);
          assert.ok(error.message.includes(other.caFile), error.message);
          return true;
        });
        assert.ok(Date.now() - started < 60_000, "start-up gave up at once instead of retrying");
      } finally {
        rmSync(otherDir, { recursive: true, force: true });
      }
    });

    it("refuses wrong credentials with a clear error", async () => {
      await assert.rejects(
        startTodo(todoConfigFor(db, "wrong-password"), quiet),
        /access denied for user todo/,
      );
    });
  });

  describe("migrations", () => {
    it("ran at start and are recorded in schema_migrations", async () => {
      const rows = await db.query<RowDataPacket[]>(
        `SELECT version, name FROM ${TODO_DATABASE}.schema_migrations ORDER BY version`,
      );
      assert.deepEqual(
        rows.map((r) => [r.version, r.name]),
        migrations.map((m) => [m.version, m.name]),
      );
    });

    it("apply nothing the second time (a restart or a second instance)", async () => {
      assert.deepEqual(await migrate(todo.pool, migrations), []);
    });

    it("run once when two instances start together on a new database (advisory lock)", async () => {
      await db.createDatabase("todo_race", TODO_USER, password, { requireTls: true });
      const config = todoConfigFor(db, password, { database: "todo_race" });
      const both = await Promise.all([startTodo(config, quiet), startTodo(config, quiet)]);
      try {
        const rows = await db.query<RowDataPacket[]>("SELECT version FROM todo_race.schema_migrations");
        assert.deepEqual(
          rows.map((r) => r.version),
          migrations.map((m) => m.version),
        );
        for (const instance of both) assert.equal((await call(instance.url, "GET", "/todos")).status, 200);
      } finally {
        await Promise.all(both.map((instance) => instance.close()));
      }
    });

    it("created the table as InnoDB with utf8mb4", async () => {
      const rows = await db.query<RowDataPacket[]>(
        "SELECT engine, table_collation FROM information_schema.tables WHERE table_schema = ? AND table_name = 'todos'",
        [TODO_DATABASE],
      );
      assert.equal(rows[0]?.engine, "InnoDB");
      assert.match(String(rows[0]?.table_collation), /^utf8mb4_/);
    });
  });

  describe("the REST API", () => {
    it("lists no tasks at first", async () => {
      const answer = await call(base, "GET", "/todos");
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json, []);
    });

    it("creates a task: 201 with the task, its title trimmed, and a Location", async () => {
      const answer = await call(base, "POST", "/todos", { title: "  buy milk  " });
      assert.equal(answer.status, 201);
      assertTodoShape(answer.json);
      assert.equal(answer.json.title, "buy milk");
      assert.equal(answer.json.done, false);
      assert.equal(answer.json.createdAt, answer.json.updatedAt);
      assert.equal(answer.headers.get("location"), `todos/${answer.json.id}`);
      const listed = await call(base, "GET", "/todos");
      assert.deepEqual(listed.json, [answer.json]);
    });

    it("keeps titles of 200 characters, counting an emoji as one, and any Unicode", async () => {
      const title = `${"é".repeat(198)}🚀✓`;
      const created = await call(base, "POST", "/todos", { title });
      assert.equal(created.status, 201);
      assertTodoShape(created.json);
      assert.equal(created.json.title, title);
      const fetched = await call(base, "GET", `/todos/${created.json.id}`);
      assert.deepEqual(fetched.json, created.json);
    });

    it("lists tasks in the order they were created", async () => {
      const a = (await call(base, "POST", "/todos", { title: "first" })).json as TodoBody;
      const b = (await call(base, "POST", "/todos", { title: "second" })).json as TodoBody;
      const ids = ((await call(base, "GET", "/todos")).json as TodoBody[]).map((t) => t.id);
      assert.ok(ids.indexOf(a.id) < ids.indexOf(b.id), JSON.stringify(ids));
    });

    it("completes, reopens and renames a task with PATCH", async () => {
      const created = (await call(base, "POST", "/todos", { title: "write tests" })).json as TodoBody;
      const done = await call(base, "PATCH", `/todos/${created.id}`, { done: true });
      assert.equal(done.status, 200);
      assertTodoShape(done.json);
      assert.deepEqual({ ...done.json, updatedAt: "" }, { ...created, done: true, updatedAt: "" });
      assert.ok(done.json.updatedAt >= created.updatedAt);

      const both = await call(base, "PATCH", `/todos/${created.id}`, {
        title: " write more tests ",
        done: false,
      });
      assert.equal(both.status, 200);
      assert.deepEqual(
        { title: (both.json as TodoBody).title, done: (both.json as TodoBody).done },
        { title: "write more tests", done: false },
      );
      const stored = await call(base, "GET", `/todos/${created.id}`);
      assert.deepEqual(stored.json, both.json);
    });

    it("deletes a task: 204 with no body, then 404 for it", async () => {
      const created = (await call(base, "POST", "/todos", { title: "temporary" })).json as TodoBody;
      const deleted = await call(base, "DELETE", `/todos/${created.id}`);
      assert.equal(deleted.status, 204);
      assert.equal(deleted.text, "");
      assert.equal((await call(base, "GET", `/todos/${created.id}`)).status, 404);
      const listed = (await call(base, "GET", "/todos")).json as TodoBody[];
      assert.ok(!listed.some((t) => t.id === created.id));
    });

    for (const [method, body] of [
      ["GET", undefined],
      ["PATCH", { done: true }],
      ["DELETE", undefined],
    ] as const) {
      it(`answers 404 with a reason to ${method} of a missing task`, async () => {
        const answer = await call(base, method, "/todos/999999", body);
        assert.equal(answer.status, 404);
        assert.deepEqual(answer.json, { error: "no task with id 999999" });
      });
    }

    const badCreates: [string, unknown, RegExp][] = [
      ["no title", {}, /title is required/],
      ["a numeric title", { title: 42 }, /title must be a string/],
      ["a null title", { title: null }, /title must be a string/],
      ["a blank title", { title: " \t\n " }, /title must not be empty/],
      ["a title of 201 characters", { title: "x".repeat(201) }, /at most 200 characters \(got 201\)/],
      ["an unknown field", { title: "ok", done: true }, /unknown field "done"; allowed: title/],
      ["an array", [{ title: "ok" }], /the body must be a JSON object/],
      ["a JSON string", '"buy milk"', /the body must be a JSON object/],
    ];
    for (const [what, body, reason] of badCreates) {
      it(`rejects a create with ${what}: 400 with the reason`, async () => {
        const answer = await call(base, "POST", "/todos", body);
        assert.equal(answer.status, 400);
        assert.match((answer.json as { error: string }).error, reason);
      });
    }

    const badPatches: [string, unknown, RegExp][] = [
      ["nothing to change", {}, /nothing to change: send title and\/or done/],
      ["done as a string", { done: "true" }, /done must be true or false/],
      ["done as a number", { done: 1 }, /done must be true or false/],
      ["an empty title", { title: "" }, /title must not be empty/],
      ["unknown fields", { done: true, id: 3, owner: "x" }, /unknown fields "id", "owner"/],
    ];
    for (const [what, body, reason] of badPatches) {
      it(`rejects a PATCH with ${what}: 400 with the reason, the task unchanged`, async () => {
        const created = (await call(base, "POST", "/todos", { title: "stable" })).json as TodoBody;
        const answer = await call(base, "PATCH", `/todos/${created.id}`, body);
        assert.equal(answer.status, 400);
        assert.match((answer.json as { error: string }).error, reason);
        assert.deepEqual((await call(base, "GET", `/todos/${created.id}`)).json, created);
      });
    }

    for (const id of ["0", "-1", "abc", "1.5", "01", "1e3", "99999999999999999999"]) {
      it(`rejects the id ${JSON.stringify(id)}: 400, a positive integer is required`, async () => {
        for (const method of ["GET", "DELETE"]) {
          const answer = await call(base, method, `/todos/${id}`);
          assert.equal(answer.status, 400, method);
          assert.match((answer.json as { error: string }).error, /id must be a positive integer/);
        }
      });
    }

    it("answers 400 for malformed JSON, with the parser's reason", async () => {
      const answer = await call(base, "POST", "/todos", '{"title": ');
      assert.equal(answer.status, 400);
      assert.match((answer.json as { error: string }).error, /malformed JSON/);
    });

    it("answers 415 for a body that is not JSON", async () => {
      const answer = await call(base, "POST", "/todos", "title=x", {
        "content-type": "application/x-www-form-urlencoded",
      });
      assert.equal(answer.status, 415);
    });

    it("answers 413 for a body over 16 KiB", async () => {
      const answer = await call(base, "POST", "/todos", { title: "x".repeat(20_000) });
      assert.equal(answer.status, 413);
    });

    it("answers 405 with Allow for a wrong method, and 404 for an unknown route", async () => {
      const wrong = await call(base, "PUT", "/todos/1", { title: "x" });
      assert.equal(wrong.status, 405);
      assert.match(wrong.headers.get("allow") ?? "", /PATCH/);
      const unknown = await call(base, "GET", "/tasks");
      assert.equal(unknown.status, 404);
    });

    it("serves the page at / with a strict content security policy", async () => {
      const answer = await call(base, "GET", "/");
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get("content-type") ?? "", /^text\/html/);
      assert.match(answer.text, /<form id="new-todo">/);
      const csp = answer.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'sha256-/);
      assert.doesNotMatch(answer.text, /https?:\/\//, "no external assets");
    });

    it("counts task changes in its metrics", async () => {
      const metrics = await call(base, "GET", "/metrics");
      assert.match(metrics.text, /todo_task_changes_total\{[^}]*change="created"[^}]*\} [1-9]/);
      assert.match(metrics.text, /todo_task_changes_total\{[^}]*change="completed"[^}]*\} [1-9]/);
      assert.match(metrics.text, /todo_task_changes_total\{[^}]*change="deleted"[^}]*\} [1-9]/);
    });

    it("is ready while the database answers", async () => {
      const ready = await call(base, "GET", "/readyz");
      assert.equal(ready.status, 200);
    });
  });

  describe("a database outage", () => {
    it("answers 503 when the database hangs (SIGSTOP), instead of holding requests, and recovers", async () => {
      assert.ok(db.pid, "MariaDB runs");
      const pid = db.pid;
      process.kill(pid, "SIGSTOP");
      try {
        await frozen(pid);
        // More requests than the pool has connections: the ones waiting for a connection must not hang either.
        const answers = await Promise.all(Array.from({ length: 12 }, () => call(base, "GET", "/todos")));
        for (const answer of answers) {
          assert.equal(answer.status, 503);
          assert.equal(answer.headers.get("retry-after"), "5");
        }
      } finally {
        process.kill(pid, "SIGCONT");
      }
      await eventually("GET /todos answers 200 once MariaDB runs again", async () => {
        assert.equal((await call(base, "GET", "/todos")).status, 200);
      });
      const created = await call(base, "POST", "/todos", { title: "after the hang" });
      assert.equal(created.status, 201);
      assert.equal((await call(base, "GET", `/todos/${(created.json as TodoBody).id}`)).status, 200);
    });

    it("answers 503 with Retry-After while the database is down, and recovers without a restart", async () => {
      const kept = (await call(base, "POST", "/todos", { title: "survives the outage" })).json as TodoBody;
      await db.kill();

      await eventually("GET /todos answers 503 while MariaDB is down", async () => {
        const answer = await call(base, "GET", "/todos");
        assert.equal(answer.status, 503);
        assert.equal(answer.headers.get("retry-after"), "5");
        assert.match((answer.json as { error: string }).error, /database is unavailable/);
      });
      const write = await call(base, "POST", "/todos", { title: "not stored" });
      assert.equal(write.status, 503);
      assert.equal((await call(base, "GET", "/readyz")).status, 503);
      assert.equal((await call(base, "GET", "/healthz")).status, 200, "the process stays alive");

      await db.restart();
      await eventually("GET /todos answers 200 again after MariaDB restarted", async () => {
        const answer = await call(base, "GET", "/todos");
        assert.equal(answer.status, 200);
        const titles = (answer.json as TodoBody[]).map((t) => t.title);
        assert.ok(titles.includes(kept.title));
        assert.ok(!titles.includes("not stored"));
      });
      const created = await call(base, "POST", "/todos", { title: "after the outage" });
      assert.equal(created.status, 201);
      await eventually("readiness recovers", async () => {
        assert.equal((await call(base, "GET", "/readyz")).status, 200);
      });
      const [rows] = await todo.pool.query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'");
      assert.match(String(rows[0]?.Value), /^TLSv1\.[23]$/, "reconnected over TLS");
    });
  });
});
