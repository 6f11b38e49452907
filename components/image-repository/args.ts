import type * as aws from "@pulumi/aws";
import type * as docker from "@pulumi/docker";
import type { Transform } from "../shared/transform";

export interface ImageBuild {
  /** Build context directory (the repository root for our apps). */
  context: string;
  /** Dockerfile path, relative to the working directory like `context`. */
  dockerfile: string;
  /** Target platform. @default "linux/amd64" (what t3 instances run) */
  platform?: string;
  /** Content tag: tags are immutable, so a new build must carry a new tag. */
  tag: string;
}

export interface ImageRepositoryArgs {
  /** ECR repository name, e.g. `battle-ready/dev/todo`. */
  repositoryName: string;
  /** Build and push from a Dockerfile; exclusive with `prebuiltTag`. */
  build?: ImageBuild;
  /** Use an image already pushed under this tag (e.g. by CI) instead of building. */
  prebuiltTag?: string;
  /** Tagged images kept; older ones expire. @default 20 */
  keepImages?: number;
  /** Delete the repository even when it holds images (destroying a dev stack). @default false */
  forceDelete?: boolean;
  /** Tags on every resource. @default {} */
  tags?: Record<string, string>;
  transform?: {
    repository?: Transform<aws.ecr.RepositoryArgs>;
    lifecyclePolicy?: Transform<aws.ecr.LifecyclePolicyArgs>;
    image?: Transform<docker.ImageArgs>;
  };
}
