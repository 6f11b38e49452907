import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport } from "../../components/shared/s3-tls-only";

/**
 * The backup bucket the MySQL CronJob writes to: private, encrypted, dumps expiring after the
 * retention. With `endpoint` (LocalStack) every call goes there, so the local cluster needs no
 * AWS account.
 */
export function backupBucket(
  bucketName: string,
  retentionDays: number,
  endpoint: string | undefined,
  tags: Record<string, string>,
): { bucket: pulumi.Output<string> } {
  const opts: pulumi.CustomResourceOptions = endpoint
    ? {
        provider: new aws.Provider("aws-backup-endpoint", {
          endpoints: [{ s3: endpoint, sts: endpoint }],
          skipCredentialsValidation: true,
          skipMetadataApiCheck: true,
          skipRequestingAccountId: true,
          s3UsePathStyle: true,
        }),
      }
    : {};
  const bucket = new aws.s3.Bucket("mysql-backups", { bucket: bucketName, forceDestroy: false, tags }, opts);
  new aws.s3.BucketPublicAccessBlock(
    "mysql-backups",
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  // HTTPS only on AWS S3 (LocalStack's community edition does not enforce bucket policies).
  new aws.s3.BucketPolicy(
    "mysql-backups",
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [denyInsecureTransport(bucket.arn)],
      }),
    },
    opts,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    "mysql-backups",
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    opts,
  );
  new aws.s3.BucketLifecycleConfiguration(
    "mysql-backups",
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-dumps",
          status: "Enabled",
          filter: { prefix: "mysql/" },
          expiration: { days: retentionDays },
        },
      ],
    },
    opts,
  );
  return { bucket: bucket.bucket };
}
