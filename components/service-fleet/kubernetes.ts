import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HTTP_PORT_NAME, type KubernetesEnvVar } from "../../platform/kubernetes/env";
import {
  appLabels,
  DNS_EGRESS,
  namespacePods,
  podsOf,
  resourcesOf,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  scratch,
  selectorOf,
} from "../shared/kubernetes";
import { type Transform, transform } from "../shared/transform";
import type { FleetService } from "./args";
import { planIngress } from "./kubernetes-ingress";
import { disruptionBudget, hpaBehavior, hpaMetrics } from "./kubernetes-scaling";

/** The uid and gid service containers run as (`node` in the official Node images). */
export const SERVICE_USER = 1000;

/**
 * A fleet service on Kubernetes: the shared FleetService description, minus what only ECS has
 * (Secrets Manager references, IAM, the RDS bundle), plus pod-level wiring.
 */
export interface KubernetesFleetService
  extends Omit<
    FleetService,
    | "environment"
    | "publicUrlEnvironment"
    | "secrets"
    | "secretArns"
    | "dynamoTableArns"
    | "mountRdsCaBundle"
    | "initContainer"
  > {
  /** Container environment: plain values and `secretKeyRef`s (resolveKubernetesEnv). */
  env: KubernetesEnvVar[];
  /** Where Prometheus scrapes a service or worker; none for a job. */
  metricsPath?: string;
  /** Catalog services this one calls (egress to them, ingress on them). @default [] */
  calls?: string[];
  /** Data stores and brokers it connects to: their app names and ports (egress). @default [] */
  dependencies?: { app: string; port: number }[];
  /** A ConfigMap with `ca.crt` mounted at `mountDir` (MySQL over verified TLS). @default none */
  caCertificate?: { configMap: pulumi.Input<string>; mountDir: string };
}

export interface KubernetesServiceFleetArgs {
  namespace: pulumi.Input<string>;
  services: KubernetesFleetService[];
  /** Public routes through an ingress controller. @default no Ingress */
  ingress?: { className: string; host?: string; controllerNamespace: string };
  /** Namespace of Prometheus (admitted to scrape every service). @default "monitoring" */
  monitoringNamespace?: string;
  transform?: {
    serviceAccount?: Transform<k8s.core.v1.ServiceAccountArgs>;
    deployment?: Transform<k8s.apps.v1.DeploymentArgs>;
    service?: Transform<k8s.core.v1.ServiceArgs>;
    hpa?: Transform<k8s.autoscaling.v2.HorizontalPodAutoscalerArgs>;
    pdb?: Transform<k8s.policy.v1.PodDisruptionBudgetArgs>;
    networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
    ingress?: Transform<k8s.networking.v1.IngressArgs>;
    cronJob?: Transform<k8s.batch.v1.CronJobArgs>;
  };
}

export interface KubernetesFleetServiceOutputs {
  name: string;
  system: string;
  kind: FleetService["kind"];
  /** In-cluster URL. */
  internalUrl: string;
  /** Path under the ingress controller's address (public services only). */
  publicPath?: string;
}

/**
 * The services on Kubernetes. Each service or worker gets a ServiceAccount (no API token), a
 * Deployment (restricted Pod Security profile, probes on the catalog's paths, requests and limits,
 * no `replicas`: the HPA owns them), a Service, an autoscaling/v2 HPA with scale-up/-down
 * behaviour, a PodDisruptionBudget within the HPA's floor, a NetworkPolicy admitting only its
 * callers, Prometheus and (public services) the ingress controller, with egress only to DNS, its
 * callees and its data stores; public services an Ingress. A job gets a suspended CronJob to run
 * on demand (`kubectl create job --from=cronjob/<name>`): its container runs with the job's `args`,
 * without ports or probes (a job serves no HTTP), and its NetworkPolicy admits nothing in. The
 * namespace's default-deny policy is the platform's.
 *
 * Cost: the pods' requests on your nodes; one load balancer for the ingress controller (not here).
 */
export class KubernetesServiceFleet extends pulumi.ComponentResource {
  readonly services: Record<string, KubernetesFleetServiceOutputs>;

