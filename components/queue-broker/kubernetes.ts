import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { stringify } from "yaml";
import type { SecretKey } from "../../platform/kubernetes/env";
import { appLabels, resourcesOf, restrictedContainerSecurity, scratch } from "../shared/kubernetes";
import { IMAGE_USERS, IMAGES } from "../shared/kubernetes-images";
import { type StatefulTransforms, statefulApp } from "../shared/kubernetes-stateful";
import { type Transform, transform } from "../shared/transform";
import type { QueueBrokerArgs } from "./args";

export const STOMP_PORT = 61613;
export const BROKER_METRICS_PORT = 9404;
const JMX_PORT = 1099;
const HOME = "/opt/apache-activemq";

/** What the kubernetes realization needs besides the shared args (placement and AWS sizes are ignored). */
export interface KubernetesBrokerOptions {
  /** @default "default" */
  namespace?: string;
  /** @default the cluster's default class */
  storageClass?: string;
  /** KahaDB volume size in GiB. @default 1 */
  volumeGiB?: number;
  /** App names whose pods may connect over STOMP. @default [] */
  clients?: string[];
  /** Namespace whose pods (Prometheus) may scrape the broker's metrics. @default "monitoring" */
  monitoringNamespace?: string;
  /** Broker container CPU (millicores) and memory (MiB); the JVM heap is half. @default 500 m / 768 MiB */
  resources?: { cpu: number; memory: number };
  transform?: StatefulTransforms & {
    /** The generated application and web-console passwords (`<name>-app`, `<name>-web`). */
    password?: Transform<random.RandomPasswordArgs>;
    secret?: Transform<k8s.core.v1.SecretArgs>;
    configMap?: Transform<k8s.core.v1.ConfigMapArgs>;
  };
}

export type KubernetesQueueBrokerArgs = Omit<QueueBrokerArgs, "placement"> & {
  kubernetes?: KubernetesBrokerOptions;
};

/** How pods reach the broker over STOMP. */
export interface KubernetesBrokerEndpoint {
  host: string;
  port: number;
  username: string;
  password: SecretKey;
}

/**
 * The Prometheus JMX exporter's rules: queue depth, consumers and totals per queue, and the
 * broker's memory and store usage, under the names the alert definitions use.
 */
export function jmxExporterConfig(): string {
  const queue = (attribute: string, name: string, type: "GAUGE" | "COUNTER") => ({
    pattern: `org.apache.activemq<type=Broker, brokerName=([^,]+), destinationType=Queue, destinationName=([^,]+)><>${attribute}`,
    name,
    labels: { broker: "$1", queue: "$2" },
    type,
  });
  return stringify({
    hostPort: `127.0.0.1:${JMX_PORT}`,
    lowercaseOutputName: true,
    rules: [
      queue("QueueSize", "activemq_queue_size", "GAUGE"),
      queue("ConsumerCount", "activemq_queue_consumer_count", "GAUGE"),
      queue("EnqueueCount", "activemq_queue_enqueue_total", "COUNTER"),
      queue("DequeueCount", "activemq_queue_dequeue_total", "COUNTER"),
      {
        pattern:
          "org.apache.activemq<type=Broker, brokerName=([^,]+)><>(MemoryPercentUsage|StorePercentUsage|TotalConnectionsCount)",
        name: "activemq_broker_$2",
        labels: { broker: "$1" },
        type: "GAUGE",
      },
    ],
  });
}

/**
 * ActiveMQ Classic in a StatefulSet: KahaDB on a volume, STOMP for the services, a generated
 * application password and web-console password, and broker metrics from a JMX exporter sidecar
 * (JMX bound to the pod's loopback only).
 *
 * Cost: the pod's requests on your nodes plus a small volume.
 */
export class KubernetesQueueBroker extends pulumi.ComponentResource {
  readonly endpoint: KubernetesBrokerEndpoint;
  readonly queues: string[];

