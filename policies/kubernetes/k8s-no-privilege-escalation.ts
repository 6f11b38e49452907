import { type ResourcePolicy, violations } from "../policy";
import { compliantContainer, compliantPod, containersOf, deployment, WORKLOAD_TYPES } from "./workloads";

export const k8sNoPrivilegeEscalation: ResourcePolicy = {
  kind: "resource",
  name: "k8s-no-privilege-escalation",
  group: "security",
  control:
    "Pod Security Standards (restricted): allowPrivilegeEscalation; (baseline): privileged; Checkov CKV_K8S_20, CKV_K8S_16",
  description: "Containers set allowPrivilegeEscalation: false and are never privileged.",
  types: WORKLOAD_TYPES,
  check: (props, r) =>
    violations(
      ...containersOf(r.type, props).flatMap((c): [boolean, string][] => [
        [
          c.securityContext?.allowPrivilegeEscalation !== false,
          `container ${c.name} must set allowPrivilegeEscalation: false`,
        ],
        [c.securityContext?.privileged === true, `container ${c.name} must not be privileged`],
      ]),
    ),
  examples: {
    violating: [
      deployment(
        {
          ...compliantContainer,
          securityContext: { ...compliantContainer.securityContext, allowPrivilegeEscalation: true },
        },
        compliantPod,
      ),
    ],
    compliant: [deployment(compliantContainer, compliantPod)],
  },
};
