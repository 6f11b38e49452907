import { type ResourcePolicy, violations } from "../policy";
import { compliantContainer, compliantPod, containersOf, deployment, WORKLOAD_TYPES } from "./workloads";

export const k8sResources: ResourcePolicy = {
  kind: "resource",
  name: "k8s-resources",
  group: "security",
  control:
    "Checkov CKV_K8S_10/11/12/13 (CPU and memory requests and limits); Polaris cpuRequestsMissing/memoryLimitsMissing",
  description: "Every container requests CPU and memory and limits memory (and CPU).",
  types: WORKLOAD_TYPES,
  check: (props, r) =>
    violations(
      ...containersOf(r.type, props).flatMap((c): [boolean, string][] => [
        [
          !c.resources?.requests?.cpu || !c.resources?.requests?.memory,
          `container ${c.name} must request cpu and memory`,
        ],
        [
          !c.resources?.limits?.memory || !c.resources?.limits?.cpu,
          `container ${c.name} must limit cpu and memory`,
        ],
      ]),
    ),
  examples: {
    violating: [
      deployment({ ...compliantContainer, resources: { requests: { cpu: "100m" } } }, compliantPod),
    ],
    compliant: [deployment(compliantContainer, compliantPod)],
  },
};