  constructor(name: string, args: KubernetesServiceFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("battle-ready:kubernetes:ServiceFleet", name, {}, opts);
    validateKubernetesFleetArgs(args);
    const t = args.transform ?? {};
    const namespace = args.namespace;
    const monitoring = args.monitoringNamespace ?? "monitoring";
    const parent = { parent: this };
    const callers = (service: string) =>
      args.services.filter((s) => s.calls?.includes(service)).map((s) => s.name);
    const routes = args.ingress ? planIngress(args.services) : [];
    this.services = {};

    for (const s of args.services) {
      const labels = appLabels(s.name, s.kind);
      const metadata = { name: s.name, namespace, labels };
      const tmp = scratch("tmp", "/tmp");
      const volumes: k8s.types.input.core.v1.Volume[] = [tmp.volume];
      const mounts: k8s.types.input.core.v1.VolumeMount[] = [tmp.mount];
      if (s.caCertificate) {
        volumes.push({ name: "ca", configMap: { name: s.caCertificate.configMap } });
        mounts.push({ name: "ca", mountPath: s.caCertificate.mountDir, readOnly: true });
      }
      const account = new k8s.core.v1.ServiceAccount(
        ...transform(t.serviceAccount, s.name, { metadata, automountServiceAccountToken: false }, parent),
      );
      // A service or worker serves HTTP: a named port and probes on it. A job serves nothing: it
      // runs its args to completion (probes on a port nobody listens on would kill it).
      const serving: Partial<k8s.types.input.core.v1.Container> =
        s.kind === "job"
          ? { args: s.args?.length ? s.args : undefined }
          : {
              ports: [{ name: HTTP_PORT_NAME, containerPort: s.port!, protocol: "TCP" }],
              startupProbe: {
                httpGet: { path: s.livenessPath!, port: HTTP_PORT_NAME },
                periodSeconds: 2,
                failureThreshold: 30,
              },
              livenessProbe: {
                httpGet: { path: s.livenessPath!, port: HTTP_PORT_NAME },
                periodSeconds: 10,
                timeoutSeconds: 2,
                failureThreshold: 3,
              },
              readinessProbe: {
                httpGet: { path: s.readinessPath!, port: HTTP_PORT_NAME },
                periodSeconds: 5,
                timeoutSeconds: 2,
                failureThreshold: 2,
              },
            };
      const container: k8s.types.input.core.v1.Container = {
        name: s.name,
        image: s.image,
        imagePullPolicy: "IfNotPresent",
        ...serving,
        env: s.env,
        resources: resourcesOf({ cpu: s.cpu, memory: s.memory }, s.reservation),
        securityContext: restrictedContainerSecurity(SERVICE_USER),
        volumeMounts: mounts,
      };
      const podSpec: k8s.types.input.core.v1.PodSpec = {
        serviceAccountName: account.metadata.name,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: restrictedPodSecurity(SERVICE_USER),
        terminationGracePeriodSeconds: 30,
        containers: [container],
        volumes,
      };

      const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [DNS_EGRESS];
      for (const callee of s.calls ?? []) {
        const target = args.services.find((x) => x.name === callee)!;
        egress.push({ to: [podsOf(callee)], ports: [{ protocol: "TCP", port: target.port! }] });
      }
      for (const d of s.dependencies ?? [])
        egress.push({ to: [podsOf(d.app)], ports: [{ protocol: "TCP", port: d.port }] });

      if (s.kind === "job") {
        new k8s.batch.v1.CronJob(
          ...transform(
            t.cronJob,
            s.name,
            {
              metadata: {
                ...metadata,
                annotations: {
                  "battle-ready/usage": `kubectl create job --from=cronjob/${s.name} ${s.name}-$(date +%s)`,
                },
              },
              spec: {
                schedule: "0 0 31 2 *",
                suspend: true,
                concurrencyPolicy: "Forbid",
                jobTemplate: {
                  metadata: { labels },
                  spec: {
                    backoffLimit: 0,
                    ttlSecondsAfterFinished: 86400,
                    template: { metadata: { labels }, spec: { ...podSpec, restartPolicy: "Never" } },
                  },
                },
              },
            },
            parent,
          ),
        );
        this.networkPolicy(s.name, namespace, labels, [], egress, t.networkPolicy);
        this.services[s.name] = {
          name: s.name,
          system: s.system,
          kind: s.kind,
          internalUrl: "",
        };
        continue;
      }

      const port = s.port!;
      const deployment = new k8s.apps.v1.Deployment(
        ...transform(
          t.deployment,
          s.name,
          {
            metadata,
            spec: {
              // No `replicas`: the HPA owns the count (a fixed count would fight it on every apply).
              selector: { matchLabels: selectorOf(s.name) },
              revisionHistoryLimit: 5,
              strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
              template: {
                metadata: { labels },
                spec: {
                  ...podSpec,
                  topologySpreadConstraints: [
                    {
                      maxSkew: 1,
                      topologyKey: "kubernetes.io/hostname",
                      whenUnsatisfiable: "ScheduleAnyway",
                      labelSelector: { matchLabels: selectorOf(s.name) },
                    },
                  ],
                },
              },
            },
          },
          parent,
        ),
      );
      new k8s.core.v1.Service(
        ...transform(
          t.service,
          s.name,
          {
            metadata,
            spec: {
              type: "ClusterIP",
              selector: selectorOf(s.name),
              ports: [{ name: HTTP_PORT_NAME, port, targetPort: HTTP_PORT_NAME, protocol: "TCP" }],
            },
          },
          parent,
        ),
      );
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        ...transform(
          t.hpa,
          s.name,
          {
            metadata,
            spec: {
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
              minReplicas: Math.max(1, s.scaling.min),
              maxReplicas: s.scaling.max,
              metrics: hpaMetrics(s.scaling),
              behavior: hpaBehavior(Math.max(1, s.scaling.min), s.scaling.max),
            },
          },
          parent,
        ),
      );
      new k8s.policy.v1.PodDisruptionBudget(
        ...transform(
          t.pdb,
          s.name,
          {
            metadata,
            spec: {
              selector: { matchLabels: selectorOf(s.name) },
              ...disruptionBudget(Math.max(1, s.scaling.min)),
              unhealthyPodEvictionPolicy: "AlwaysAllow",
            },
          },
          parent,
        ),
      );

      const route = routes.find((r) => r.service === s.name);
      const from: k8s.types.input.networking.v1.NetworkPolicyPeer[] = [
        namespacePods(monitoring),
        ...callers(s.name).map((c) => podsOf(c)),
      ];
      if (route && args.ingress) from.push(namespacePods(args.ingress.controllerNamespace));
      this.networkPolicy(
        s.name,
        namespace,
        labels,
        [{ from, ports: [{ protocol: "TCP", port }] }],
        egress,
        t.networkPolicy,
      );

      if (route && args.ingress) {
        const annotations: Record<string, string> = {};
        if (route.stripPrefix) {
          annotations["nginx.ingress.kubernetes.io/use-regex"] = "true";
          annotations["nginx.ingress.kubernetes.io/rewrite-target"] = "/$2";
        }
        new k8s.networking.v1.Ingress(
          ...transform(
            t.ingress,
            s.name,
            {
              metadata: { ...metadata, annotations },
              spec: {
                ingressClassName: args.ingress.className,
                rules: [
                  {
                    host: args.ingress.host,
                    http: {
                      paths: route.paths.map((p) => ({
                        path: p.path,
                        pathType: p.pathType,
                        backend: { service: { name: s.name, port: { name: HTTP_PORT_NAME } } },
                      })),
                    },
                  },
                ],
              },
            },
            parent,
          ),
        );
      }
      this.services[s.name] = {
        name: s.name,
        system: s.system,
        kind: s.kind,
        internalUrl: `http://${s.name}.${namespace}.svc.cluster.local:${port}`,
        publicPath: route?.urlPath,
      };
    }
    this.registerOutputs({ services: this.services });
  }

  private networkPolicy(
    name: string,
    namespace: pulumi.Input<string>,
    labels: Record<string, string>,
    ingress: k8s.types.input.networking.v1.NetworkPolicyIngressRule[],
    egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[],
    hook: Transform<k8s.networking.v1.NetworkPolicyArgs> | undefined,
  ): void {
    new k8s.networking.v1.NetworkPolicy(
      ...transform(
        hook,
        name,
        {
          metadata: { name, namespace, labels },
          spec: {
            podSelector: { matchLabels: selectorOf(name) },
            policyTypes: ["Ingress", "Egress"],
            ingress,
            egress,
          },
        },
        { parent: this },
      ),
    );
  }
}

