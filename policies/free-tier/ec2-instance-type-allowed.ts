import { type ResourcePolicy, violations } from "../policy";

export const ec2InstanceTypeAllowed: ResourcePolicy = {
  kind: "resource",
  name: "ec2-instance-type-allowed",
  group: "free-tier",
  control: "AWS Free Tier: EC2 750 hours/month of t2.micro or t3.micro",
  description: "EC2 instances and launch templates use an instance type from the free-tier allow-list.",
  types: ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"],
  defaults: { allowedInstanceTypes: ["t2.micro", "t3.micro"] },
  check: (props, _r, s) => {
    const allowed = s.allowedInstanceTypes as string[];
    return violations([
      !allowed.includes(props.instanceType),
      `instance type ${props.instanceType} is not in the allow-list (${allowed.join(", ")})`,
    ]);
  },
  examples: {
    violating: [[{ type: "aws:ec2/launchTemplate:LaunchTemplate", props: { instanceType: "m5.large" } }]],
    compliant: [[{ type: "aws:ec2/launchTemplate:LaunchTemplate", props: { instanceType: "t3.micro" } }]],
  },
};
