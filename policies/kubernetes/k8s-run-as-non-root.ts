import { type ResourcePolicy, violations } from "../policy";
import {
  compliantContainer,
  compliantPod,
  containersOf,
  deployment,
  podSpecOf,
  WORKLOAD_TYPES,
} from "./workloads";

export const k8sRunAsNonRoot: ResourcePolicy = {
  kind: "resource",
  name: "k8s-run-as-non-root",
  group: "security",
  control: "Pod Security Standards (restricted): runAsNonRoot; Checkov CKV_K8S_23",
  description: "Every container runs as non-root (set on the pod or on each container), never as UID 0.",
  types: WORKLOAD_TYPES,
  check: (props, r) => {
    const pod = podSpecOf(r.type, props).securityContext ?? {};
    return violations(
      ...containersOf(r.type, props).map((c): [boolean, string] => {
        const ctx = c.securityContext ?? {};
        const nonRoot = ctx.runAsNonRoot ?? pod.runAsNonRoot;
        const uid = ctx.runAsUser ?? pod.runAsUser;
        return [
          nonRoot !== true || uid === 0,
          `container ${c.name} must set runAsNonRoot: true (and not runAsUser: 0)`,
        ];
      }),
    );
  },
  examples: {
    violating: [
      deployment({ ...compliantContainer, securityContext: {} }, {}),
      deployment(compliantContainer, { securityContext: { runAsNonRoot: true, runAsUser: 0 } }),
    ],
    compliant: [deployment(compliantContainer, compliantPod)],
  },
};