export function validateKubernetesFleetArgs(args: KubernetesServiceFleetArgs): void {
  const names = new Set(args.services.map((s) => s.name));
  const jobs = new Set(args.services.filter((s) => s.kind === "job").map((s) => s.name));
  for (const s of args.services) {
    if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s.name))
      throw new Error(`ServiceFleet: ${JSON.stringify(s.name)} is not a DNS label`);
    for (const c of s.calls ?? []) {
      if (!names.has(c)) throw new Error(`ServiceFleet: ${s.name} calls ${c}, which is not in the fleet`);
      if (jobs.has(c)) throw new Error(`ServiceFleet: ${s.name} calls ${c}, a job (it serves nothing)`);
    }
    if (s.kind === "job") {
      if (s.port !== undefined || s.livenessPath || s.readinessPath || s.metricsPath)
        throw new Error(
          `ServiceFleet: ${s.name} is a job: it serves no HTTP, so no port, livenessPath, readinessPath or metricsPath`,
        );
    } else {
      if (s.port === undefined || !s.livenessPath || !s.readinessPath || !s.metricsPath)
        throw new Error(
          `ServiceFleet: ${s.name} (a ${s.kind}) needs port, livenessPath, readinessPath and metricsPath`,
        );
      if (s.args)
        throw new Error(
          `ServiceFleet: ${s.name}: args are a job's (a ${s.kind} runs its image's entrypoint)`,
        );
    }
    if (s.kind !== "job" && s.scaling.max < Math.max(1, s.scaling.min))
      throw new Error(`ServiceFleet: ${s.name} scaling.max ${s.scaling.max} is below its min`);
    const image = typeof s.image === "string" ? s.image : undefined;
    if (image && (image.endsWith(":latest") || !/[:@]/.test(image.split("/").pop() ?? "")))
      throw new Error(
        `ServiceFleet: ${s.name} image ${image} must carry a version tag or digest, not latest`,
      );
    for (const e of s.env)
      if ("value" in e && /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY)$/.test(e.name))
        throw new Error(`ServiceFleet: ${s.name} env ${e.name} looks secret: reference a Secret instead`);
  }
}
