import { rule } from "../rule";

export const ecrScanOnPush = rule({
  name: "ecr-scan-on-push",
  control: "Checkov CKV_AWS_163; Security Hub FSBP ECR.1",
  description: "ECR repositories scan every image on push.",
  type: "aws:ecr/repository:Repository",
  holds: (p) => p.imageScanningConfiguration?.scanOnPush === true,
  message: "imageScanningConfiguration.scanOnPush must be true",
  violating: [{}],
  compliant: [{ imageScanningConfiguration: { scanOnPush: true } }],
});
