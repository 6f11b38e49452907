import { type ResourcePolicy, violations } from "../policy";

export const rdsBackupRetentionWithinFreeTier: ResourcePolicy = {
  kind: "resource",
  name: "rds-backup-retention-within-free-tier",
  group: "free-tier",
  control: "AWS Free Tier: RDS 20 GB of backup storage",
  description: "Automated backup retention stays short enough for the free 20 GB of backup storage.",
  types: ["aws:rds/instance:Instance"],
  defaults: { maxBackupRetentionDays: 7 },
  check: (props, _r, s) =>
    violations([
      Number(props.backupRetentionPeriod ?? 0) > (s.maxBackupRetentionDays as number),
      `backup retention ${props.backupRetentionPeriod} days is over ${s.maxBackupRetentionDays}`,
    ]),
  examples: {
    violating: [[{ type: "aws:rds/instance:Instance", props: { backupRetentionPeriod: 35 } }]],
    compliant: [[{ type: "aws:rds/instance:Instance", props: { backupRetentionPeriod: 7 } }]],
  },
};
