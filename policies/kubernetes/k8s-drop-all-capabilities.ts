import { type ResourcePolicy, violations } from "../policy";
import { compliantContainer, compliantPod, containersOf, deployment, WORKLOAD_TYPES } from "./workloads";

export const k8sDropAllCapabilities: ResourcePolicy = {
  kind: "resource",
  name: "k8s-drop-all-capabilities",
  group: "security",
  control:
    "Pod Security Standards (restricted): capabilities drop ALL, add at most NET_BIND_SERVICE; Checkov CKV_K8S_37",
  description: "Containers drop every Linux capability.",
  types: WORKLOAD_TYPES,
  check: (props, r) =>
    violations(
      ...containersOf(r.type, props).flatMap((c): [boolean, string][] => {
        const caps = c.securityContext?.capabilities ?? {};
        return [
          [!(caps.drop ?? []).includes("ALL"), `container ${c.name} must drop ALL capabilities`],
          [
            (caps.add ?? []).some((a: string) => a !== "NET_BIND_SERVICE"),
            `container ${c.name} adds capabilities beyond NET_BIND_SERVICE`,
          ],
        ];
      }),
    ),
  examples: {
    violating: [
      deployment(
        {
          ...compliantContainer,
          securityContext: { ...compliantContainer.securityContext, capabilities: {} },
        },
        compliantPod,
      ),
    ],
    compliant: [deployment(compliantContainer, compliantPod)],
  },
};
