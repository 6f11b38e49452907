import { type ResourcePolicy, violations } from "../policy";
import { compliantContainer, compliantPod, deployment, podSpecOf, WORKLOAD_TYPES } from "./workloads";

export const k8sNoHostNamespaces: ResourcePolicy = {
  kind: "resource",
  name: "k8s-no-host-namespaces",
  group: "security",
  control: "Pod Security Standards (baseline): hostNetwork, hostPID, hostIPC; Checkov CKV_K8S_17/18/19",
  description: "Pods do not share the node's network, PID or IPC namespaces.",
  types: WORKLOAD_TYPES,
  check: (props, r) => {
    const pod = podSpecOf(r.type, props);
    return violations(
      [pod.hostNetwork === true, "hostNetwork must not be true"],
      [pod.hostPID === true, "hostPID must not be true"],
      [pod.hostIPC === true, "hostIPC must not be true"],
    );
  },
  examples: {
    violating: [deployment(compliantContainer, { ...compliantPod, hostNetwork: true })],
    compliant: [deployment(compliantContainer, compliantPod)],
  },
};
