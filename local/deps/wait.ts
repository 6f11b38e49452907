import type { ManagedProcess } from "./process";

/** Thrown when a server dies or does not come up in time; the message ends with its log's tail. */
export class StartupError extends Error {
  override name = "StartupError";
}

export interface WaitOptions {
  /** What is awaited, for the error message, e.g. `MariaDB on port 13306`. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** When given, waiting stops as soon as this process exits. */
  process?: ManagedProcess;
  /** Aborting stops the wait at once. */
  signal?: AbortSignal;
}

/**
 * Polls `probe` until it resolves truthy. Fails when the deadline passes or the process dies,
 * with the tail of the process's output in the message.
 */
export async function waitUntil(probe: () => Promise<unknown>, options: WaitOptions): Promise<void> {
  const { what, timeoutMs, intervalMs = 200, process, signal } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    if (signal?.aborted) throw new StartupError(`${what}: waiting was interrupted`);
    if (process && !process.running) {
      const exit = process.exit;
      throw new StartupError(
        `${what}: ${process.name} exited (${exit?.signal ?? `code ${exit?.code}`}) before it was ready${logTail(process)}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new StartupError(
        `${what}: not ready after ${Math.round(timeoutMs / 1000)} s${lastError ? ` (last error: ${lastError})` : ""}${process ? logTail(process) : ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function logTail(process: ManagedProcess): string {
  const tail = process.tailText(20);
  return tail ? `\n--- last lines of ${process.name}'s output ---\n${tail}` : "";
}
