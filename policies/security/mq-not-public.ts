import { rule } from "../rule";

export const mqNotPublic = rule({
  name: "mq-not-public",
  control: "Checkov CKV_AWS_69; Security Hub FSBP MQ.5 (public accessibility)",
  description: "Amazon MQ brokers are not publicly accessible.",
  type: "aws:mq/broker:Broker",
  holds: (p) => p.publiclyAccessible !== true,
  message: "publiclyAccessible must be false",
  violating: [{ publiclyAccessible: true }],
  compliant: [{ publiclyAccessible: false }],
});
