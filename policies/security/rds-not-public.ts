import { rule } from "../rule";

export const rdsNotPublic = rule({
  name: "rds-not-public",
  control: "Checkov CKV_AWS_17; Security Hub FSBP RDS.2",
  description: "RDS instances are not publicly accessible.",
  type: "aws:rds/instance:Instance",
  holds: (p) => p.publiclyAccessible !== true,
  message: "publiclyAccessible must be false",
  violating: [{ publiclyAccessible: true }],
  compliant: [{ publiclyAccessible: false }],
});
