import type { DataStoreArgs } from "./args";

/** Synchronous checks of conflicting or impossible args; throws naming the arg. */
export function validateDataStoreArgs(name: string, args: DataStoreArgs): void {
  const fail = (problem: string): never => {
    throw new Error(`DataStore ${name}: ${problem}`);
  };
  if (args.engine !== "dynamodb" && !args.placement)
    fail(`${args.engine} needs placement (subnets and security groups)`);
  if (args.placement && args.placement.subnetIds.length < 2)
    fail("placement.subnetIds must span at least two availability zones");
  switch (args.engine) {
    case "mysql": {
      const storage = args.allocatedStorageGiB ?? 20;
      const max = args.maxAllocatedStorageGiB ?? 0;
      const backups = args.backupRetentionDays ?? 7;
      if (storage < 20) fail(`allocatedStorageGiB must be at least 20 (got ${storage})`);
      if (max !== 0 && max <= storage)
        fail(`maxAllocatedStorageGiB must be 0 (off) or above allocatedStorageGiB (${max} ≤ ${storage})`);
      if (!(backups >= 1 && backups <= 35))
        fail(`backupRetentionDays must be 1-35: point-in-time recovery needs backups (got ${backups})`);
      if (!/^\d+\.\d+$/.test(args.engineVersion ?? "8.4"))
        fail(`engineVersion must be major.minor, e.g. 8.4 (got ${args.engineVersion})`);
      for (const db of args.databases ?? [])
        if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(db))
          fail(`database name ${JSON.stringify(db)} is not valid`);
      return;
    }
    case "redis": {
      const replicas = args.replicas ?? 0;
      const snapshots = args.snapshotRetentionDays ?? 1;
      if (!(Number.isInteger(replicas) && replicas >= 0 && replicas <= 5))
        fail(`replicas must be 0-5 (got ${replicas})`);
      if (!(snapshots >= 0 && snapshots <= 35)) fail(`snapshotRetentionDays must be 0-35 (got ${snapshots})`);
      return;
    }
    case "dynamodb": {
      if (args.tables.length === 0) fail("dynamodb needs at least one table");
      if (args.billingMode === "PAY_PER_REQUEST" && (args.capacityBudget ?? 0) > 0)
        fail("capacityBudget applies to PROVISIONED billing only");
      const names = new Set<string>();
      for (const t of args.tables) {
        if (names.has(t.name)) fail(`table ${t.name} is declared twice`);
        names.add(t.name);
      }
      return;
    }
  }
}
