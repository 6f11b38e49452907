import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Another runner holds the state dir. */
export class StateDirBusyError extends Error {
  override name = "StateDirBusyError";
}

/** One run at a time per state dir: `runner.pid` names the running one. */
export function claimStateDir(stateDir: string): void {
  const file = join(stateDir, "runner.pid");
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, "utf8").trim());
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new StateDirBusyError(
        `another local runner (pid ${pid}) is using ${stateDir}; stop it first (Ctrl-C in its terminal, or kill ${pid})`,
      );
    }
  }
  writeFileSync(file, `${process.pid}\n`);
}

export function releaseStateDir(stateDir: string): void {
  const file = join(stateDir, "runner.pid");
  if (existsSync(file) && readFileSync(file, "utf8").trim() === String(process.pid))
    rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
