import { type ResourcePolicy, violations } from "../policy";

export const logGroupRetentionSet: ResourcePolicy = {
  kind: "resource",
  name: "log-group-retention-set",
  group: "free-tier",
  control: "AWS Free Tier: CloudWatch Logs 5 GB of ingestion and storage; Checkov CKV_AWS_66",
  description: "Every log group has a retention period, so stored logs do not grow for ever.",
  types: ["aws:cloudwatch/logGroup:LogGroup"],
  defaults: { maxRetentionDays: 30 },
  check: (props, _r, s) =>
    violations(
      [!(Number(props.retentionInDays) > 0), "no retention period: logs are kept (and billed) for ever"],
      [
        Number(props.retentionInDays) > (s.maxRetentionDays as number),
        `retention ${props.retentionInDays} days is over ${s.maxRetentionDays}`,
      ],
    ),
  examples: {
    violating: [[{ type: "aws:cloudwatch/logGroup:LogGroup", props: {} }]],
    compliant: [[{ type: "aws:cloudwatch/logGroup:LogGroup", props: { retentionInDays: 7 } }]],
  },
};
