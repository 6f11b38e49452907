import { type ResourcePolicy, violations } from "../policy";

export const mqSingleInstance: ResourcePolicy = {
  kind: "resource",
  name: "mq-single-instance",
  group: "free-tier",
  control: "AWS Free Tier: Amazon MQ single-instance brokers only",
  description: "The broker is single-instance; active/standby runs two brokers.",
  types: ["aws:mq/broker:Broker"],
  check: (props) =>
    violations([
      props.deploymentMode !== "SINGLE_INSTANCE",
      `deployment mode ${props.deploymentMode} is not SINGLE_INSTANCE`,
    ]),
  examples: {
    violating: [[{ type: "aws:mq/broker:Broker", props: { deploymentMode: "ACTIVE_STANDBY_MULTI_AZ" } }]],
    compliant: [[{ type: "aws:mq/broker:Broker", props: { deploymentMode: "SINGLE_INSTANCE" } }]],
  },
};
