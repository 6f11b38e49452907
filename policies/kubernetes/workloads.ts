import type { Example, Props } from "../policy";

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const WORKLOAD_TYPES = [
  DEPLOYMENT,
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:batch/v1:Job",
  "kubernetes:batch/v1:CronJob",
];

export interface Container {
  name: string;
  image?: string;
  securityContext?: Props;
  readinessProbe?: Props;
  livenessProbe?: Props;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

/** The pod spec inside any workload (a CronJob nests it one level deeper). */
export function podSpecOf(type: string, props: Props): Props {
  const spec = props.spec ?? {};
  return (type.endsWith(":CronJob") ? spec.jobTemplate?.spec?.template?.spec : spec.template?.spec) ?? {};
}

export function containersOf(type: string, props: Props, withInit = true): Container[] {
  const pod = podSpecOf(type, props);
  return [...(pod.containers ?? []), ...(withInit ? (pod.initContainers ?? []) : [])] as Container[];
}

/** A Deployment example with one container; `pod` and `container` fields are merged in. */
export function deployment(container: Partial<Container> = {}, pod: Props = {}): Example[] {
  return [
    {
      type: DEPLOYMENT,
      name: "app",
      props: {
        metadata: { name: "app" },
        spec: {
          selector: { matchLabels: { app: "app" } },
          template: {
            metadata: { labels: { app: "app" } },
            spec: { ...pod, containers: [{ name: "app", image: "app:1.0.0", ...container }] },
          },
        },
      },
    },
  ];
}

/** A container and pod that satisfy every Kubernetes policy of the pack. */
export const compliantContainer: Partial<Container> = {
  image: "registry.example/app:1.2.3",
  securityContext: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
  },
  readinessProbe: { httpGet: { path: "/readyz", port: 8080 } },
  livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
};
export const compliantPod: Props = {
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
};
