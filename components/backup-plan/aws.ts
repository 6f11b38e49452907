import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { transform } from "../shared/transform";
import type { BackupPlanArgs } from "./args";

/**
 * AWS Backup for the platform's data: a vault (encrypted), a daily plan with per-stack retention
 * (optionally continuous, for point-in-time restores), a service role, and a selection of the RDS
 * instances and DynamoDB tables by ARN. RDS's own automated backups and DynamoDB's PITR still run:
 * this adds independent, retained recovery points in a separate vault.
 *
 * Cost: backup storage is $0.095/GB-month for RDS snapshots and $0.10/GB-month for DynamoDB
 * (warm); restores of DynamoDB are $0.15/GB. Nothing here is in the free tier, though a small
 * database's incremental snapshots cost cents.
 */
export class AwsBackupPlan extends pulumi.ComponentResource {
  readonly vaultName: pulumi.Output<string>;
  readonly planId: pulumi.Output<string>;

  constructor(name: string, args: BackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    super("battle-ready:aws:BackupPlan", name, {}, opts);
    validateBackupPlanArgs(name, args);
    const t = args.transform ?? {};
    const tags = args.tags ?? {};
    const prefix = args.namePrefix ?? name;
    const vault = new aws.backup.Vault(
      ...transform(
        t.vault,
        `${name}-vault`,
        { name: `${prefix}-vault`, kmsKeyArn: args.vaultKmsKeyArn, tags },
        { parent: this },
      ),
    );
    const role = new aws.iam.Role(
      ...transform(
        t.role,
        `${name}-backup`,
        {
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" },
            ],
          }),
          managedPolicyArns: [
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
          ],
          tags,
        },
        { parent: this },
      ),
    );
    const plan = new aws.backup.Plan(
      ...transform(
        t.plan,
        `${name}-plan`,
        {
          name: `${prefix}-daily`,
          rules: [
            {
              ruleName: "daily",
              targetVaultName: vault.name,
              schedule: args.schedule ?? "cron(0 3 * * ? *)",
              startWindow: 60,
              completionWindow: 360,
              enableContinuousBackup: args.continuousBackup ?? false,
              lifecycle: { deleteAfter: args.retentionDays ?? 7 },
              recoveryPointTags: tags,
            },
          ],
          tags,
        },
        { parent: this },
      ),
    );
    new aws.backup.Selection(
      ...transform(
        t.selection,
        `${name}-selection`,
        { name: `${prefix}-data`, planId: plan.id, iamRoleArn: role.arn, resources: args.resourceArns },
        { parent: this },
      ),
    );
    this.vaultName = vault.name;
    this.planId = plan.id;
    this.registerOutputs({ vaultName: this.vaultName, planId: this.planId });
  }
}

export function validateBackupPlanArgs(name: string, args: BackupPlanArgs): void {
  const retention = args.retentionDays ?? 7;
  if (!(Number.isInteger(retention) && retention >= 1))
    throw new Error(`BackupPlan ${name}: retentionDays must be ≥ 1 (got ${retention})`);
  if (args.continuousBackup && retention > 35)
    throw new Error(
      `BackupPlan ${name}: continuous backups keep at most 35 days (got retentionDays ${retention})`,
    );
  if (!/^cron\(.+\)$|^rate\(.+\)$/.test(args.schedule ?? "cron(0 3 * * ? *)"))
    throw new Error(`BackupPlan ${name}: schedule must be an AWS cron(...) or rate(...) expression`);
  if (args.resourceArns.length === 0)
    throw new Error(`BackupPlan ${name}: resourceArns is empty: nothing to back up`);
}
