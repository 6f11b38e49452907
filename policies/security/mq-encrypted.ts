import { rule } from "../rule";

export const mqEncrypted = rule({
  name: "mq-encrypted",
  control:
    "Checkov CKV_AWS_209 (customer managed key); Amazon MQ encrypts at rest and serves only TLS endpoints",
  description:
    "Broker data is encrypted at rest, with a customer managed KMS key where the stack requires it.",
  type: "aws:mq/broker:Broker",
  defaults: { requireCustomerManagedKey: false },
  holds: (p, s) =>
    !s.requireCustomerManagedKey ||
    (p.encryptionOptions?.useAwsOwnedKey === false && Boolean(p.encryptionOptions?.kmsKeyId)),
  message: "encryptionOptions must use a customer managed KMS key on this stack",
  exampleSettings: { requireCustomerManagedKey: true },
  violating: [{ encryptionOptions: { useAwsOwnedKey: true } }],
  compliant: [{ encryptionOptions: { useAwsOwnedKey: false, kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k" } }],
});
