import type { FastifyBaseLogger } from "fastify";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * On the first SIGINT or SIGTERM: log, run `shutdown` (which drains requests and runs the close
 * hooks), then exit 0 (1 if shutdown failed or exceeded `hardDeadlineMs`). A second signal exits
 * at once with code 130, for an operator who does not want to wait.
 * Returns a function that removes the handlers (after a programmatic close).
 */
export function exitGracefullyOnSignals(
  log: FastifyBaseLogger,
  shutdown: () => Promise<void>,
  hardDeadlineMs: number,
): () => void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(130);
    }
    shuttingDown = true;
    log.info({ signal }, "shutting down");
    const watchdog = setTimeout(() => {
      log.error({ deadlineMs: hardDeadlineMs }, "shutdown did not finish in time: exiting");
      process.exit(1);
    }, hardDeadlineMs);
    watchdog.unref();
    shutdown().then(
      () => {
        log.info("shut down");
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return () => {
    // Once a signal started the shutdown, the handlers stay, so a second signal still exits at once.
    if (!shuttingDown) for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}

let rejectionLoggingInstalled = false;

/**
 * Once per process: an unhandled promise rejection is logged instead of crashing the service
 * (Node's default), since one forgotten `await` in a request path must not take down every
 * other request. Uncaught exceptions keep Node's default (exit 1; the orchestrator restarts).
 */
export function logUnhandledRejections(log: FastifyBaseLogger): void {
  if (rejectionLoggingInstalled) return;
  rejectionLoggingInstalled = true;
  process.on("unhandledRejection", (reason) => {
    log.error({ err: reason }, "unhandled promise rejection");
  });
}
