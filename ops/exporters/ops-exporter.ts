import { readFileSync, statfsSync } from "node:fs";
import { join } from "node:path";
import { type MetricFamily, serveMetrics } from "./exposition";

/** Free fraction of the filesystem holding `dir` (as RDS's FreeStorageSpace over allocated storage). */
export function freeStorageRatio(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail / stats.blocks;
}

/** What `npm run backup` records after a verified backup: store → unix seconds, size, location. */
export type BackupStatus = Record<string, { completedAt: number; bytes: number; location: string }>;

export function backupStatusFile(backupRoot: string): string {
  return join(backupRoot, "status.json");
}

export function readBackupStatus(backupRoot: string): BackupStatus {
  try {
    return JSON.parse(readFileSync(backupStatusFile(backupRoot), "utf8")) as BackupStatus;
  } catch {
    return {};
  }
}

/** The platform's own signals that no off-the-shelf exporter has: storage headroom and backup age. */
export function collectOpsMetrics(mysqlDataDir: string | undefined, backupRoot: string): MetricFamily[] {
  const status = readBackupStatus(backupRoot);
  return [
    {
      name: "battle_ready_mysql_free_storage_ratio",
      help: "Free fraction of the filesystem holding the MySQL data directory.",
      type: "gauge",
      samples: mysqlDataDir ? [{ value: freeStorageRatio(mysqlDataDir) }] : [],
    },
    {
      name: "battle_ready_backup_last_success_timestamp_seconds",
      help: "When the last verified backup of each store completed (unix seconds).",
      type: "gauge",
      samples: Object.entries(status).map(([store, s]) => ({ labels: { store }, value: s.completedAt })),
    },
    {
      name: "battle_ready_backup_size_bytes",
      help: "Size of the last backup of each store, compressed and encrypted.",
      type: "gauge",
      samples: Object.entries(status).map(([store, s]) => ({ labels: { store }, value: s.bytes })),
    },
  ];
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT);
  const backupRoot = process.env.BACKUP_ROOT ?? ".local/backups";
  const server = await serveMetrics(port, () => collectOpsMetrics(process.env.MYSQL_DATA_DIR, backupRoot));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (require.main === module) void main();
