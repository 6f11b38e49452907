import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** The recommended labels; `app.kubernetes.io/name` is what Services and policies select on. */
export function appLabels(name: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": "battle-ready",
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/** The selector of an app's pods (a stable subset of its labels). */
export function selectorOf(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": name };
}

/**
 * The Pod Security Standards' restricted profile for one container: no privilege escalation, every
 * capability dropped, the runtime's default seccomp profile, non-root, read-only root filesystem
 * (writable paths are emptyDir or volume mounts).
 */
export function restrictedContainerSecurity(user?: number): k8s.types.input.core.v1.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    ...(user === undefined ? {} : { runAsUser: user, runAsGroup: user }),
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** The pod-level half of the restricted profile; `fsGroup` makes volumes writable for `user`. */
export function restrictedPodSecurity(user: number): k8s.types.input.core.v1.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    fsGroup: user,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Requests and limits from catalog-style sizes (CPU millicores, memory MiB); requests = limits by default. */
export function resourcesOf(
  size: { cpu: number; memory: number },
  request: { cpu: number; memory: number } = size,
): k8s.types.input.core.v1.ResourceRequirements {
  return {
    requests: { cpu: `${request.cpu}m`, memory: `${request.memory}Mi` },
    limits: { cpu: `${size.cpu}m`, memory: `${size.memory}Mi` },
  };
}

/** An emptyDir volume and its mount, for a path a read-only image still needs to write. */
export function scratch(
  name: string,
  mountPath: string,
  sizeLimit = "64Mi",
): { volume: k8s.types.input.core.v1.Volume; mount: k8s.types.input.core.v1.VolumeMount } {
  return { volume: { name, emptyDir: { sizeLimit } }, mount: { name, mountPath } };
}

/** A Service's cluster DNS name: `<service>.<namespace>.svc.cluster.local`. */
export function clusterHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** Common options for every namespaced child. */
export interface NamespacedOptions {
  namespace: pulumi.Input<string>;
}

/** The DNS egress rule every NetworkPolicy with egress needs (kube-dns / CoreDNS in kube-system). */
export const DNS_EGRESS: k8s.types.input.networking.v1.NetworkPolicyEgressRule = {
  to: [
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    },
  ],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};

/** A peer selecting the pods of one app in a namespace. */
export function podsOf(name: string, namespace?: string): k8s.types.input.networking.v1.NetworkPolicyPeer {
  return {
    podSelector: { matchLabels: selectorOf(name) },
    ...(namespace
      ? { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } }
      : {}),
  };
}

/** A peer selecting every pod of a namespace (e.g. Prometheus in `monitoring`). */
export function namespacePods(namespace: string): k8s.types.input.networking.v1.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } };
}
