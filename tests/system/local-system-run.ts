import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { catalog } from "../../catalog";
import { isPortFree, waitUntil } from "../../local/deps";
import { DEFAULT_DEPENDENCY_PORTS } from "../../local/runner/config";
import { extraProcesses } from "../../local/runner/extras";

const repoRoot = resolve(__dirname, "..", "..");

interface ProcessesFile {
  runner: number;
  processes: { name: string; kind: string; pid: number; restarts: number }[];
}

/** Every port the runner will bind for the real catalog, before the offset. */
function basePorts(): number[] {
  return [
    ...Object.values(DEFAULT_DEPENDENCY_PORTS),
    ...catalog.filter((s) => s.kind !== "job").map((s) => s.port),
    ...extraProcesses.map((e) => e.port),
  ];
}

/**
 * An offset that moves every port of the run onto free ones, kept below the kernel's ephemeral
 * range (32768+) so an outgoing connection cannot take one of them meanwhile.
 */
async function freeOffset(): Promise<number> {
  const ports = basePorts();
  const highest = Math.max(...ports);
  for (let attempt = 0; attempt < 50; attempt++) {
    const offset = 1000 + Math.floor(Math.random() * (32_000 - highest - 1000));
    const free = await Promise.all(ports.map((p) => isPortFree(p + offset)));
    if (free.every(Boolean)) return offset;
  }
  throw new Error("no port offset with every port of the local system free");
}

/** Alive and not a zombie (an exited child its parent has not reaped yet is gone for our purpose). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** `pid: command` of every live process in one of `groups`, or whose command line mentions `text`. */
function survivors(groups: Set<number>, text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state[0] === "Z") continue; // a zombie is gone, only not reaped yet
      const group = Number(state[2]);
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      if (groups.has(group) || (text !== "" && command.includes(text)))
        found.push(`${pid}: ${command.slice(0, 140)}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/**
 * `npm start` run as a child process exactly as npm runs it (`node --import tsx local/cli/start.ts`
 * with the project's Node), with a throw-away state directory and every port moved by a free offset.
 */
export class LocalSystemRun {
  /** Made by start(), so loading the test file (e.g. `mocha --dry-run`) leaves nothing behind. */
  stateDir = "";
  endpoints: Record<string, string> = {};
  output = "";
  exitCode: number | null | undefined;
  private child: ChildProcess | undefined;
  private processes: ProcessesFile | undefined;
  private readonly cleanupOnExit = () => {
    // The test process dies without its after hook: let the runner stop everything by itself.
    if (this.child?.pid && this.exitCode === undefined) this.child.kill("SIGINT");
  };

  get logsDir(): string {
    return join(this.stateDir, "logs");
  }

  /** Starts the runner and resolves once it has written endpoints.json. */
  async start(timeoutMs: number): Promise<void> {
    this.stateDir = mkdtempSync(join(tmpdir(), "battle-ready-system-"));
    const offset = await freeOffset();
    // Inherit the caller's environment, but none of its runner settings: this run has its own.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("BATTLE_READY_")),
    );
    this.child = spawn(process.execPath, ["--import", "tsx", "local/cli/start.ts"], {
      cwd: repoRoot,
      env: {
        ...inherited,
        NO_COLOR: "1",
        LOG_LEVEL: "info",
        BATTLE_READY_STATE_DIR: this.stateDir,
        BATTLE_READY_PORT_OFFSET: String(offset),
        BATTLE_READY_READY_TIMEOUT_MS: String(timeoutMs),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    process.once("exit", this.cleanupOnExit);
    this.child.stdout!.on("data", (chunk) => (this.output += chunk));
    this.child.stderr!.on("data", (chunk) => (this.output += chunk));
    this.child.once("exit", (code) => (this.exitCode = code));

    const file = join(this.stateDir, "endpoints.json");
    await waitUntil(async () => existsSync(file) || this.exitCode !== undefined, {
      what: "the runner to write endpoints.json",
      timeoutMs: timeoutMs + 60_000,
      intervalMs: 250,
    }).catch(() => undefined);
    if (!existsSync(file)) {
      throw new Error(`the runner wrote no endpoints.json (exit ${this.exitCode}):\n${this.output}`);
    }
    this.endpoints = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    this.processes = JSON.parse(readFileSync(join(this.stateDir, "processes.json"), "utf8")) as ProcessesFile;
  }

  /** The resolved environment the runner gave a service (`<state>/env/<service>.env`). */
  serviceEnv(service: string): Record<string, string> {
    const text = readFileSync(join(this.stateDir, "env", `${service}.env`), "utf8");
    return Object.fromEntries(
      text
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => {
          const at = line.indexOf("=");
          return [line.slice(0, at), JSON.parse(line.slice(at + 1)) as string];
        }),
    );
  }

  /** Ctrl-C: SIGINT to the launcher; resolves with its exit code. */
  async interrupt(timeoutMs: number): Promise<number | null | undefined> {
    if (!this.child || this.exitCode !== undefined) return this.exitCode;
    this.child.kill("SIGINT");
    await waitUntil(async () => this.exitCode !== undefined, {
      what: "the runner to exit after SIGINT",
      timeoutMs,
    });
    process.removeListener("exit", this.cleanupOnExit);
    return this.exitCode;
  }

  /**
   * Processes of the run still alive after a deadline: the launcher, the runner, every process the
   * runner reported and anything in their process groups (each child leads its own group), plus
   * anything whose command line names the state directory (the dependencies' data dirs).
   */
  async leftovers(timeoutMs: number): Promise<string[]> {
    const pids = [
      ...(this.child?.pid ? [this.child.pid] : []),
      ...(this.processes ? [this.processes.runner, ...this.processes.processes.map((p) => p.pid)] : []),
    ];
    const groups = new Set(this.processes?.processes.map((p) => p.pid) ?? []);
    const left = () => [
      ...pids.filter(isAlive).map((pid) => `${pid} (reported by the runner)`),
      ...survivors(groups, this.stateDir),
    ];
    await waitUntil(async () => left().length === 0, { what: "the run's processes to end", timeoutMs }).catch(
      () => undefined,
    );
    return left();
  }

  /** Lines at level error or fatal (pino 50/60, or the runner's wrapped "error"/"fatal") in the central logs. */
  errorLines(): string[] {
    if (!existsSync(this.logsDir)) return [];
    return readdirSync(this.logsDir)
      .filter((file) => file.endsWith(".log"))
      .flatMap((file) =>
        readFileSync(join(this.logsDir, file), "utf8")
          .split("\n")
          .filter((line) => {
            try {
              const { level } = JSON.parse(line) as { level?: unknown };
              return (typeof level === "number" && level >= 50) || level === "error" || level === "fatal";
            } catch {
              return false;
            }
          })
          .map((line) => `${file}: ${line.slice(0, 300)}`),
      );
  }

  removeStateDir(): void {
    if (this.stateDir) rmSync(this.stateDir, { recursive: true, force: true });
  }
}
