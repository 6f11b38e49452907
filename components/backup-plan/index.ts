import type * as pulumi from "@pulumi/pulumi";
import { pickRealization, type RealizationName } from "../shared/realization";
import type { BackupPlanArgs } from "./args";
import { AwsBackupPlan } from "./aws";

export * from "./args";
export { AwsBackupPlan, validateBackupPlanArgs } from "./aws";

type Factory = (
  name: string,
  args: BackupPlanArgs,
  opts?: pulumi.ComponentResourceOptions,
) => pulumi.ComponentResource;

const realizations: Partial<Record<RealizationName, Factory>> = {
  aws: (name, args, opts) => new AwsBackupPlan(name, args, opts),
};

export function createBackupPlan(
  realization: RealizationName,
  name: string,
  args: BackupPlanArgs,
  opts?: pulumi.ComponentResourceOptions,
): pulumi.ComponentResource {
  return pickRealization("BackupPlan", realizations, realization)(name, args, opts);
}
