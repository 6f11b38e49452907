import type * as pulumi from "@pulumi/pulumi";
import { pickRealization, type RealizationName } from "../shared/realization";
import type { DataStoreArgs } from "./args";
import { AwsDataStore } from "./aws";
import { KubernetesDataStore } from "./kubernetes";

export * from "./args";
export { AwsDataStore } from "./aws";
export { mysqlParameterFamily, RDS_CA_IDENTIFIER } from "./aws-mysql";
export { fitToCapacityBudget } from "./capacity";
export { validateDataStoreArgs } from "./validate";

type Factory = (
  name: string,
  args: DataStoreArgs,
  opts?: pulumi.ComponentResourceOptions,
) => pulumi.ComponentResource;

const realizations: Partial<Record<RealizationName, Factory>> = {
  kubernetes: (name, args, opts) => new KubernetesDataStore(name, args, opts),
  aws: (name, args, opts) => new AwsDataStore(name, args, opts),
};

/** A DataStore in the named realization (the Kubernetes one registers itself here). */
export function createDataStore(
  realization: RealizationName,
  name: string,
  args: DataStoreArgs,
  opts?: pulumi.ComponentResourceOptions,
): pulumi.ComponentResource {
  return pickRealization("DataStore", realizations, realization)(name, args, opts);
}
