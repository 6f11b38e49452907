import { type ResourcePolicy, violations } from "../policy";

export const autoscalingGroupWithinFreeTier: ResourcePolicy = {
  kind: "resource",
  name: "autoscaling-group-within-free-tier",
  group: "free-tier",
  control: "AWS Free Tier: EC2 750 instance-hours/month (one instance full time)",
  description: "The instance group keeps one instance running and may briefly add one during deployments.",
  types: ["aws:autoscaling/group:Group"],
  defaults: { maxDesiredInstances: 1, maxInstances: 2 },
  check: (props, _r, s) =>
    violations(
      [
        Number(props.minSize ?? 0) > (s.maxDesiredInstances as number),
        `minSize ${props.minSize} keeps more than ${s.maxDesiredInstances} instance running`,
      ],
      [
        Number(props.maxSize ?? 0) > (s.maxInstances as number),
        `maxSize ${props.maxSize} is over ${s.maxInstances}`,
      ],
    ),
  examples: {
    violating: [[{ type: "aws:autoscaling/group:Group", props: { minSize: 2, maxSize: 6 } }]],
    compliant: [[{ type: "aws:autoscaling/group:Group", props: { minSize: 1, maxSize: 2 } }]],
  },
};
