import { rule } from "../rule";

export const elasticacheSnapshots = rule({
  name: "elasticache-snapshots",
  control: "Security Hub FSBP ElastiCache.1",
  description: "Redis keeps automatic snapshots.",
  type: "aws:elasticache/replicationGroup:ReplicationGroup",
  holds: (p) => Number(p.snapshotRetentionLimit ?? 0) >= 1,
  message: "snapshotRetentionLimit must be at least 1 day",
  violating: [{ snapshotRetentionLimit: 0 }],
  compliant: [{ snapshotRetentionLimit: 1 }],
});
