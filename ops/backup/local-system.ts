import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { catalog } from "../../catalog";
import { runnerConfig } from "../../local/runner/config";
import type { BackupSources } from "./backup";

/** The stores `npm start` runs (ports and root password from the state dir) and where backups go. */
export function localSystem(env: NodeJS.ProcessEnv = process.env): {
  sources: BackupSources;
  stateDir: string;
  backupRoot: string;
  keyFile: string;
} {
  const config = runnerConfig(env);
  const passwordFile = join(config.stateDir, "mysql", "root-password");
  const sources: BackupSources = {
    dynamodb: { endpoint: `http://127.0.0.1:${config.dependencyPorts.dynamodb}` },
  };
  if (existsSync(passwordFile)) {
    const databases = [
      ...new Set(catalog.flatMap((s) => (s.uses.mysql ? [s.uses.mysql.database] : []))),
    ].sort();
    sources.mysql = {
      target: {
        host: "127.0.0.1",
        port: config.dependencyPorts.mysql,
        user: "root",
        password: readFileSync(passwordFile, "utf8").trim(),
      },
      databases,
    };
  }
  return {
    sources,
    stateDir: config.stateDir,
    backupRoot: join(config.stateDir, "backups"),
    keyFile: join(config.stateDir, "backup.key"),
  };
}

const BACKUP_NAME = /^\d{8}T\d{6}Z$/;

/** `20261121T111451Z`: backups sort by name. */
export const backupName = (date = new Date()) =>
  date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");

/** The backups under `root`, oldest first. */
export function backupsIn(root: string): string[] {
  return existsSync(root)
    ? readdirSync(root)
        .filter((d) => BACKUP_NAME.test(d))
        .sort()
    : [];
}

export const KEY_HELP =
  "The key: BATTLE_READY_BACKUP_KEY (32 bytes as 64 hex characters or base64), else .local/backup.key (generated on first use, mode 600).";
