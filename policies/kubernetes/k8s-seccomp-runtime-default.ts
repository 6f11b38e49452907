import { type ResourcePolicy, violations } from "../policy";
import {
  compliantContainer,
  compliantPod,
  containersOf,
  deployment,
  podSpecOf,
  WORKLOAD_TYPES,
} from "./workloads";

const ALLOWED = new Set(["RuntimeDefault", "Localhost"]);

export const k8sSeccompRuntimeDefault: ResourcePolicy = {
  kind: "resource",
  name: "k8s-seccomp-runtime-default",
  group: "security",
  control:
    "Pod Security Standards (restricted): seccompProfile RuntimeDefault or Localhost; Checkov CKV_K8S_31",
  description: "Pods (or every container) use the RuntimeDefault seccomp profile.",
  types: WORKLOAD_TYPES,
  check: (props, r) => {
    const podProfile = podSpecOf(r.type, props).securityContext?.seccompProfile?.type;
    return violations(
      ...containersOf(r.type, props).map((c): [boolean, string] => [
        !ALLOWED.has(c.securityContext?.seccompProfile?.type ?? podProfile),
        `container ${c.name} must run with seccompProfile RuntimeDefault`,
      ]),
    );
  },
  examples: {
    violating: [deployment(compliantContainer, { securityContext: { runAsNonRoot: true } })],
    compliant: [deployment(compliantContainer, compliantPod)],
  },
};
