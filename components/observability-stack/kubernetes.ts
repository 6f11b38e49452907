import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { type PrometheusAlertRule, renderPrometheusRules } from "../../platform/alerts/prometheus-rules";
import { QUEUE_DEPTH_METRIC } from "../service-fleet/kubernetes-scaling";
import { CHARTS } from "../shared/kubernetes-images";
import { type Transform, transform } from "../shared/transform";
import type { ObservabilityStackArgs, ObservedSystem } from "./args";
import {
  activemqDashboard,
  type GrafanaDashboard,
  mysqlDashboard,
  redDashboard,
  redisDashboard,
} from "./kubernetes-dashboards";

/** A service Prometheus scrapes: its Service's `http` port and metrics path. */
export interface ScrapedService {
  name: string;
  system: string;
  metricsPath: string;
}

/** A dependency's exporter: a Service (same name) with a port named `metrics`. */
export interface ScrapedExporter {
  name: string;
  kind: "mysql" | "redis" | "activemq";
}

export interface KubernetesObservabilityStackArgs
  extends Pick<
    ObservabilityStackArgs,
    "namePrefix" | "alertDefinitions" | "alertEmails" | "alertWebhookUrls"
  > {
  systems: Pick<ObservedSystem, "name" | "services" | "usesDatabase" | "usesCache" | "queues">[];
  /** Namespace of the monitoring stack (created by the caller). */
  namespace: pulumi.Input<string>;
  /** Namespace of the services and their dependencies. */
  appNamespace: pulumi.Input<string>;
  services: ScrapedService[];
  exporters: ScrapedExporter[];
  /** The MySQL volume claim and backup CronJob the k8s-only recording rules watch. @default none */
  mysql?: { claim: string; backupCronJob?: string };
  /** Days Prometheus keeps metrics and Loki keeps logs. @default 7 */
  retentionDays?: number;
  /** StorageClass of Prometheus's and Loki's volumes. @default the cluster's default */
  storageClass?: string;
  /** Volume size for Prometheus and for Loki. @default 5 */
  volumeGiB?: number;
  transform?: {
    release?: Transform<k8s.helm.v3.ReleaseArgs>;
    serviceMonitor?: Transform<k8s.apiextensions.CustomResourceArgs>;
    prometheusRule?: Transform<k8s.apiextensions.CustomResourceArgs>;
    dashboard?: Transform<k8s.core.v1.ConfigMapArgs>;
    /** Grafana's generated admin password. */
    password?: Transform<random.RandomPasswordArgs>;
    /** The `grafana-admin` Secret holding it. */
    secret?: Transform<k8s.core.v1.SecretArgs>;
  };
}

export const PROMETHEUS_RELEASE = "kube-prometheus-stack";

/**
 * Alertmanager's configuration when webhooks are given: every alert (but the chart's always-firing
 * Watchdog) to them, grouped per alert and service, resolved notifications included. Undefined
 * keeps the chart's default. The URLs carry tokens: the values stay Pulumi secrets.
 */
