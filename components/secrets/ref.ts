import * as pulumi from "@pulumi/pulumi";

/**
 * The `valueFrom` an ECS container definition uses to read one JSON key of a Secrets Manager
 * secret at task start: `<secret ARN>:<json key>::` (version stage and id left to AWSCURRENT).
 */
export function secretRef(arn: pulumi.Input<string>, jsonKey = "password"): pulumi.Output<string> {
  return pulumi.interpolate`${arn}:${jsonKey}::`;
}

/** Splits a `valueFrom` back into the secret ARN and JSON key (for policies and tests). */
export function parseSecretRef(valueFrom: string): { arn: string; jsonKey: string } | undefined {
  const match = /^(arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:[^:]+):([^:]+)::$/.exec(valueFrom);
  return match ? { arn: match[1]!, jsonKey: match[2]! } : undefined;
}
