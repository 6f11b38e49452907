import type { ResourcePolicy } from "../policy";

export const noNatGateway: ResourcePolicy = {
  kind: "resource",
  name: "no-nat-gateway",
  group: "free-tier",
  control: "AWS Free Tier: NAT gateways are not included (billed per hour and per GB)",
  description: "No NAT gateway: use public subnets behind security groups and gateway endpoints instead.",
  types: ["aws:ec2/natGateway:NatGateway"],
  check: () => ["a NAT gateway costs about 32 USD a month plus data processing"],
  examples: {
    violating: [[{ type: "aws:ec2/natGateway:NatGateway", props: { subnetId: "subnet-1" } }]],
    compliant: [[{ type: "aws:ec2/vpcEndpoint:VpcEndpoint", props: { vpcEndpointType: "Gateway" } }]],
  },
};
