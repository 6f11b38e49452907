import { rule } from "../rule";

export const albDropInvalidHeaders = rule({
  name: "alb-drop-invalid-headers",
  control: "Checkov CKV_AWS_131; Security Hub FSBP ELB.4",
  description: "Application load balancers drop invalid HTTP header fields (request smuggling defence).",
  type: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
  holds: (p) => p.loadBalancerType === "network" || p.dropInvalidHeaderFields === true,
  message: "dropInvalidHeaderFields must be true",
  violating: [{ loadBalancerType: "application" }],
  compliant: [{ loadBalancerType: "application", dropInvalidHeaderFields: true }],
});
