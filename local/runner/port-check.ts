import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { isPortFree } from "../deps";

export interface WantedPort {
  port: number;
  /** e.g. `MariaDB`, `service todo`. */
  wantedBy: string;
  /** The variable that moves it. */
  variable: string;
}

/** Thrown by checkPorts: one message for every wanted port that is taken or wanted twice. */
export class PortsTakenError extends Error {
  override name = "PortsTakenError";
}

/** One message listing every wanted port that is taken, with the variable that moves it. */
export async function checkPorts(wanted: WantedPort[]): Promise<void> {
  const problems: string[] = [];
  const seen = new Map<number, string>();
  for (const { port, wantedBy, variable } of wanted) {
    const other = seen.get(port);
    if (other) {
      problems.push(`port ${port} is wanted by both ${other} and ${wantedBy} (change ${variable})`);
      continue;
    }
    seen.set(port, wantedBy);
    if (!(await isPortFree(port))) {
      problems.push(
        `port ${port} (wanted by ${wantedBy}) is already in use${holderOf(port)}; free it or set ${variable}`,
      );
    }
  }
  if (problems.length > 0) throw new PortsTakenError(`cannot start: ${problems.join("\n  ")}`);
}

/** ` by <process> (pid N)` when /proc tells who listens on the port (same user or root only). */
function holderOf(port: number): string {
  try {
    const hex = port.toString(16).toUpperCase().padStart(4, "0");
    const inodes = new Set<string>();
    for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
      if (!existsSync(table)) continue;
      for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
        const fields = line.trim().split(/\s+/);
        if (fields[1]?.endsWith(`:${hex}`) && fields[3] === "0A") inodes.add(fields[9] ?? "");
      }
    }
    if (inodes.size === 0) return "";
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
          const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
          if (inode && inodes.has(inode)) {
            const command = readFileSync(`/proc/${pid}/cmdline`, "utf8")
              .split("\0")
              .filter(Boolean)
              .join(" ");
            return ` by ${command.slice(0, 80)} (pid ${pid})`;
          }
        } catch {
          // the fd went away
        }
      }
    }
  } catch {
    // best effort only
  }
  return "";
}
