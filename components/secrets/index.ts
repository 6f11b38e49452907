import type * as pulumi from "@pulumi/pulumi";
import { pickRealization, type RealizationName } from "../shared/realization";
import type { SecretsArgs, StoredSecret } from "./args";
import { AwsSecrets } from "./aws";

export * from "./args";
export { AwsSecrets, validateSecretsArgs } from "./aws";
export { parseSecretRef, secretRef } from "./ref";

/** What every realization of Secrets offers. */
export interface Secrets extends pulumi.ComponentResource {
  readonly secrets: Record<string, StoredSecret>;
  secret(key: string): StoredSecret;
}

const realizations: Partial<
  Record<
    RealizationName,
    (name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) => Secrets
  >
> = {
  aws: (name, args, opts) => new AwsSecrets(name, args, opts),
};

export function createSecrets(
  realization: RealizationName,
  name: string,
  args: SecretsArgs,
  opts?: pulumi.ComponentResourceOptions,
): Secrets {
  return pickRealization("Secrets", realizations, realization)(name, args, opts);
}
