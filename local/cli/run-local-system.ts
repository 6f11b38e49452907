/**
 * The local runner's process (started by local/cli/start.ts): runs the whole local system
 * (dependencies, every service and worker of the catalog, extra processes) until SIGINT or
 * SIGTERM. See docs/local-runner.md.
 */
import { relative } from "node:path";
import { killAllProcesses } from "../deps";
import { type RunnerConfig, runnerConfig } from "../runner/config";
import { Progress } from "../runner/progress";
import { type Entry, InterruptedError, type LocalSystem, startLocalSystem } from "../runner/runner";

const colors = Boolean(process.stdout.isTTY) && process.env.TERM !== "dumb" && !process.env.NO_COLOR;
const red = (text: string) => (colors ? `\x1b[31m${text}\x1b[0m` : text);
const dim = (text: string) => (colors ? `\x1b[2m${text}\x1b[0m` : text);

async function main(): Promise<number> {
  let config: RunnerConfig;
  try {
    config = runnerConfig();
  } catch (error) {
    console.error(red(`npm start: ${(error as Error).message}`));
    return 2;
  }
  const progress = new Progress();
  const interrupted = new AbortController();
  let system: LocalSystem | undefined;
  let stopping: Promise<number> | undefined;
  // One Ctrl-C can arrive several times (from the terminal and relayed by the launcher and tsx):
  // signals within a short window count as one. A third distinct one forces the matter.
  let signals = 0;
  let lastSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (Date.now() - lastSignalAt < 1500) return;
    lastSignalAt = Date.now();
    signals++;
    if (signals >= 3) {
      console.error(red(`\n${signal} again: killing everything now`));
      killAllProcesses();
      process.exit(130);
    }
    if (!system) {
      // Still starting: startLocalSystem notices, stops what it started and rejects.
      interrupted.abort();
      return;
    }
    stopping ??= (async () => {
      console.log(`\n${signal}: stopping services, then dependencies…`);
      const started = Date.now();
      await system.stop();
      console.log(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    })();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  const started = Date.now();
  try {
    system = await startLocalSystem({
      config,
      progress,
      say: (line) => progress.print(colors ? line : stripAnsi(line)),
      signal: interrupted.signal,
    });
  } catch (error) {
    progress.finish();
    if (error instanceof InterruptedError) {
      console.log("start-up interrupted; everything started has been stopped");
      return 0;
    }
    console.error(red(`\nnpm start failed: ${(error as Error).message}`));
    console.error(dim("Everything that had started has been stopped."));
    return 1;
  }
  progress.finish();
  printSummary(system.entries, config, (Date.now() - started) / 1000);
  // Runs until a signal; `stopping` resolves with the exit code.
  for (;;) {
    if (stopping) return stopping;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

function printSummary(entries: Entry[], config: RunnerConfig, seconds: number): void {
  const rows = entries.map((e) => [
    e.name,
    e.kind,
    e.url || "-",
    e.status + (e.detail ? ` (${e.detail})` : ""),
  ]);
  const header = ["NAME", "KIND", "URL", "STATUS"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join("  ");
  const relativeState = relative(process.cwd(), config.stateDir);
  const state = relativeState.startsWith("..") ? config.stateDir : relativeState || ".";
  console.log();
  console.log(line(header));
  for (const row of rows) console.log(row[3]!.startsWith("ready") ? line(row) : red(line(row)));
  if (entries.length === 0) console.log("(the catalog has no services or workers to run yet)");
  const notReady = entries.filter((e) => e.status !== "ready" && e.status !== "skipped");
  console.log();
  console.log(
    `${notReady.length === 0 ? "All up" : red(`${notReady.length} not ready`)} in ${seconds.toFixed(1)} s. ` +
      `Endpoints: ${state}/endpoints.json · logs (JSON lines): ${state}/logs/ · Ctrl-C stops everything.`,
  );
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(red(`npm start: unexpected error: ${(error as Error).stack ?? error}`));
    killAllProcesses();
    process.exit(1);
  },
);
