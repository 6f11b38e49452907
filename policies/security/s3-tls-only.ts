import type { StackPolicy } from "../policy";
import { bucket, bucketsWithout } from "./s3-buckets";

const POLICY = "aws:s3/bucketPolicy:BucketPolicy";

function deniesInsecureTransport(policy: unknown): boolean {
  const document = typeof policy === "string" ? safeParse(policy) : policy;
  const statements = ((document as { Statement?: unknown[] })?.Statement ?? []) as {
    Effect?: string;
    Condition?: Record<string, Record<string, unknown>>;
  }[];
  return statements.some(
    (s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false",
  );
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const s3TlsOnly: StackPolicy = {
  kind: "stack",
  name: "s3-tls-only",
  group: "security",
  control: "Security Hub FSBP S3.5; Checkov CKV_AWS_379 (SSL requests only)",
  description: "Every S3 bucket's policy denies requests that do not use TLS.",
  check: (resources) =>
    bucketsWithout(resources, POLICY, (p) => deniesInsecureTransport(p.props.policy)).map((b) => ({
      resource: b,
      message: "bucket policy does not deny aws:SecureTransport=false",
    })),
  examples: {
    violating: [[bucket("backups")]],
    compliant: [
      [
        bucket("backups"),
        {
          type: POLICY,
          name: "backups-tls",
          urn: "u",
          props: {
            bucket: "backups",
            policy: JSON.stringify({
              Statement: [
                {
                  Effect: "Deny",
                  Principal: "*",
                  Action: "s3:*",
                  Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
              ],
            }),
          },
        },
      ],
    ],
  },
};
