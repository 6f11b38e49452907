import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The full path of `command` on PATH (plus /usr/sbin and /sbin), or undefined. */
export function findCommand(command: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Fails with what is missing and how to install it, when a server's binary is not installed. */
export function requireCommand(command: string, debianPackage: string): string {
  const found = findCommand(command);
  if (found) return found;
  throw new Error(
    `${command} is not installed (Debian package ${debianPackage}). Run \`bash scripts/system-packages.sh\` ` +
      `(as root or with sudo) to install what the local system needs, or on Debian/Ubuntu: ` +
      `sudo apt-get install -y ${debianPackage}`,
  );
}
