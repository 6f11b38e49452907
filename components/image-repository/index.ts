import type * as pulumi from "@pulumi/pulumi";
import { pickRealization, type RealizationName } from "../shared/realization";
import type { ImageRepositoryArgs } from "./args";
import { AwsImageRepository } from "./aws";

export * from "./args";
export { AwsImageRepository, lifecyclePolicy, validateImageRepositoryArgs } from "./aws";
export { contentTag } from "./tag";

/** What every realization offers: a reference a container runtime can pull. */
export interface ImageRepository extends pulumi.ComponentResource {
  readonly imageRef: pulumi.Output<string>;
}

type Factory = (
  name: string,
  args: ImageRepositoryArgs,
  opts?: pulumi.ComponentResourceOptions,
) => ImageRepository;

const realizations: Partial<Record<RealizationName, Factory>> = {
  aws: (name, args, opts) => new AwsImageRepository(name, args, opts),
};

export function createImageRepository(
  realization: RealizationName,
  name: string,
  args: ImageRepositoryArgs,
  opts?: pulumi.ComponentResourceOptions,
): ImageRepository {
  return pickRealization("ImageRepository", realizations, realization)(name, args, opts);
}
