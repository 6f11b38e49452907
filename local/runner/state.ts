import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** What one `npm start` leaves for the next: generated credentials and secrets. */
interface StateFile {
  version: 1;
  /** Keyed by purpose, e.g. `mysql.root`, `mysql.user.todo`, `secret.buffs-dashboard-token`. */
  passwords: Record<string, string>;
}

/**
 * `.local/state.json` (mode 600, gitignored): passwords are generated once and reused, so a
 * second run can open the first run's data.
 */
export class RunnerState {
  private readonly file: string;
  private data: StateFile;

  constructor(stateDir: string) {
    this.file = join(stateDir, "state.json");
    this.data = existsSync(this.file)
      ? (JSON.parse(readFileSync(this.file, "utf8")) as StateFile)
      : { version: 1, passwords: {} };
    this.data.passwords ??= {};
  }

  /** The kept value for `key`, generating (and saving) a random one the first time. */
  password(key: string): string {
    const existing = this.data.passwords[key];
    if (existing !== undefined) return existing;
    const generated = randomBytes(18).toString("base64url");
    this.data.passwords[key] = generated;
    this.save();
    return generated;
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
