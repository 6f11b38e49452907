import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { transform } from "../shared/transform";
import type { ImageRepositoryArgs } from "./args";

/**
 * An ECR repository (scan on push, immutable tags, encrypted, old images expired) and the image
 * in it: built from a Dockerfile and pushed with `@pulumi/docker`, or a prebuilt tag (CI builds
 * once, every stack deploys the same image). `imageRef` pins the image by digest when built.
 *
 * Cost: ECR storage is $0.10/GB-month (500 MB/month free for 12 months for private
 * repositories); basic scanning on push is free; pulls inside the region are free.
 */
export class AwsImageRepository extends pulumi.ComponentResource {
  readonly repositoryUrl: pulumi.Output<string>;
  /** What a task definition runs: `repo@sha256:...` when built, `repo:tag` when prebuilt. */
  readonly imageRef: pulumi.Output<string>;

  constructor(name: string, args: ImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("battle-ready:aws:ImageRepository", name, {}, opts);
    validateImageRepositoryArgs(name, args);
    const t = args.transform ?? {};
    const tags = args.tags ?? {};
    const repository = new aws.ecr.Repository(
      ...transform(
        t.repository,
        `${name}-repo`,
        {
          name: args.repositoryName,
          imageTagMutability: "IMMUTABLE",
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfigurations: [{ encryptionType: "AES256" }],
          forceDelete: args.forceDelete ?? false,
          tags,
        },
        { parent: this },
      ),
    );
    new aws.ecr.LifecyclePolicy(
      ...transform(
        t.lifecyclePolicy,
        `${name}-expiry`,
        { repository: repository.name, policy: JSON.stringify(lifecyclePolicy(args.keepImages ?? 20)) },
        { parent: this },
      ),
    );
    if (args.build) {
      const build = args.build;
      const auth = aws.ecr.getAuthorizationTokenOutput(
        { registryId: repository.registryId },
        { parent: this },
      );
      const image = new docker.Image(
        ...transform(
          t.image,
          `${name}-image`,
          {
            imageName: pulumi.interpolate`${repository.repositoryUrl}:${build.tag}`,
            build: {
              context: build.context,
              dockerfile: build.dockerfile,
              platform: build.platform ?? "linux/amd64",
            },
            registry: {
              server: repository.repositoryUrl,
              username: auth.userName,
              password: pulumi.secret(auth.password),
            },
          },
          { parent: this },
        ),
      );
      this.imageRef = image.repoDigest;
    } else {
      this.imageRef = pulumi.interpolate`${repository.repositoryUrl}:${args.prebuiltTag}`;
    }
    this.repositoryUrl = repository.repositoryUrl;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, imageRef: this.imageRef });
  }
}

/** Expire untagged images after a day and keep the newest `keep` tagged ones. */
export function lifecyclePolicy(keep: number) {
  return {
    rules: [
      {
        rulePriority: 1,
        description: "expire untagged images after a day",
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: 1,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `keep the newest ${keep} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  };
}

export function validateImageRepositoryArgs(name: string, args: ImageRepositoryArgs): void {
  if (Boolean(args.build) === Boolean(args.prebuiltTag))
    throw new Error(`ImageRepository ${name}: give exactly one of build or prebuiltTag`);
  const tag = args.build?.tag ?? args.prebuiltTag ?? "";
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag))
    throw new Error(`ImageRepository ${name}: ${JSON.stringify(tag)} is not a valid tag`);
  if (tag === "latest")
    throw new Error(`ImageRepository ${name}: "latest" cannot be used with immutable tags`);
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(args.repositoryName))
    throw new Error(
      `ImageRepository ${name}: ${JSON.stringify(args.repositoryName)} is not a valid ECR repository name`,
    );
  if ((args.keepImages ?? 20) < 1) throw new Error(`ImageRepository ${name}: keepImages must be ≥ 1`);
}
