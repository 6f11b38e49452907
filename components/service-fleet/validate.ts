import type { ServiceFleetArgs } from "./args";
import { looksSecret } from "./container";

/** Synchronous checks of conflicting args; throws naming the service and arg. */
export function validateServiceFleetArgs(name: string, args: ServiceFleetArgs): void {
  const fail = (problem: string): never => {
    throw new Error(`ServiceFleet ${name}: ${problem}`);
  };
  const min = args.minInstances ?? 1;
  const max = args.maxInstances ?? 2;
  if (!(Number.isInteger(min) && min >= 0)) fail(`minInstances must be a whole number ≥ 0 (got ${min})`);
  if (max < Math.max(1, min)) fail(`maxInstances must be ≥ minInstances and ≥ 1 (got ${max})`);
  const capacity = args.targetCapacityPercent ?? 100;
  if (!(capacity >= 1 && capacity <= 100)) fail(`targetCapacityPercent must be 1-100 (got ${capacity})`);
  if ((args.rootVolumeGiB ?? 30) < 30)
    fail("rootVolumeGiB must be at least 30 (the ECS-optimized AMI's snapshot size)");
  if (args.network.albSubnetIds.length < 2) fail("network.albSubnetIds: an ALB needs subnets in two zones");
  const names = new Set<string>();
  for (const s of args.services) {
    if (names.has(s.name)) fail(`service ${s.name} is listed twice`);
    names.add(s.name);
    const { min: lo, max: hi } = s.scaling;
    if (lo > hi) fail(`${s.name}.scaling.min must be ≤ scaling.max (${lo} > ${hi})`);
    if (s.kind !== "job" && hi < 1) fail(`${s.name}.scaling.max must be ≥ 1`);
    if (s.scaling.queue) {
      if (args.brokerName === undefined)
        fail(`${s.name}.scaling.queue needs brokerName (the queue depth is a metric of the broker)`);
      if (args.containerInsights === "disabled")
        fail(
          `${s.name}.scaling.queue divides by Container Insights' RunningTaskCount; enable containerInsights`,
        );
      if (!(s.scaling.queue.targetDepthPerInstance > 0))
        fail(`${s.name}.scaling.queue.targetDepthPerInstance must be > 0`);
    }
    for (const variable of Object.keys(s.environment ?? {}))
      if (looksSecret(variable))
        fail(`${s.name}.environment.${variable} looks secret; pass it in secrets (by reference)`);
    if (Object.keys(s.secrets ?? {}).length > 0 && (s.secretArns ?? []).length === 0)
      fail(`${s.name}: secrets need secretArns so the execution role may read them`);
  }
}
