import type { StackPolicy } from "../policy";
import { bucket, bucketsWithout } from "./s3-buckets";

const SSE = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2";
const SSE_V1 = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";

export const s3Encrypted: StackPolicy = {
  kind: "stack",
  name: "s3-encrypted",
  group: "security",
  control: "Checkov CKV_AWS_145 (KMS by default); Security Hub FSBP S3.17",
  description: "Every S3 bucket has default server-side encryption configured.",
  check: (resources) => {
    const v2 = new Set(bucketsWithout(resources, SSE));
    return bucketsWithout(resources, SSE_V1)
      .filter((b) => v2.has(b))
      .map((b) => ({ resource: b, message: "bucket has no server-side encryption configuration" }));
  },
  examples: {
    violating: [[bucket("backups")]],
    compliant: [
      [
        bucket("backups"),
        {
          type: SSE,
          name: "backups-sse",
          urn: "u",
          props: {
            bucket: "backups",
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
          },
        },
      ],
    ],
  },
};
