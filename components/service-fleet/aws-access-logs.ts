import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport } from "../shared/s3-tls-only";
import { nameTags } from "../shared/tags";
import { type Transform, transform } from "../shared/transform";
import type { ServiceFleetArgs } from "./args";

/** Where the ALB writes its access logs (the `accessLogs` block of the load balancer). */
export interface AccessLogTarget {
  bucket: pulumi.Output<string>;
  prefix: string;
  /** The bucket policy: the ALB checks it may write when access logs are turned on. */
  policy: aws.s3.BucketPolicy;
}

export const DEFAULT_ACCESS_LOG_PREFIX = "alb";

/** Hooks for the access-log bucket's companions, beside `accessLogBucket` itself. */
export interface AccessLogTransforms {
  accessLogPublicAccessBlock?: Transform<aws.s3.BucketPublicAccessBlockArgs>;
  accessLogEncryption?: Transform<aws.s3.BucketServerSideEncryptionConfigurationArgs>;
  accessLogLifecycle?: Transform<aws.s3.BucketLifecycleConfigurationArgs>;
  accessLogPolicy?: Transform<aws.s3.BucketPolicyArgs>;
}

/**
 * The ALB's access-log bucket: private (all four public access blocks), SSE-S3 (the only
 * encryption ELB log delivery supports), a policy that lets Elastic Load Balancing put objects
 * under `<prefix>/AWSLogs/<account>/` and denies any request without TLS, and objects expiring
 * after the retention. Undefined when `accessLogs` is absent or its retention is 0 (logs off).
 */
export function createAccessLogBucket(
  name: string,
  args: ServiceFleetArgs,
  parent: pulumi.Resource,
): AccessLogTarget | undefined {
  const retentionDays = args.accessLogs?.retentionDays ?? 0;
  if (retentionDays === 0) return undefined;
  const prefix = args.accessLogs?.prefix ?? DEFAULT_ACCESS_LOG_PREFIX;
  const t: NonNullable<ServiceFleetArgs["transform"]> & AccessLogTransforms = args.transform ?? {};
  const tags = args.tags ?? {};
  const logical = `${name}-alb-logs`;
  const bucket = new aws.s3.Bucket(
    ...transform(
      t.accessLogBucket,
      logical,
      // Without deletion protection the stack may delete the bucket with its logs in it.
      { forceDestroy: !(args.deletionProtection ?? false), tags: nameTags(logical, tags) },
      { parent },
    ),
  );
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    ...transform(
      t.accessLogPublicAccessBlock,
      logical,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent },
    ),
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    ...transform(
      t.accessLogEncryption,
      logical,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      { parent },
    ),
  );
  new aws.s3.BucketLifecycleConfiguration(
    ...transform(
      t.accessLogLifecycle,
      logical,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-access-logs",
            status: "Enabled",
            filter: { prefix: `${prefix}/` },
            expiration: { days: retentionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent },
    ),
  );
  const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
  // Regions opened since August 2022 only know the log-delivery service principal; older ones
  // (eu-west-1 among them) document their regional ELB account: the policy names both.
  const elbAccount = aws.elb.getServiceAccountOutput({}, { parent }).arn;
  const policy = new aws.s3.BucketPolicy(
    ...transform(
      t.accessLogPolicy,
      logical,
      {
        bucket: bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ElbLogDelivery",
              Effect: "Allow",
              Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com", AWS: elbAccount },
              Action: "s3:PutObject",
              Resource: pulumi.interpolate`${bucket.arn}/${prefix}/AWSLogs/${account}/*`,
            },
            denyInsecureTransport(bucket.arn),
          ],
        }),
      },
      // S3 refuses a policy while the public access block is being changed.
      { parent, dependsOn: [publicAccessBlock] },
    ),
  );
  return { bucket: bucket.bucket, prefix, policy };
}
