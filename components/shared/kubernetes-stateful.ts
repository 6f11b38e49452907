import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import {
  appLabels,
  DNS_EGRESS,
  namespacePods,
  podsOf,
  restrictedPodSecurity,
  selectorOf,
} from "./kubernetes";
import { type Transform, transform } from "./transform";

/** Hooks for the children every stateful app has. */
export interface StatefulTransforms {
  statefulSet?: Transform<k8s.apps.v1.StatefulSetArgs>;
  service?: Transform<k8s.core.v1.ServiceArgs>;
  networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
}

/** A single-replica stateful server: a StatefulSet with one volume claim, its Service and policy. */
export interface StatefulAppSpec {
  /** Names the StatefulSet, its Service (the DNS name clients use) and its pods' label. */
  name: string;
  namespace: pulumi.Input<string>;
  /** `app.kubernetes.io/component`, e.g. `database`. */
  component: string;
  /** The image's own non-root uid (also the volume's fsGroup). */
  user: number;
  containers: k8s.types.input.core.v1.Container[];
  initContainers?: k8s.types.input.core.v1.Container[];
  volumes?: k8s.types.input.core.v1.Volume[];
  /** Ports the Service exposes (clients connect to these; `metrics` is for Prometheus). */
  ports: { name: string; port: number }[];
  /** The claim mounted as volume `data`. */
  storage: { sizeGiB: number; storageClass?: string };
  /** Pods allowed to connect to the non-metrics ports (by app name, in this namespace). */
  clients: string[];
  /** Namespace whose pods (Prometheus) may scrape the `metrics` port. */
  monitoringNamespace: string;
  /** Pod annotations (e.g. a checksum that rolls the pod when its config changes). @default {} */
  podAnnotations?: Record<string, pulumi.Input<string>>;
  transform?: StatefulTransforms;
}

export interface StatefulApp {
  statefulSet: k8s.apps.v1.StatefulSet;
  service: k8s.core.v1.Service;
  networkPolicy: k8s.networking.v1.NetworkPolicy;
}

/**
 * Builds a stateful app: one replica (these are development-grade single instances; the AWS
 * realization is the highly available one), `OrderedReady`, its data on a PersistentVolumeClaim
 * that survives the pod, a headless Service (clients resolve straight to the pod), and a
 * NetworkPolicy that admits only the named clients and Prometheus.
 */
export function statefulApp(spec: StatefulAppSpec, parent: pulumi.Resource): StatefulApp {
  const labels = appLabels(spec.name, spec.component);
  const t = spec.transform ?? {};
  const service = new k8s.core.v1.Service(
    ...transform(
      t.service,
      `${spec.name}`,
      {
        metadata: { name: spec.name, namespace: spec.namespace, labels },
        spec: {
          clusterIP: "None",
          selector: selectorOf(spec.name),
          ports: spec.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: "TCP" })),
          publishNotReadyAddresses: false,
        },
      },
      { parent },
    ),
  );
  const statefulSet = new k8s.apps.v1.StatefulSet(
    ...transform(
      t.statefulSet,
      `${spec.name}`,
      {
        metadata: { name: spec.name, namespace: spec.namespace, labels },
        spec: {
          serviceName: spec.name,
          replicas: 1,
          podManagementPolicy: "OrderedReady",
          updateStrategy: { type: "RollingUpdate" },
          selector: { matchLabels: selectorOf(spec.name) },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
          template: {
            metadata: { labels, annotations: spec.podAnnotations },
            spec: {
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: restrictedPodSecurity(spec.user),
              terminationGracePeriodSeconds: 60,
              initContainers: spec.initContainers,
              containers: spec.containers,
              volumes: spec.volumes,
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: "data", labels },
              spec: {
                accessModes: ["ReadWriteOnce"],
                storageClassName: spec.storage.storageClass,
                resources: { requests: { storage: `${spec.storage.sizeGiB}Gi` } },
              },
            },
          ],
        },
      },
      { parent, dependsOn: [service] },
    ),
  );
  const clientPorts = spec.ports.filter((p) => p.name !== "metrics");
  const metricsPorts = spec.ports.filter((p) => p.name === "metrics");
  const ingress: k8s.types.input.networking.v1.NetworkPolicyIngressRule[] = [];
  if (spec.clients.length > 0 && clientPorts.length > 0)
    ingress.push({
      from: spec.clients.map((c) => podsOf(c)),
      ports: clientPorts.map((p) => ({ protocol: "TCP", port: p.port })),
    });
  if (metricsPorts.length > 0)
    ingress.push({
      from: [namespacePods(spec.monitoringNamespace)],
      ports: metricsPorts.map((p) => ({ protocol: "TCP", port: p.port })),
    });
  const networkPolicy = new k8s.networking.v1.NetworkPolicy(
    ...transform(
      t.networkPolicy,
      `${spec.name}`,
      {
        metadata: { name: spec.name, namespace: spec.namespace, labels },
        spec: {
          podSelector: { matchLabels: selectorOf(spec.name) },
          policyTypes: ["Ingress", "Egress"],
          ingress,
          egress: [DNS_EGRESS],
        },
      },
      { parent },
    ),
  );
  return { statefulSet, service, networkPolicy };
}

/** A NetworkPolicy for a one-off client (a provisioning Job): DNS, and one port of one app. */
export function clientEgressPolicy(
  client: string,
  server: string,
  port: number,
  namespace: pulumi.Input<string>,
  parent: pulumi.Resource,
): k8s.networking.v1.NetworkPolicy {
  return new k8s.networking.v1.NetworkPolicy(
    client,
    {
      metadata: { name: client, namespace, labels: appLabels(client, "provisioning") },
      spec: {
        podSelector: { matchLabels: selectorOf(client) },
        policyTypes: ["Ingress", "Egress"],
        ingress: [],
        egress: [DNS_EGRESS, { to: [podsOf(server)], ports: [{ protocol: "TCP", port }] }],
      },
    },
    { parent },
  );
}
