import type * as pulumi from "@pulumi/pulumi";
import { pickRealization, type RealizationName } from "../shared/realization";
import type { NetworkArgs } from "./args";
import { AwsNetwork } from "./aws";

export * from "./args";
export { AwsNetwork, validateNetworkArgs } from "./aws";
export { parseCidr, subnetCidrs } from "./cidr";

const realizations: Partial<
  Record<
    RealizationName,
    (name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) => AwsNetwork
  >
> = {
  aws: (name, args, opts) => new AwsNetwork(name, args, opts),
};

/** The network is AWS-only: a cluster brings its own. */
export function createNetwork(
  realization: RealizationName,
  name: string,
  args: NetworkArgs,
  opts?: pulumi.ComponentResourceOptions,
): AwsNetwork {
  return pickRealization("Network", realizations, realization)(name, args, opts);
}
