import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Transform } from "../shared/transform";

export interface BackupPlanArgs {
  /** ARNs of what to back up: RDS instances and DynamoDB tables. */
  resourceArns: pulumi.Input<string>[];
  /** Days each recovery point is kept. @default 7 */
  retentionDays?: number;
  /** When the daily backup starts (AWS Backup cron, UTC). @default "cron(0 3 * * ? *)" */
  schedule?: string;
  /** Continuous backups (point-in-time restore through AWS Backup; at most 35 days). @default false */
  continuousBackup?: boolean;
  /** Customer-managed KMS key for the vault. @default the account's `aws/backup` key */
  vaultKmsKeyArn?: pulumi.Input<string>;
  /** Prefix of the vault, plan and selection names. @default the component name */
  namePrefix?: string;
  /** Tags on every resource. @default {} */
  tags?: Record<string, string>;
  transform?: {
    vault?: Transform<aws.backup.VaultArgs>;
    role?: Transform<aws.iam.RoleArgs>;
    plan?: Transform<aws.backup.PlanArgs>;
    selection?: Transform<aws.backup.SelectionArgs>;
  };
}
