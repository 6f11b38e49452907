import { rule } from "../rule";

export const mqAutoMinorVersionUpgrade = rule({
  name: "mq-auto-minor-version-upgrade",
  control: "Checkov CKV_AWS_207; Security Hub FSBP MQ.3",
  description: "Amazon MQ brokers take minor version upgrades automatically.",
  type: "aws:mq/broker:Broker",
  holds: (p) => p.autoMinorVersionUpgrade === true,
  message: "autoMinorVersionUpgrade must be true",
  violating: [{}],
  compliant: [{ autoMinorVersionUpgrade: true }],
});
