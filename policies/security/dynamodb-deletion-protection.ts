import { rule } from "../rule";

export const dynamodbDeletionProtection = rule({
  name: "dynamodb-deletion-protection",
  control: "Security Hub FSBP DynamoDB.6",
  description: "DynamoDB tables have deletion protection where the stack requires it (prod).",
  type: "aws:dynamodb/table:Table",
  defaults: { required: true },
  holds: (p, s) => !s.required || p.deletionProtectionEnabled === true,
  message: "deletionProtectionEnabled must be true on this stack",
  violating: [{ deletionProtectionEnabled: false }],
  compliant: [{ deletionProtectionEnabled: true }],
});
