import * as aws from "@pulumi/aws";

/** The AWS services the platform calls, each pointed at one endpoint (LocalStack) when configured. */
export const ENDPOINT_SERVICES = [
  "acm",
  "applicationautoscaling",
  "autoscaling",
  "backup",
  "cloudwatch",
  "cloudwatchlogs",
  "dynamodb",
  "ec2",
  "ecr",
  "ecs",
  "elasticache",
  "elbv2",
  "iam",
  "kms",
  "mq",
  "rds",
  "secretsmanager",
  "servicediscovery",
  "sns",
  "ssm",
  "sts",
] as const;

/**
 * An explicit provider whose every service endpoint is `endpoint` (LocalStack's edge port), with
 * the checks that need real AWS turned off. Credentials and region come from the usual config.
 */
export function localEndpointProvider(endpoint: string): aws.Provider {
  return new aws.Provider("aws-local-endpoint", {
    endpoints: [Object.fromEntries(ENDPOINT_SERVICES.map((service) => [service, endpoint]))],
    skipCredentialsValidation: true,
    skipMetadataApiCheck: true,
    skipRequestingAccountId: true,
    s3UsePathStyle: true,
  });
}
