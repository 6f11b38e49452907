import type { StackPolicy } from "../policy";
import { bucket, bucketsWithout } from "./s3-buckets";

const BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ALL = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3PublicAccessBlock: StackPolicy = {
  kind: "stack",
  name: "s3-public-access-block",
  group: "security",
  control: "Checkov CKV2_AWS_6; Security Hub FSBP S3.8",
  description: "Every S3 bucket has a public access block with all four settings on.",
  check: (resources) =>
    bucketsWithout(resources, BLOCK, (b) => ALL.every((k) => b.props[k] === true)).map((b) => ({
      resource: b,
      message: "bucket has no complete public access block",
    })),
  examples: {
    violating: [[bucket("backups")]],
    compliant: [
      [
        bucket("backups"),
        {
          type: BLOCK,
          name: "backups-pab",
          urn: "u",
          props: {
            bucket: "backups",
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
          },
        },
      ],
    ],
  },
};
