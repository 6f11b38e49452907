import { freePort, isPortFree, PortInUseError } from "./ports";
import type { ManagedProcess } from "./process";
import { StartupError, waitUntil } from "./wait";

/** What every started server offers besides its own connection details. */
export interface ServerControl {
  /** Graceful stop (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** SIGKILL: a crash, as far as the server can tell. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data; resolves when it answers again. */
  restart(): Promise<void>;
  /** Whether the server process is running. */
  readonly running: boolean;
  readonly pid: number | undefined;
  /** Its raw output, in its data directory. */
  readonly logFile: string;
  /** Called whenever the server process exits (a stop, a kill or a crash). */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
}

export interface ServerDefinition {
  /** e.g. `MariaDB on port 13306`, used in error messages. */
  what: string;
  port: number;
  process: ManagedProcess;
  logFile: string;
  /** Resolves truthy once the server answers. */
  ready: () => Promise<unknown>;
  timeoutMs: number;
  /** Pause between readiness probes (default 200 ms). */
  intervalMs?: number;
  /** Runs before every start (e.g. writing config files). */
  beforeStart?: () => Promise<void>;
}

/** Starts the server's process and waits until it answers; on failure nothing is left running. */
export async function startServer(definition: ServerDefinition): Promise<ServerControl> {
  const { what, port, process, logFile, ready, timeoutMs, intervalMs, beforeStart } = definition;
  const launch = async () => {
    if (!(await isPortFree(port))) throw new PortInUseError(port, what);
    await beforeStart?.();
    process.start();
    try {
      await waitUntil(ready, { what, timeoutMs, intervalMs, process });
    } catch (error) {
      await process.kill();
      throw error;
    }
  };
  await launch();
  return {
    stop: () => process.stop(),
    kill: () => process.kill(),
    restart: async () => {
      await process.stop();
      await launch();
    },
    get running() {
      return process.running;
    },
    get pid() {
      return process.pid;
    },
    logFile,
    onExit: (listener) => process.onExit(listener),
  };
}

/**
 * Runs `start` on the given port, or on a free one; when no port was given and the chosen one is
 * snatched by someone else before the server binds it, tries again with another.
 */
export async function onPort<T>(port: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const chosen = port ?? (await freePort());
    try {
      return await start(chosen);
    } catch (error) {
      const lostRace =
        port === undefined &&
        attempt < 3 &&
        (error instanceof PortInUseError ||
          (error instanceof StartupError && /address already in use|EADDRINUSE/i.test(error.message)));
      if (!lostRace) throw error;
    }
  }
}