export function alertmanagerConfig(webhookUrls: pulumi.Input<string>[]): pulumi.Inputs | undefined {
  if (webhookUrls.length === 0) return undefined;
  return {
    route: {
      receiver: "platform",
      group_by: ["alertname", "service"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [{ matchers: ['alertname = "Watchdog"'], receiver: "null" }],
    },
    receivers: [
      { name: "null" },
      {
        name: "platform",
        webhook_configs: webhookUrls.map((url) => ({ url: pulumi.secret(url), send_resolved: true })),
      },
    ],
  };
}
export const LOKI_RELEASE = "loki";

/**
 * Recording rules that give the alert definitions' platform metrics their Kubernetes sources:
 * the MySQL volume's free share (kubelet) and the backup CronJob's last success (kube-state-metrics).
 */
/** A Prometheus rule group with recording or alerting rules. */
export interface RuleGroup {
  name: string;
  rules: ({ record: string; expr: string } | PrometheusAlertRule)[];
}

export function kubernetesRecordingRules(mysql?: { claim: string; backupCronJob?: string }): RuleGroup[] {
  if (!mysql) return [];
  const claim = `persistentvolumeclaim="${mysql.claim}"`;
  const rules: { record: string; expr: string }[] = [
    {
      record: "battle_ready_mysql_free_storage_ratio",
      expr: `kubelet_volume_stats_available_bytes{${claim}} / kubelet_volume_stats_capacity_bytes{${claim}}`,
    },
  ];
  // Until its first success the CronJob has no last-success series: its creation time stands in,
  // so a backup that never succeeds still trips the RPO alert, one RPO after the CronJob appeared.
  const cronJob = `cronjob="${mysql.backupCronJob}"`;
  if (mysql.backupCronJob)
    rules.push({
      record: "battle_ready_backup_last_success_timestamp_seconds",
      expr: `label_replace(kube_cronjob_status_last_successful_time{${cronJob}} or kube_cronjob_created{${cronJob}}, "store", "mysql", "", "")`,
    });
  return [{ name: "battle-ready-kubernetes", rules }];
}

/** Every dashboard: RED per service, plus MySQL, Redis and ActiveMQ when the platform has them. */
export function plannedDashboards(
  args: Pick<KubernetesObservabilityStackArgs, "services" | "exporters">,
): GrafanaDashboard[] {
  const kinds = new Set(args.exporters.map((e) => e.kind));
  return [
    ...args.services.map((s) => redDashboard(s.name, s.system)),
    ...(kinds.has("mysql") ? [mysqlDashboard()] : []),
    ...(kinds.has("redis") ? [redisDashboard()] : []),
    ...(kinds.has("activemq") ? [activemqDashboard()] : []),
  ];
}

/**
 * Observability on Kubernetes: kube-prometheus-stack (Prometheus operator, Prometheus,
 * Alertmanager, Grafana, kube-state-metrics, node-exporter), prometheus-adapter (the HPAs'
 * requests-per-second metric and the external queue-depth metric), Loki (single binary, filesystem) and Promtail as Helm releases; a
 * ServiceMonitor per service and per exporter; a PrometheusRule rendered from the one set of
 * alert definitions; Grafana dashboards as ConfigMaps the Grafana sidecar loads.
 *
 * Cost: the pods' requests (Prometheus and Loki dominate) and two volumes.
 */
export class KubernetesObservabilityStack extends pulumi.ComponentResource {
  readonly grafanaAdminSecret: pulumi.Output<string>;
  readonly dashboardUids: string[];

  constructor(name: string, args: KubernetesObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("battle-ready:kubernetes:ObservabilityStack", name, {}, opts);
    const t = args.transform ?? {};
    const ns = args.namespace;
    const retention = args.retentionDays ?? 7;
    const size = `${args.volumeGiB ?? 5}Gi`;
    const labels = { "app.kubernetes.io/part-of": "battle-ready", "app.kubernetes.io/managed-by": "pulumi" };

    const adminPassword = new random.RandomPassword(
      ...transform(t.password, `${name}-grafana-admin`, { length: 32, special: false }, { parent: this }),
    );
    const adminSecret = new k8s.core.v1.Secret(
      ...transform(
        t.secret,
        `${name}-grafana-admin`,
        {
          metadata: { name: "grafana-admin", namespace: ns, labels },
          type: "Opaque",
          stringData: { "admin-user": "admin", "admin-password": adminPassword.result },
        },
        { parent: this },
      ),
    );
    this.grafanaAdminSecret = adminSecret.metadata.name;

    const release = (
      key: string,
      chart: { chart: string; version: string; repo: string },
      values: pulumi.Inputs,
      dependsOn: pulumi.Resource[] = [],
    ) =>
      new k8s.helm.v3.Release(
        ...transform(
          t.release,
          `${name}-${key}`,
          {
            name: key,
            namespace: ns,
            chart: chart.chart,
            version: chart.version,
            repositoryOpts: { repo: chart.repo },
            atomic: true,
            cleanupOnFail: true,
            timeout: 900,
            values,
          },
          { parent: this, dependsOn },
        ),
      );

    const storage = (claimSize: string) => ({
      volumeClaimTemplate: {
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: args.storageClass,
          resources: { requests: { storage: claimSize } },
        },
      },
    });
    const lokiUrl = pulumi.interpolate`http://${LOKI_RELEASE}.${ns}.svc.cluster.local:3100`;
    const routing = alertmanagerConfig(args.alertWebhookUrls ?? []);
    const stack = release(
      PROMETHEUS_RELEASE,
      CHARTS.kubePrometheusStack,
      {
        prometheus: {
          prometheusSpec: {
            // Select every ServiceMonitor and PrometheusRule, not only the chart's own.
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            retention: `${retention}d`,
            resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "1Gi" } },
            storageSpec: storage(size),
          },
        },
        alertmanager: {
          ...(routing ? { config: routing } : {}),
          alertmanagerSpec: {
            resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "128Mi" } },
          },
        },
        grafana: {
          admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
          sidecar: { dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1" } },
          additionalDataSources: [{ name: "Loki", type: "loki", uid: "loki", url: lokiUrl, access: "proxy" }],
        },
      },
      [adminSecret],
    );
    const prometheusUrl = pulumi.interpolate`http://${PROMETHEUS_RELEASE}-prometheus.${ns}.svc.cluster.local`;
    release(
      "prometheus-adapter",
      CHARTS.prometheusAdapter,
      {
        prometheus: { url: prometheusUrl, port: 9090 },
        rules: {
          default: false,
          custom: [
            {
              seriesQuery: 'http_requests_total{namespace!="",pod!=""}',
              resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
              // biome-ignore lint/suspicious/noTemplateCurlyInString: prometheus-adapter's own capture syntax
              name: { matches: "^(.*)_total$", as: "${1}_per_second" },
              metricsQuery: "sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)",
            },
          ],
          // Queue consumers' HPAs select a queue's depth by its `queue` label (the broker's JMX
          // exporter), in their own namespace; the chart registers external.metrics.k8s.io for it.
          external: [
            {
              seriesQuery: `${QUEUE_DEPTH_METRIC}{namespace!="",queue!=""}`,
              resources: { overrides: { namespace: { resource: "namespace" } } },
              name: { matches: `^${QUEUE_DEPTH_METRIC}$`, as: QUEUE_DEPTH_METRIC },
              metricsQuery: "max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)",
            },
          ],
        },
      },
      [stack],
    );
    release(LOKI_RELEASE, CHARTS.loki, {
      deploymentMode: "SingleBinary",
      loki: {
        auth_enabled: false,
        commonConfig: { replication_factor: 1 },
        storage: { type: "filesystem" },
        schemaConfig: {
          configs: [
            {
              from: "2024-01-01",
              store: "tsdb",
              object_store: "filesystem",
              schema: "v13",
              index: { prefix: "index_", period: "24h" },
            },
          ],
        },
        limits_config: { retention_period: `${retention * 24}h` },
        compactor: { retention_enabled: true, delete_request_store: "filesystem" },
      },
      singleBinary: { replicas: 1, persistence: { size, storageClass: args.storageClass } },
      read: { replicas: 0 },
      write: { replicas: 0 },
      backend: { replicas: 0 },
      chunksCache: { enabled: false },
      resultsCache: { enabled: false },
      gateway: { enabled: false },
      lokiCanary: { enabled: false },
      test: { enabled: false },
    });
    release("promtail", CHARTS.promtail, {
      config: { clients: [{ url: pulumi.interpolate`${lokiUrl}/loki/api/v1/push` }] },
    });

    const customResource = (
      hook: Transform<k8s.apiextensions.CustomResourceArgs> | undefined,
      resourceName: string,
      args: k8s.apiextensions.CustomResourceArgs,
    ) =>
      new k8s.apiextensions.CustomResource(
        ...transform(hook, resourceName, args, { parent: this, dependsOn: [stack] }),
      );

    for (const s of args.services)
      customResource(t.serviceMonitor, `${name}-${s.name}`, {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
          name: s.name,
          namespace: args.appNamespace,
          labels: { ...labels, "battle-ready/system": s.system },
        },
        spec: {
          selector: { matchLabels: { "app.kubernetes.io/name": s.name } },
          endpoints: [
            {
              port: "http",
              path: s.metricsPath,
              interval: "30s",
              // The alert definitions tell services from dependencies by `role`.
              relabelings: [{ action: "replace", targetLabel: "role", replacement: "service" }],
            },
          ],
        },
      });
    for (const e of args.exporters)
      customResource(t.serviceMonitor, `${name}-${e.name}`, {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: e.name, namespace: args.appNamespace, labels },
        spec: {
          selector: { matchLabels: { "app.kubernetes.io/name": e.name } },
          endpoints: [
            {
              port: "metrics",
              interval: "30s",
              relabelings: [{ action: "replace", targetLabel: "role", replacement: e.kind }],
            },
          ],
        },
      });

    customResource(t.prometheusRule, `${name}-alerts`, {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: `${args.namePrefix}-alerts`, namespace: ns, labels },
      spec: {
        groups: [
          ...kubernetesRecordingRules(args.mysql),
          ...renderPrometheusRules(args.alertDefinitions, { labels: { platform: "kubernetes" } }),
        ],
      },
    });

    const dashboards = plannedDashboards(args);
    for (const d of dashboards)
      new k8s.core.v1.ConfigMap(
        ...transform(
          t.dashboard,
          `${name}-${d.uid}`,
          {
            metadata: {
              name: `dashboard-${d.uid}`,
              namespace: ns,
              labels: { ...labels, grafana_dashboard: "1" },
            },
            data: { [`${d.uid}.json`]: JSON.stringify(d) },
          },
          { parent: this },
        ),
      );
    this.dashboardUids = dashboards.map((d) => d.uid);
    this.registerOutputs({ dashboards: this.dashboardUids });
  }
}
