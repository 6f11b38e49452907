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

/** 1 when the DynamoDB-compatible endpoint answers HTTP at all (dynalite answers any request). */
export async function dynamoUp(endpoint: string): Promise<number> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(2000) });
    return 1;
  } catch {
    return 0;
  }
}

/**
 * The stores `npm run backup` is expected to back up: those the runner runs (it hands the exporter
 * MYSQL_DATA_DIR only with MySQL, DYNAMODB_ENDPOINT only with dynalite).
 */
export function expectedBackupStores(mysqlDataDir: string | undefined, dynamoEndpoint?: string): string[] {
  return [...(mysqlDataDir ? ["mysql"] : []), ...(dynamoEndpoint ? ["dynamodb"] : [])];
}

/**
 * Last successful backup per store, 0 (the epoch) for an expected store never backed up: "never"
 * is infinitely old, so BackupOlderThanRpo fires instead of having no series to evaluate.
 */
export function lastBackupTimestamps(status: BackupStatus, expectedStores: readonly string[]) {
  const stores = [...new Set([...expectedStores, ...Object.keys(status)])].sort();
  return stores.map((store) => ({ labels: { store }, value: status[store]?.completedAt ?? 0 }));
}

/** The platform's own signals that no off-the-shelf exporter has: storage headroom, backup age, dynalite up. */
export async function collectOpsMetrics(
  mysqlDataDir: string | undefined,
  backupRoot: string,
  dynamoEndpoint?: string,
): Promise<MetricFamily[]> {
  const status = readBackupStatus(backupRoot);
  const expected = expectedBackupStores(mysqlDataDir, dynamoEndpoint);
  return [
    {
      name: "battle_ready_dynamodb_up",
      help: "1 when the local DynamoDB endpoint (dynalite) answers.",
      type: "gauge",
      samples: dynamoEndpoint ? [{ value: await dynamoUp(dynamoEndpoint) }] : [],
    },
    {
      name: "battle_ready_mysql_free_storage_ratio",
      help: "Free fraction of the filesystem holding the MySQL data directory.",
      type: "gauge",
      samples: mysqlDataDir ? [{ value: freeStorageRatio(mysqlDataDir) }] : [],
    },
    {
      name: "battle_ready_backup_last_success_timestamp_seconds",
      help: "When the last verified backup of each store completed (unix seconds); 0 when it never was.",
      type: "gauge",
      samples: lastBackupTimestamps(status, expected),
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
  const server = await serveMetrics(port, () =>
    collectOpsMetrics(process.env.MYSQL_DATA_DIR, backupRoot, process.env.DYNAMODB_ENDPOINT),
  );
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (require.main === module) void main();
