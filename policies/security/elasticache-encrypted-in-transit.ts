import { rule } from "../rule";

export const elasticacheEncryptedInTransit = rule({
  name: "elasticache-encrypted-in-transit",
  control: "Checkov CKV_AWS_30; Security Hub FSBP ElastiCache.5",
  description: "ElastiCache replication groups encrypt traffic in transit (TLS).",
  type: "aws:elasticache/replicationGroup:ReplicationGroup",
  holds: (p) => p.transitEncryptionEnabled === true,
  message: "transitEncryptionEnabled must be true",
  violating: [{ transitEncryptionEnabled: false }],
  compliant: [{ transitEncryptionEnabled: true }],
});
