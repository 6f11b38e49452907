import { type ResourcePolicy, violations } from "../policy";

export const mqInstanceTypeAllowed: ResourcePolicy = {
  kind: "resource",
  name: "mq-instance-type-allowed",
  group: "free-tier",
  control: "AWS Free Tier: Amazon MQ 750 hours/month of a single-instance mq.t2.micro or mq.t3.micro broker",
  description: "Amazon MQ brokers use a host instance type from the free-tier allow-list.",
  types: ["aws:mq/broker:Broker"],
  defaults: { allowedHostInstanceTypes: ["mq.t3.micro", "mq.t2.micro"] },
  check: (props, _r, s) => {
    const allowed = s.allowedHostInstanceTypes as string[];
    return violations([
      !allowed.includes(props.hostInstanceType),
      `host instance type ${props.hostInstanceType} is not in the allow-list (${allowed.join(", ")})`,
    ]);
  },
  examples: {
    violating: [[{ type: "aws:mq/broker:Broker", props: { hostInstanceType: "mq.m5.large" } }]],
    compliant: [[{ type: "aws:mq/broker:Broker", props: { hostInstanceType: "mq.t3.micro" } }]],
  },
};
