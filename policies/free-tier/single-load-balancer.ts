import type { StackPolicy } from "../policy";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const ALB = "aws:alb/loadBalancer:LoadBalancer";

export const singleLoadBalancer: StackPolicy = {
  kind: "stack",
  name: "single-load-balancer",
  group: "free-tier",
  control: "AWS Free Tier: Elastic Load Balancing 750 hours/month (one load balancer)",
  description: "One load balancer for the whole stack, routing by path to every service.",
  defaults: { maxLoadBalancers: 1 },
  check: (resources, s) => {
    const count = resources.filter((r) => r.type === LB || r.type === ALB).length;
    return count > (s.maxLoadBalancers as number)
      ? [{ message: `${count} load balancers; the free tier covers ${s.maxLoadBalancers}` }]
      : [];
  },
  examples: {
    violating: [
      [
        { type: LB, name: "a", props: {} },
        { type: LB, name: "b", props: {} },
      ],
    ],
    compliant: [[{ type: LB, name: "a", props: {} }]],
  },
};
