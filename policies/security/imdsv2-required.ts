import { rule } from "../rule";

export const imdsv2Required = rule({
  name: "imdsv2-required",
  control: "Checkov CKV_AWS_79; Security Hub FSBP EC2.8 and AutoScaling.3",
  description: "Instances require IMDSv2 session tokens for the metadata service.",
  type: ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"],
  holds: (p) => p.metadataOptions?.httpTokens === "required",
  message: "metadataOptions.httpTokens must be required (IMDSv2)",
  violating: [{}, { metadataOptions: { httpTokens: "optional" } }],
  compliant: [{ metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" } }],
});
