import { type ChildProcess, spawn } from "node:child_process";
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  type WriteStream,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";

/** One line of a child's output, as handed to a {@link LineSink}. */
export interface OutputLine {
  /** The process's name, e.g. `mariadb`. */
  name: string;
  stream: "stdout" | "stderr";
  line: string;
}
export type LineSink = (line: OutputLine) => void;

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Every output line is appended to this file (raw), when given. */
  logFile?: string;
  /** Also called with every output line (the runner turns them into JSON logs). */
  onLine?: LineSink;
}

const TAIL_LINES = 40;

/**
 * A child process in its own process group (so signals reach its whole tree and a Ctrl-C in the
 * terminal does not), with its output captured line by line. Killed with its group when this
 * Node process exits, so nothing is left orphaned.
 */
export class ManagedProcess {
  readonly name: string;
  private child: ChildProcess | undefined;
  private exited: Promise<number | string> = Promise.resolve(0);
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly tail: string[] = [];
  private log: WriteStream | undefined;
  private exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];

  constructor(private readonly spec: ProcessSpec) {
    this.name = spec.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True while the process runs (started and not yet exited). */
  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  /** How the process ended, or undefined while it runs. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  /** Called whenever the process exits, expectedly or not. */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.exitListeners.push(listener);
  }

  /** The last lines of its output, for error messages. */
  tailText(lines = 20): string {
    return this.tail.slice(-lines).join("\n");
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    const { command, args, cwd, env, logFile, onLine } = this.spec;
    if (logFile) this.log ??= openLog(logFile);
    this.exitInfo = undefined;
    const child = spawn(command, args, {
      cwd,
      env: env ?? process.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    liveProcesses.add(this);
    installCleanupHooks();
    for (const stream of ["stdout", "stderr"] as const) {
      const lines = createInterface({ input: child[stream]!, crlfDelay: Number.POSITIVE_INFINITY });
      lines.on("line", (line) => {
        this.tail.push(line);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
        this.log?.write(`${line}\n`);
        onLine?.({ name: this.name, stream, line });
      });
    }
    this.exited = new Promise((resolve) => {
      let settled = false;
      const settle = (code: number | null, signal: NodeJS.Signals | null) => {
        if (settled) return;
        settled = true;
        this.exitInfo = { code, signal };
        liveProcesses.delete(this);
        // The group may still hold grandchildren (a shell wrapper's children, a JVM's helpers).
        signalGroup(child.pid, "SIGKILL");
        for (const listener of this.exitListeners) listener(code, signal);
        resolve(signal ?? code ?? 0);
      };
      child.once("exit", settle);
      child.once("error", (error) => {
        this.tail.push(`failed to start ${command}: ${error.message}`);
        settle(127, null);
      });
    });
  }

  /** Resolves when the process has exited (at once when it is not running). */
  async waitForExit(timeoutMs?: number): Promise<boolean> {
    if (!this.running) return true;
    if (timeoutMs === undefined) {
      await this.exited;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = await Promise.race([this.exited.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return done;
  }

  /** SIGTERM to the group, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.running) return;
    signalGroup(this.child?.pid, "SIGTERM");
    if (!(await this.waitForExit(graceMs))) await this.kill();
  }

  /** SIGKILL to the whole group: a crash, as far as the server can tell. */
  async kill(): Promise<void> {
    if (!this.running) return;
    signalGroup(this.child?.pid, "SIGKILL");
    await this.waitForExit();
  }

  /** Closes the log file; call once the process will not be started again. */
  async close(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    if (log) await new Promise<void>((resolve) => log.end(resolve));
  }
}

const ROTATE_AT_BYTES = 20 * 1024 * 1024;

/** Opens a log file for appending; one over 20 MiB is first moved to `<file>.1` (replacing it). */
export function openLog(file: string): WriteStream {
  mkdirSync(dirname(file), { recursive: true });
  try {
    if (statSync(file).size > ROTATE_AT_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // no file yet
  }
  return createWriteStream(file, { flags: "a" });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

const liveProcesses = new Set<ManagedProcess>();
const tempDirs = new Set<string>();
let hooksInstalled = false;

/** A fresh directory under the OS temp dir, removed when this process exits. */
export function throwAwayDir(kind: string): string {
  const dir = mkdtempSync(join(tmpdir(), `battle-ready-${kind}-`));
  tempDirs.add(dir);
  installCleanupHooks();
  return dir;
}

function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  tempDirs.clear();
}

/** SIGKILLs every process started here that still runs. Synchronous, so it works in an exit hook. */
export function killAllProcesses(): void {
  for (const p of liveProcesses) signalGroup(p.pid, "SIGKILL");
}

/**
 * Children must die with this process. On exit (normal, process.exit or an uncaught error) their
 * groups are SIGKILLed. On SIGINT/SIGTERM, when nobody else handles the signal, they are killed
 * and the process exits as the signal would have made it; when someone does (the local runner),
 * that handler is in charge of a graceful stop and the exit hook remains the safety net.
 */
function installCleanupHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", () => {
    killAllProcesses();
    removeTempDirs();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      killAllProcesses();
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    };
    process.on(signal, onSignal);
  }
}
