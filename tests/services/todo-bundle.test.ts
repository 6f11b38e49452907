import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { MariaDb } from "../../local/deps";
import { ensureServerCertificate } from "../../local/deps/tls";
import { call, eventually, startSecureMariaDb, TODO_DATABASE, TODO_USER } from "./todo-fixture";

/** The image runs `node main.js` built by esbuild; this builds the same bundle and runs it as a process. */
describe("todo: the production bundle (what the Docker image runs)", function () {
  this.timeout(180_000);
  const outDir = mkdtempSync(join(tmpdir(), "todo-bundle-"));
  const bundle = join(outDir, "main.js");
  let db: MariaDb;
  let password: string;
  const children: ChildProcess[] = [];

  before(async () => {
    await build({
      entryPoints: [join(__dirname, "../../apps/todo/src/main.ts")],
      bundle: true,
      platform: "node",
      target: "node24",
      outfile: bundle,
      sourcemap: true,
      logLevel: "silent",
    });
    ({ db, password } = await startSecureMariaDb());
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await db?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  interface Run {
    child: ChildProcess;
    stdout: () => string;
    stderr: () => string;
    exit: Promise<number | null>;
  }

  /** Runs the bundle from its own directory, as in the image, with only the given environment. */
  function runBundle(env: Record<string, string>): Run {
    let out = "";
    let err = "";
    const child = spawn(process.execPath, ["--enable-source-maps", "main.js"], {
      cwd: outDir,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, stdout: () => out, stderr: () => err, exit };
  }

  const catalogLikeEnv = (caFile: string) => ({
    PORT: "0",
    DB_HOST: db.host,
    DB_PORT: String(db.port),
    DB_USER: TODO_USER,
    DB_PASSWORD: password,
    DB_NAME: TODO_DATABASE,
    DB_TLS_MODE: "verify-identity",
    DB_TLS_CA: caFile,
  });

  it("serves the page and the API over verified TLS, and stops cleanly on SIGTERM", async () => {
    const run = runBundle(catalogLikeEnv(db.tls!.caFile));
    let url = "";
    await eventually("the bundle logs that it listens", async () => {
      const line = run
        .stdout()
        .split("\n")
        .find((l) => l.includes('"msg":"listening"'));
      assert.ok(line, `no listening line yet; stderr: ${run.stderr()}`);
      url = (JSON.parse(line) as { url: string }).url;
    });
    const page = await call(url, "GET", "/");
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Tasks<\/h1>/);
    const created = await call(url, "POST", "/todos", { title: "from the bundle" });
    assert.equal(created.status, 201);
    assert.equal((await call(url, "GET", "/readyz")).status, 200);

    run.child.kill("SIGTERM");
    assert.equal(await run.exit, 0);
    assert.doesNotMatch(run.stdout(), /"level":"(error|fatal)"/);
  });

  it("exits 1 with one line naming the cause when the CA does not trust the server", async () => {
    const otherDir = mkdtempSync(join(tmpdir(), "todo-bundle-ca-"));
    try {
      const other = await ensureServerCertificate(otherDir);
      const run = runBundle(catalogLikeEnv(other.caFile));
      assert.equal(await run.exit, 1);
      const fatal = JSON.parse(run.stderr().trim().split("\n").pop() ?? "{}") as {
        level: string;
        msg: string;
      };
      assert.equal(fatal.level, "fatal");
      assert.match(fatal.msg, /database TLS: the server certificate is not trusted by the CA bundle/);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it("exits 1 naming the variable when the configuration is incomplete", async () => {
    const { DB_HOST: _omitted, ...withoutHost } = catalogLikeEnv(db.tls!.caFile);
    const run = runBundle(withoutHost);
    assert.equal(await run.exit, 1);
    assert.match(run.stderr(), /"level":"fatal".*"msg":"DB_HOST is required"/);
  });
});
