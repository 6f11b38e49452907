/**
 * `npm start`. A thin launcher: the runner itself (run-local-system.ts) runs in a child process
 * in the same process group, so a terminal's Ctrl-C reaches it directly, and signals sent to this
 * process are passed on. Should a wrapper (the tsx CLI) kill this launcher outright, the runner
 * still gets its signal and stops everything it started. Exits with the runner's exit code.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";

const repoRoot = resolve(__dirname, "..", "..");
const runner = spawn(
  process.execPath,
  ["--import", "tsx", resolve(__dirname, "run-local-system.ts"), ...process.argv.slice(2)],
  { cwd: repoRoot, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => runner.kill(signal));
}
runner.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
runner.on("error", (error) => {
  console.error(`npm start: could not start the runner: ${error.message}`);
  process.exit(1);
});
