import * as pulumi from "@pulumi/pulumi";

/** The bucket-policy statement that refuses every request not made over TLS (S3 allows plain HTTP). */
export function denyInsecureTransport(bucketArn: pulumi.Input<string>) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
