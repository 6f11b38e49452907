import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import Redis from "ioredis";
import mysql from "mysql2/promise";
import { freePort, isPortFree, waitUntil } from "../../local/deps";
import { redisPing, stompConnects } from "../../local/deps/probes";

const repoRoot = resolve(__dirname, "..", "..");

/**
 * `npm start` as a child process, with its own state dir and ports. `viaTsxCli` runs it the way
 * npm does (through the tsx CLI) in a process group of its own, like a terminal's foreground job.
 */
class Runner {
  readonly child: ChildProcess;
  output = "";
  exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;

  constructor(
    env: NodeJS.ProcessEnv,
    readonly viaTsxCli = false,
  ) {
    const args = viaTsxCli
      ? [require.resolve("tsx/cli"), "local/cli/start.ts"]
      : ["--import", "tsx", "local/cli/start.ts"];
    this.child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: viaTsxCli,
    });
    this.child.stdout!.on("data", (chunk) => (this.output += chunk));
    this.child.stderr!.on("data", (chunk) => (this.output += chunk));
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  async exit(timeoutMs = 60_000): Promise<number | null> {
    await waitUntil(async () => this.exitCode !== undefined, { what: "the runner to exit", timeoutMs });
    return this.exited;
  }

  /** Signals the launcher, or (via the tsx CLI) its whole process group, as Ctrl-C in a terminal does. */
  async signal(signal: NodeJS.Signals): Promise<number | null> {
    if (this.viaTsxCli) process.kill(-this.child.pid!, signal);
    else this.child.kill(signal);
    return this.exit();
  }
}

