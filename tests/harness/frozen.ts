import { readdirSync, readFileSync } from "node:fs";
import { waitUntil } from "../../local/deps/wait";

/**
 * SIGSTOP is asynchronous: kill() returns once the signal is queued, and each of a server's
 * threads stops only when it next gets the CPU (under load, tens of milliseconds later), so a
 * request arriving meanwhile is still answered. Resolves once every thread is stopped (state T).
 */
export async function frozen(pid: number): Promise<void> {
  const state = (tid: string) => {
    try {
      // after "(comm) ": the comm may hold spaces or parentheses, so from the last ") "
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(") ") + 2, stat.lastIndexOf(") ") + 3);
    } catch {
      return "T"; // the thread exited: it answers nothing
    }
  };
  await waitUntil(async () => readdirSync(`/proc/${pid}/task`).every((tid) => state(tid) === "T"), {
    what: `every thread of process ${pid} stopped by SIGSTOP`,
    timeoutMs: 10_000,
    intervalMs: 5,
  });
}