  constructor(name: string, args: KubernetesQueueBrokerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("battle-ready:kubernetes:QueueBroker", name, {}, opts);
    const o = args.kubernetes ?? {};
    const namespace = o.namespace ?? "default";
    const t = o.transform ?? {};
    const username = args.username ?? "battleready";
    const labels = appLabels(name, "broker");
    const secretName = `${name}-credentials`;
    const [app, web] = ["app", "web"].map(
      (role) =>
        new random.RandomPassword(
          ...transform(t.password, `${name}-${role}`, { length: 32, special: false }, { parent: this }),
        ),
    ) as [random.RandomPassword, random.RandomPassword];
    new k8s.core.v1.Secret(
      ...transform(
        t.secret,
        secretName,
        {
          metadata: { name: secretName, namespace, labels },
          type: "Opaque",
          stringData: { username, password: app.result, "web-password": web.result },
        },
        { parent: this },
      ),
    );
    const exporterConfig = new k8s.core.v1.ConfigMap(
      ...transform(
        t.configMap,
        `${name}-jmx-exporter`,
        {
          metadata: { name: `${name}-jmx-exporter`, namespace, labels },
          data: { "jmx-exporter.yaml": jmxExporterConfig() },
        },
        { parent: this },
      ),
    );
    const size = o.resources ?? { cpu: 500, memory: 768 };
    const ref = (key: string) => ({ secretKeyRef: { name: secretName, key } });
    const conf = scratch("conf", `${HOME}/conf`, "16Mi");
    const tmp = scratch("tmp", "/tmp", "256Mi");
    const brokerTmp = scratch("broker-tmp", `${HOME}/tmp`, "256Mi");
    statefulApp(
      {
        name,
        namespace,
        component: "broker",
        user: IMAGE_USERS.activemq,
        ports: [
          { name: "stomp", port: STOMP_PORT },
          { name: "metrics", port: BROKER_METRICS_PORT },
        ],
        storage: { sizeGiB: o.volumeGiB ?? 1, storageClass: o.storageClass },
        clients: o.clients ?? [],
        monitoringNamespace: o.monitoringNamespace ?? "monitoring",
        volumes: [
          conf.volume,
          tmp.volume,
          brokerTmp.volume,
          { name: "exporter-config", configMap: { name: exporterConfig.metadata.name } },
        ],
        // The image's entrypoint edits conf/ at start: it gets a writable copy, the root stays read-only.
        initContainers: [
          {
            name: "copy-conf",
            image: IMAGES.activemq,
            command: ["sh", "-c", `cp -a ${HOME}/conf/. /work/conf/`],
            resources: resourcesOf({ cpu: 100, memory: 64 }),
            securityContext: restrictedContainerSecurity(IMAGE_USERS.activemq),
            volumeMounts: [{ name: conf.mount.name, mountPath: "/work/conf" }],
          },
        ],
        containers: [
          {
            name: "activemq",
            image: IMAGES.activemq,
            env: [
              { name: "ACTIVEMQ_CONNECTION_USER", value: username },
              { name: "ACTIVEMQ_CONNECTION_PASSWORD", valueFrom: ref("password") },
              { name: "ACTIVEMQ_WEB_USER", value: "admin" },
              { name: "ACTIVEMQ_WEB_PASSWORD", valueFrom: ref("web-password") },
              {
                name: "ACTIVEMQ_OPTS_MEMORY",
                value: `-Xms${Math.floor(size.memory / 4)}m -Xmx${Math.floor(size.memory / 2)}m`,
              },
              {
                name: "ACTIVEMQ_SUNJMX_START",
                value: [
                  `-Dcom.sun.management.jmxremote.port=${JMX_PORT}`,
                  `-Dcom.sun.management.jmxremote.rmi.port=${JMX_PORT}`,
                  "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                  "-Djava.rmi.server.hostname=127.0.0.1",
                  "-Dcom.sun.management.jmxremote.authenticate=false",
                  "-Dcom.sun.management.jmxremote.ssl=false",
                ].join(" "),
              },
            ],
            ports: [{ name: "stomp", containerPort: STOMP_PORT, protocol: "TCP" }],
            startupProbe: { tcpSocket: { port: "stomp" }, periodSeconds: 5, failureThreshold: 60 },
            readinessProbe: { tcpSocket: { port: "stomp" }, periodSeconds: 10 },
            livenessProbe: { tcpSocket: { port: "stomp" }, periodSeconds: 20, failureThreshold: 6 },
            resources: resourcesOf(size),
            securityContext: restrictedContainerSecurity(IMAGE_USERS.activemq),
            volumeMounts: [
              { name: "data", mountPath: `${HOME}/data` },
              conf.mount,
              tmp.mount,
              brokerTmp.mount,
            ],
          },
          {
            name: "jmx-exporter",
            image: IMAGES.jmxExporter,
            command: [
              "java",
              "-jar",
              "/opt/bitnami/jmx-exporter/jmx_prometheus_standalone.jar",
              String(BROKER_METRICS_PORT),
              "/config/jmx-exporter.yaml",
            ],
            ports: [{ name: "metrics", containerPort: BROKER_METRICS_PORT, protocol: "TCP" }],
            readinessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 30 },
            livenessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 30 },
            resources: resourcesOf({ cpu: 200, memory: 192 }, { cpu: 20, memory: 96 }),
            securityContext: restrictedContainerSecurity(IMAGE_USERS.exporter),
            volumeMounts: [{ name: "exporter-config", mountPath: "/config", readOnly: true }, tmp.mount],
          },
        ],
        transform: t,
      },
      this,
    );
    this.endpoint = {
      host: `${name}.${namespace}.svc.cluster.local`,
      port: STOMP_PORT,
      username,
      password: { name: secretName, key: "password" },
    };
    this.queues = args.queues ?? [];
    this.registerOutputs({ host: this.endpoint.host, port: STOMP_PORT });
  }
}