interface Processes {
  runner: number;
  processes: { name: string; kind: string; pid: number; restarts: number }[];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line mentions `dir` (the dependencies run with their data dirs in it). */
function processesMentioning(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (command.includes(dir)) found.push(`${pid}: ${command.slice(0, 120)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function assertNothingLeft(stateDir: string, pids: number[]): Promise<void> {
  await waitUntil(
    async () => pids.every((pid) => !isAlive(pid)) && processesMentioning(stateDir).length === 0,
    {
      what: "every process of the run to be gone",
      timeoutMs: 10_000,
    },
  ).catch(() => {
    assert.fail(
      `left running: ${pids.filter(isAlive).join(", ")} ${processesMentioning(stateDir).join("; ")}`,
    );
  });
}

describe("local runner (npm start)", function () {
  this.timeout(120_000);
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let ports: { mysql: number; redis: number; stomp: number; dynamodb: number; offset: number };
  let runner: Runner | undefined;

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "battle-ready-runner-"));
    // The fixture catalog's services sit on 9701 and 9702; shift them onto free ports.
    let offset = 0;
    do offset = (await freePort()) - 9701;
    while (!(await isPortFree(9702 + offset)) || 9702 + offset > 65535);
    ports = {
      mysql: await freePort(),
      redis: await freePort(),
      stomp: await freePort(),
      dynamodb: await freePort(),
      offset,
    };
    env = {
      BATTLE_READY_STATE_DIR: stateDir,
      BATTLE_READY_CATALOG: "tests/local/fixtures/runner-catalog.ts",
      BATTLE_READY_MYSQL_PORT: String(ports.mysql),
      BATTLE_READY_REDIS_PORT: String(ports.redis),
      BATTLE_READY_STOMP_PORT: String(ports.stomp),
      BATTLE_READY_DYNAMODB_PORT: String(ports.dynamodb),
      BATTLE_READY_PORT_OFFSET: String(offset),
      BATTLE_READY_READY_TIMEOUT_MS: "60000",
    };
  });

  afterEach(async () => {
    if (runner && runner.exitCode === undefined) await runner.signal("SIGTERM");
    runner = undefined;
  });

  after(() => rmSync(stateDir, { recursive: true, force: true }));

  const start = async (viaTsxCli = false): Promise<Record<string, string>> => {
    runner = new Runner(env, viaTsxCli);
    const current = runner;
    const file = join(stateDir, "endpoints.json");
    await waitUntil(async () => existsSync(file), { what: "endpoints.json", timeoutMs: 90_000 }).catch(() => {
      assert.fail(`the runner did not write endpoints.json (exit ${current.exitCode}):\n${current.output}`);
    });
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  };
  const api = () => `http://127.0.0.1:${9701 + ports.offset}`;

  it("starts every dependency and non-job service, writes endpoints.json, and each endpoint answers", async () => {
    const endpoints = await start();
    assert.deepEqual(endpoints, {
      mysql: `mysql://127.0.0.1:${ports.mysql}`,
      redis: `redis://127.0.0.1:${ports.redis}`,
      activemq: `stomp://127.0.0.1:${ports.stomp}`,
      dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
      "fixture-api": api(),
      "fixture-worker": `http://127.0.0.1:${9702 + ports.offset}`,
    });
    assert.match(runner!.output, /NAME\s+KIND\s+URL\s+STATUS/);
    assert.match(runner!.output, /fixture-api\s+service\s+http:\S+\s+ready/);

    // The environment the service got: resolved sources, a generated secret, the optional one unset.
    const { values } = (await (await fetch(`${api()}/env`)).json()) as { values: Record<string, string> };
    assert.equal(values.APP_ENV, "local");
    assert.equal(values.WORKER_URL, endpoints["fixture-worker"]);
    assert.equal(values.WORKER_SRV, undefined);
    assert.equal(values.PARTNER_TOKEN, undefined);
    assert.match(values.SIGNING_KEY ?? "", /^[\w-]{20,}$/);
    assert.equal(values.DB_USER, "fixture_api");

    // Every dependency answers, with the credentials the service was given.
    const db = await mysql.createConnection({
      host: "127.0.0.1",
      port: ports.mysql,
      user: values.DB_USER,
      password: values.DB_PASSWORD,
      database: values.DB_NAME,
      ssl: { ca: readFileSync(values.DB_TLS_CA!, "utf8") },
    });
    await db.end();
    await assert.rejects(
      mysql.createConnection({
        host: "127.0.0.1",
        port: ports.mysql,
        user: values.DB_USER,
        password: values.DB_PASSWORD,
      }),
      /Access denied/,
      "the TLS service's account must refuse plain text",
    );
    assert.equal(await redisPing(ports.redis, values.REDIS_PASSWORD), true);
    // 64mb by default (BATTLE_READY_REDIS_MAXMEMORY), so RedisNearMaxMemory has a limit to measure against
    const redis = new Redis({ port: ports.redis, password: values.REDIS_PASSWORD, lazyConnect: true });
    await redis.connect();
    try {
      assert.deepEqual(await redis.config("GET", "maxmemory"), ["maxmemory", String(64 * 1024 * 1024)]);
      assert.deepEqual(await redis.config("GET", "maxmemory-policy"), ["maxmemory-policy", "allkeys-lru"]);
      assert.match(await redis.info("memory"), /^maxmemory:67108864\r?$/m);
    } finally {
      redis.disconnect();
    }
    assert.equal(await stompConnects(ports.stomp, values.MQ_USER!, values.MQ_PASSWORD!), true);
    const dynamodb = new DynamoDBClient({
      endpoint: endpoints.dynamodb,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    assert.deepEqual((await dynamodb.send(new ListTablesCommand({}))).TableNames, ["fixture-items"]);
    dynamodb.destroy();
    for (const name of ["fixture-api", "fixture-worker"] as const) {
      assert.equal((await fetch(`${endpoints[name]}/readyz`)).status, 200);
    }
    assert.equal(await isPortFree(9703 + ports.offset), true, "the job must not be started");
  });

  it("keeps every process's output as JSON lines in logs/, and restarts a crashed service or dependency", async () => {
    await start();
    assert.equal((await fetch(`${api()}/rows?value=from-run-1`, { method: "POST" })).status, 201);
    const before = JSON.parse(readFileSync(join(stateDir, "processes.json"), "utf8")) as Processes;
    const firstPid = before.processes.find((p) => p.name === "fixture-api")!.pid;

    assert.equal((await fetch(`${api()}/crash`, { method: "POST" })).status, 202);
    await waitUntil(
      async () => {
        const now = JSON.parse(readFileSync(join(stateDir, "processes.json"), "utf8")) as Processes;
        const entry = now.processes.find((p) => p.name === "fixture-api")!;
        return (
          entry.restarts === 1 && entry.pid !== firstPid && (await fetch(`${api()}/readyz`)).status === 200
        );
      },
      { what: "fixture-api restarted and ready", timeoutMs: 30_000 },
    );
    assert.match(runner!.output, /fixture-api exited with code 3; restarting in 1 s/);
    assert.match(runner!.output, /fixture-api ERROR crashing on request/, "errors are echoed on the console");

    // A dependency that dies comes back on its port with its data.
    const redis = before.processes.find((p) => p.name === "redis")!;
    const { values } = (await (await fetch(`${api()}/env`)).json()) as { values: Record<string, string> };
    process.kill(redis.pid, "SIGKILL");
    await waitUntil(
      async () => {
        const now = JSON.parse(readFileSync(join(stateDir, "processes.json"), "utf8")) as Processes;
        const entry = now.processes.find((p) => p.name === "redis")!;
        return (
          entry.restarts === 1 &&
          entry.pid !== redis.pid &&
          (await redisPing(ports.redis, values.REDIS_PASSWORD))
        );
      },
      { what: "redis restarted by the runner", timeoutMs: 30_000 },
    );
    assert.match(runner!.output, /Redis was killed by SIGKILL; starting it again/);

    for (const name of ["fixture-api", "mysql", "activemq", "runner"]) {
      const lines = readFileSync(join(stateDir, "logs", `${name}.log`), "utf8")
        .trim()
        .split("\n");
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `${name}.log: ${line}`);
    }
    assert.match(
      readFileSync(join(stateDir, "logs", "mysql.log"), "utf8"),
      /"service":"mysql".*ready for connections/,
    );
  });

  it("Ctrl-C (SIGINT to the tsx CLI's process group) stops everything, exits 0, leaves no process behind", async () => {
    await start(true);
    const { runner: runnerPid, processes } = JSON.parse(
      readFileSync(join(stateDir, "processes.json"), "utf8"),
    ) as Processes;
    assert.equal(processes.length, 6);
    const pids = [runnerPid, ...processes.map((p) => p.pid)];
    assert.ok(pids.every(isAlive));
    assert.equal(await runner!.signal("SIGINT"), 0);
    await assertNothingLeft(stateDir, pids);
    assert.equal(existsSync(join(stateDir, "endpoints.json")), false, "stale endpoints are removed");
  });

  it("a second start finds the first one's data, and SIGTERM stops it as well", async () => {
    await start();
    const rows = (await (await fetch(`${api()}/rows`)).json()) as string[];
    assert.deepEqual(rows, ["from-run-1"]);
    const { runner: runnerPid, processes } = JSON.parse(
      readFileSync(join(stateDir, "processes.json"), "utf8"),
    ) as Processes;
    assert.equal(await runner!.signal("SIGTERM"), 0);
    await assertNothingLeft(stateDir, [runnerPid, ...processes.map((p) => p.pid)]);
  });

  it("a port already in use gives a clear error naming the port and what wanted it; nothing starts", async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(ports.redis, "127.0.0.1", resolve));
    try {
      runner = new Runner(env);
      assert.equal(await runner.exit(), 1);
      assert.match(runner.output, new RegExp(`port ${ports.redis} \\(wanted by Redis\\) is already in use`));
      assert.match(runner.output, /BATTLE_READY_REDIS_PORT/);
      await assertNothingLeft(stateDir, []);
      assert.equal(await isPortFree(ports.mysql), true);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it("a dependency that fails to start gives its log's tail, and what had started is stopped", async () => {
    // A data dir that looks initialised but holds no system tables: mariadbd refuses to start.
    const brokenState = mkdtempSync(join(tmpdir(), "battle-ready-broken-"));
    mkdirSync(join(brokenState, "mysql", "data", "mysql"), { recursive: true });
    writeFileSync(join(brokenState, "mysql", "root-password"), "whatever\n");
    try {
      runner = new Runner({ ...env, BATTLE_READY_STATE_DIR: brokenState });
      assert.equal(await runner.exit(), 1);
      assert.match(runner.output, /MariaDB did not start: .*exited .*before it was ready/);
      assert.match(runner.output, /last lines of mariadb's output/);
      assert.match(runner.output, /Everything that had started has been stopped/);
      await assertNothingLeft(brokenState, []);
      for (const port of [ports.redis, ports.stomp, ports.dynamodb])
        assert.equal(await isPortFree(port), true);
    } finally {
      rmSync(brokenState, { recursive: true, force: true });
    }
  });
});
