import type { Props, StackPolicy } from "../policy";
import { compliantContainer, compliantPod, deployment } from "./workloads";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** A NetworkPolicy that selects every pod and allows nothing for the types it lists. */
function isDefaultDeny(props: Props): boolean {
  const spec = props.spec ?? {};
  const selectsAll =
    !spec.podSelector ||
    Object.keys(spec.podSelector.matchLabels ?? {}).length +
      (spec.podSelector.matchExpressions ?? []).length ===
      0;
  return selectsAll && (spec.policyTypes ?? []).includes("Ingress") && (spec.ingress ?? []).length === 0;
}

export const k8sNetworkPolicyPresent: StackPolicy = {
  kind: "stack",
  name: "k8s-network-policy-present",
  group: "security",
  control:
    "NSA/CISA Kubernetes Hardening Guide (default-deny network policies); Checkov CKV2_K8S_6; kube-score pod-networkpolicy",
  description:
    "A stack with workloads has a default-deny NetworkPolicy (explicit allows follow the catalog).",
  check: (resources) => {
    const workloads = resources.filter((r) => r.type.startsWith("kubernetes:apps/v1:"));
    if (workloads.length === 0) return [];
    const policies = resources.filter((r) => r.type === NETWORK_POLICY);
    return policies.some((p) => isDefaultDeny(p.props))
      ? []
      : [{ resource: workloads[0], message: "no default-deny NetworkPolicy in the stack" }];
  },
  examples: {
    violating: [deployment(compliantContainer, compliantPod)],
    compliant: [
      [
        ...deployment(compliantContainer, compliantPod),
        {
          type: NETWORK_POLICY,
          name: "default-deny",
          props: { spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
        },
      ],
    ],
  },
};
