import { ManagedProcess, type ProcessSpec } from "../deps";

export interface SupervisorEvents {
  /** The process exited without being asked to; it will be started again after `delayMs`. */
  onCrash(info: {
    name: string;
    code: number | null;
    signal: NodeJS.Signals | null;
    restarts: number;
    delayMs: number;
    tail: string;
  }): void;
  /** It was started again (after a crash). */
  onRestart?(info: { name: string; pid: number | undefined; restarts: number }): void;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A run this long counts as healthy: the next crash starts the backoff over. */
  resetAfterMs: number;
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

/**
 * Keeps one process running: a crash is reported and followed by a restart after an exponential
 * backoff (1 s, 2 s, 4 s … 30 s), counting restarts. `stop()` ends supervision first.
 */
export class Supervisor {
  readonly process: ManagedProcess;
  restarts = 0;
  private stopping = false;
  private consecutiveCrashes = 0;
  private startedAt = 0;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    spec: ProcessSpec,
    private readonly events: SupervisorEvents,
    private readonly backoff: BackoffPolicy = DEFAULT_BACKOFF,
  ) {
    this.process = new ManagedProcess(spec);
    this.process.onExit((code, signal) => this.exited(code, signal));
  }

  get name(): string {
    return this.process.name;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.running;
  }

  start(): void {
    this.stopping = false;
    this.startedAt = Date.now();
    this.process.start();
  }

  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    await this.process.stop(graceMs);
    await this.process.close();
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    if (Date.now() - this.startedAt >= this.backoff.resetAfterMs) this.consecutiveCrashes = 0;
    const delayMs = Math.min(this.backoff.initialMs * 2 ** this.consecutiveCrashes, this.backoff.maxMs);
    this.consecutiveCrashes++;
    this.events.onCrash({
      name: this.name,
      code,
      signal,
      restarts: this.restarts,
      delayMs,
      tail: this.process.tailText(10),
    });
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (this.stopping) return;
      this.restarts++;
      this.start();
      this.events.onRestart?.({ name: this.name, pid: this.pid, restarts: this.restarts });
    }, delayMs);
  }
}
