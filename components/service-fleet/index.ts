import type * as pulumi from "@pulumi/pulumi";
import { pickRealization, type RealizationName } from "../shared/realization";
import type { ServiceFleetArgs } from "./args";
import { AwsServiceFleet } from "./aws";

export * from "./args";
export { AwsServiceFleet } from "./aws";
export { ECS_AMI_PARAMETER } from "./aws-instances";
export { srvServiceName } from "./aws-service";
export * from "./container";
export { type AlbRoute, planAlbRoutes, routePattern, stripPrefixRewrite } from "./routing";
export { validateServiceFleetArgs } from "./validate";

type Factory = (
  name: string,
  args: ServiceFleetArgs,
  opts?: pulumi.ComponentResourceOptions,
) => pulumi.ComponentResource;

const realizations: Partial<Record<RealizationName, Factory>> = {
  aws: (name, args, opts) => new AwsServiceFleet(name, args, opts),
};

export function createServiceFleet(
  realization: RealizationName,
  name: string,
  args: ServiceFleetArgs,
  opts?: pulumi.ComponentResourceOptions,
): pulumi.ComponentResource {
  return pickRealization("ServiceFleet", realizations, realization)(name, args, opts);
}
