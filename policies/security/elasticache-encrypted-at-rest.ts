import { rule } from "../rule";

export const elasticacheEncryptedAtRest = rule({
  name: "elasticache-encrypted-at-rest",
  control: "Checkov CKV_AWS_29; Security Hub FSBP ElastiCache.4",
  description: "ElastiCache replication groups are encrypted at rest.",
  type: "aws:elasticache/replicationGroup:ReplicationGroup",
  holds: (p) => p.atRestEncryptionEnabled === true || p.atRestEncryptionEnabled === "true",
  message: "atRestEncryptionEnabled must be true",
  violating: [{}],
  compliant: [{ atRestEncryptionEnabled: true }],
});
