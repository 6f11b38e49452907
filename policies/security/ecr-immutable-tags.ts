import { rule } from "../rule";

export const ecrImmutableTags = rule({
  name: "ecr-immutable-tags",
  control: "Checkov CKV_AWS_51; Security Hub FSBP ECR.2",
  description: "ECR image tags are immutable.",
  type: "aws:ecr/repository:Repository",
  holds: (p) => p.imageTagMutability === "IMMUTABLE",
  message: "imageTagMutability must be IMMUTABLE",
  violating: [{}, { imageTagMutability: "MUTABLE" }],
  compliant: [{ imageTagMutability: "IMMUTABLE" }],
});
