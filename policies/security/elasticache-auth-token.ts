import { rule } from "../rule";

export const elasticacheAuthToken = rule({
  name: "elasticache-auth-token",
  control: "Checkov CKV_AWS_31; Security Hub FSBP ElastiCache.6",
  description: "Redis requires AUTH (a generated token, kept secret).",
  type: "aws:elasticache/replicationGroup:ReplicationGroup",
  holds: (p) => typeof p.authToken === "string" && p.authToken.length >= 16,
  message: "authToken must be set (at least 16 characters)",
  violating: [{}],
  compliant: [{ authToken: "0123456789abcdef0123" }],
});
