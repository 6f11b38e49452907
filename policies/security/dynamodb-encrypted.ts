import { rule } from "../rule";

export const dynamodbEncrypted = rule({
  name: "dynamodb-encrypted",
  control: "Checkov CKV_AWS_119; Security Hub FSBP DynamoDB (KMS encryption at rest)",
  description: "DynamoDB tables use KMS server-side encryption.",
  type: "aws:dynamodb/table:Table",
  holds: (p) => p.serverSideEncryption?.enabled === true,
  message: "serverSideEncryption.enabled must be true",
  violating: [{}, { serverSideEncryption: { enabled: false } }],
  compliant: [{ serverSideEncryption: { enabled: true } }],
});
