import { rule } from "../rule";

export const rdsBackupsEnabled = rule({
  name: "rds-backups-enabled",
  control: "Checkov CKV_AWS_133; Security Hub FSBP RDS.11",
  description:
    "RDS automated backups (and so point-in-time recovery) are on, kept at least the configured days.",
  type: "aws:rds/instance:Instance",
  defaults: { minRetentionDays: 1 },
  holds: (p, s) => Number(p.backupRetentionPeriod ?? 0) >= (s.minRetentionDays as number),
  message: "backupRetentionPeriod must be at least the configured minimum (automated backups with PITR)",
  violating: [{ backupRetentionPeriod: 0 }, {}],
  compliant: [{ backupRetentionPeriod: 7 }],
});
