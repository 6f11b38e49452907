import { createWriteStream } from "node:fs";
import { runLoad } from "./load";
import { parseOptions, USAGE, UsageError } from "./options";
import { buildReport, formatTable, progressLine } from "./report";
import { TargetError } from "./target";

/** tgibf: "Thank God It's Black Friday", the call-events load generator (see --help). */
async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`tgibf: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (parsed === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parsed;
  const tty = process.stderr.isTTY === true;
  const progressEveryMs = options.progressEveryMs ?? (tty ? 1000 : 10_000);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  const ackLog = options.ackLog ? createWriteStream(options.ackLog) : undefined;
  let previousCompleted = 0;
  try {
    const run = await runLoad(options, {
      signal: abort.signal,
      progressEveryMs,
      onAck: ackLog ? (event) => ackLog.write(`${event.call_id}\n`) : undefined,
      onProgress: (progress) => {
        const line = progressLine(progress, previousCompleted, progressEveryMs);
        previousCompleted = progress.tally.completed;
        // On a terminal one line is rewritten in place; in a log, one line per interval.
        process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      },
    });
    if (tty && progressEveryMs > 0) process.stderr.write("\n");
    const report = buildReport(run, options.mode);
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatTable(report)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof TargetError) {
      process.stderr.write(`tgibf: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    if (ackLog) await new Promise<void>((resolve) => ackLog.end(resolve));
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `tgibf: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
