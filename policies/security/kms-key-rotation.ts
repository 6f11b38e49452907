import { rule } from "../rule";

export const kmsKeyRotation = rule({
  name: "kms-key-rotation",
  control: "Checkov CKV_AWS_7; Security Hub FSBP KMS.4; CIS AWS 3.6",
  description: "Customer managed KMS keys rotate yearly.",
  type: "aws:kms/key:Key",
  holds: (p) => p.enableKeyRotation === true,
  message: "enableKeyRotation must be true",
  violating: [{}],
  compliant: [{ enableKeyRotation: true }],
});
