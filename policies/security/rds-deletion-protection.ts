import { rule } from "../rule";

export const rdsDeletionProtection = rule({
  name: "rds-deletion-protection",
  control: "Checkov CKV_AWS_293; Security Hub FSBP RDS.8",
  description: "RDS instances have deletion protection where the stack requires it (prod).",
  type: "aws:rds/instance:Instance",
  defaults: { required: true },
  holds: (p, s) => !s.required || p.deletionProtection === true,
  message: "deletionProtection must be true on this stack",
  violating: [{ deletionProtection: false }],
  compliant: [{ deletionProtection: true }],
});
