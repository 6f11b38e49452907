import { type ResourcePolicy, violations } from "../policy";
import { compliantContainer, compliantPod, containersOf, deployment } from "./workloads";

export const k8sProbes: ResourcePolicy = {
  kind: "resource",
  name: "k8s-probes",
  group: "security",
  control:
    "Checkov CKV_K8S_8 (liveness) and CKV_K8S_9 (readiness); Polaris readinessProbeMissing/livenessProbeMissing",
  description: "Long-running containers (Deployments and StatefulSets) have readiness and liveness probes.",
  types: ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"],
  check: (props, r) =>
    violations(
      ...containersOf(r.type, props, false).flatMap((c): [boolean, string][] => [
        [!c.readinessProbe, `container ${c.name} has no readinessProbe`],
        [!c.livenessProbe, `container ${c.name} has no livenessProbe`],
      ]),
    ),
  examples: {
    violating: [deployment({ ...compliantContainer, readinessProbe: undefined }, compliantPod)],
    compliant: [deployment(compliantContainer, compliantPod)],
  },
};
