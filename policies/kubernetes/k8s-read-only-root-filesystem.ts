import { type ResourcePolicy, violations } from "../policy";
import { compliantContainer, compliantPod, containersOf, deployment, WORKLOAD_TYPES } from "./workloads";

export const k8sReadOnlyRootFilesystem: ResourcePolicy = {
  kind: "resource",
  name: "k8s-read-only-root-filesystem",
  group: "security",
  control:
    "Checkov CKV_K8S_22; Polaris readOnlyRootFilesystem; kube-score container-security-context-readonlyrootfilesystem",
  description: "Containers have a read-only root filesystem (writable paths are explicit volumes).",
  types: WORKLOAD_TYPES,
  check: (props, r) =>
    violations(
      ...containersOf(r.type, props).map((c): [boolean, string] => [
        c.securityContext?.readOnlyRootFilesystem !== true,
        `container ${c.name} must set readOnlyRootFilesystem: true`,
      ]),
    ),
  examples: {
    violating: [
      deployment(
        {
          ...compliantContainer,
          securityContext: { ...compliantContainer.securityContext, readOnlyRootFilesystem: false },
        },
        compliantPod,
      ),
    ],
    compliant: [deployment(compliantContainer, compliantPod)],
  },
};
