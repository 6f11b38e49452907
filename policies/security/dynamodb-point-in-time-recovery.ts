import { rule } from "../rule";

export const dynamodbPointInTimeRecovery = rule({
  name: "dynamodb-point-in-time-recovery",
  control: "Checkov CKV_AWS_28; Security Hub FSBP DynamoDB.2",
  description: "DynamoDB tables have point-in-time recovery on.",
  type: "aws:dynamodb/table:Table",
  holds: (p) => p.pointInTimeRecovery?.enabled === true,
  message: "pointInTimeRecovery.enabled must be true",
  violating: [{}],
  compliant: [{ pointInTimeRecovery: { enabled: true } }],
});
