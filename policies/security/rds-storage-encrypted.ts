import { rule } from "../rule";

export const rdsStorageEncrypted = rule({
  name: "rds-storage-encrypted",
  control: "Checkov CKV_AWS_16; Security Hub FSBP RDS.3",
  description: "RDS storage is encrypted at rest.",
  type: "aws:rds/instance:Instance",
  holds: (p) => p.storageEncrypted === true,
  message: "storageEncrypted must be true",
  violating: [{ storageEncrypted: false }, {}],
  compliant: [{ storageEncrypted: true }],
});
