import type * as pulumi from "@pulumi/pulumi";
import { pickRealization, type RealizationName } from "../shared/realization";
import type { ObservabilityStackArgs } from "./args";
import { AwsObservabilityStack } from "./aws";

export { type AlarmPlan, applyAlarmBudget, isPercentile, planAlarms, rdsMaxConnections } from "./alarms";
export * from "./args";
export { AwsObservabilityStack, alarmArgs, validateObservabilityArgs } from "./aws";
export {
  dashboardBody,
  dashboardUrl,
  ERRORS_QUERY,
  type ResolvedSystem,
  SLOW_REQUESTS_QUERY,
  systemWidgets,
} from "./dashboard";

type Factory = (
  name: string,
  args: ObservabilityStackArgs,
  opts?: pulumi.ComponentResourceOptions,
) => pulumi.ComponentResource;

const realizations: Partial<Record<RealizationName, Factory>> = {
  aws: (name, args, opts) => new AwsObservabilityStack(name, args, opts),
};

export function createObservabilityStack(
  realization: RealizationName,
  name: string,
  args: ObservabilityStackArgs,
  opts?: pulumi.ComponentResourceOptions,
): pulumi.ComponentResource {
  return pickRealization("ObservabilityStack", realizations, realization)(name, args, opts);
}
