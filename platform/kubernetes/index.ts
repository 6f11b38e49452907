import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isServing, type ServiceSpec } from "../../catalog/types";
import { KubernetesDataStore } from "../../components/data-store/kubernetes";
import { DYNAMODB_PORT } from "../../components/data-store/kubernetes-dynamodb";
import { MYSQL_PORT } from "../../components/data-store/kubernetes-mysql";
import { REDIS_PORT } from "../../components/data-store/kubernetes-redis";
import { contentTag } from "../../components/image-repository/tag";
import {
  KubernetesObservabilityStack,
  type ScrapedExporter,
} from "../../components/observability-stack/kubernetes";
import { KubernetesQueueBroker, STOMP_PORT } from "../../components/queue-broker/kubernetes";
import { KubernetesSecrets } from "../../components/secrets/kubernetes";
import {
  type KubernetesFleetService,
  KubernetesServiceFleet,
} from "../../components/service-fleet/kubernetes";
import { alertDefinitions } from "../alerts/definitions";
import { IMAGE_SOURCES } from "../aws";
import { catalogNeeds } from "../aws/catalog-needs";
import { queueScaling, reservation, taskBounds } from "../aws/scaling";
import { CONFIG_NAMESPACE } from "../config";
import type { RealizationContext } from "../realization-context";
import { backupBucket } from "./backup-bucket";
import { type KubernetesConfig, parseKubernetesConfig } from "./config";
import { type KubernetesEnvContext, resolveKubernetesEnv } from "./env";

/** Where a service that verifies MySQL's certificate finds the CA. */
export const MYSQL_CA_DIR = "/etc/mysql-ca";

/** The stack's `k8s*` settings. */
export function loadKubernetesConfig(): KubernetesConfig {
  return parseKubernetesConfig((key) => pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${key}`));
}

/** A service's image: `<registry>battle-ready/<service>:<tag>`, never `latest`. */
export function serviceImage(registry: string, service: string, tag: string): string {
  return `${registry}battle-ready/${service}:${tag}`;
}

/**
 * The kubernetes realization: the catalog plus stack config become a namespace under the
 * restricted Pod Security Standard with a default-deny NetworkPolicy, the data stores and broker
 * as StatefulSets, generated Secrets, the services (Deployments, HPAs, PDBs, NetworkPolicies,
 * Ingresses), the MySQL backup to S3 (LocalStack locally) and the monitoring stack.
 */
export function deployKubernetes({
  config,
  catalog,
  stack,
  repoRoot,
}: RealizationContext): Record<string, unknown> {
  const kc = loadKubernetesConfig();
  const ns = kc.namespace;
  const needs = catalogNeeds(catalog);
  const users = (kind: keyof ServiceSpec["uses"]) => catalog.filter((s) => s.uses[kind]).map((s) => s.name);
  const tags = { project: "battle-ready", stack };

  const appNamespace = new k8s.core.v1.Namespace("namespace", {
    metadata: {
      name: ns,
      labels: {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      },
    },
  });
  // The monitoring stack's node agents (node-exporter, Promtail) need host access: no restricted label.
  const monitoringNamespace = new k8s.core.v1.Namespace("monitoring-namespace", {
    metadata: { name: kc.monitoringNamespace },
  });
  const inApp: pulumi.ComponentResourceOptions = { dependsOn: [appNamespace] };
  new k8s.networking.v1.NetworkPolicy(
    "default-deny",
    {
      metadata: { name: "default-deny", namespace: ns },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    inApp,
  );

  const storage = { namespace: ns, storageClass: kc.storageClass, volumeGiB: kc.volumeGiB };
  const bucket =
    needs.mysqlDatabases.length > 0
      ? backupBucket(kc.backup.bucket, config.backup.retentionDays, config.awsEndpoint, tags)
      : undefined;
  const mysql = bucket
    ? new KubernetesDataStore(
        "mysql",
        {
          engine: "mysql",
          databases: needs.mysqlDatabases,
          kubernetes: {
            ...storage,
            clients: users("mysql"),
            monitoringNamespace: kc.monitoringNamespace,
            backup: {
              bucket: kc.backup.bucket,
              schedule: kc.backup.schedule,
              endpoint: kc.backup.endpoint,
              roleArn: kc.backup.roleArn,
              region: pulumi.runtime.getConfig("aws:region") ?? "us-east-1",
            },
          },
        },
        inApp,
      )
    : undefined;
  const redis = needs.redis
    ? new KubernetesDataStore(
        "redis",
        {
          engine: "redis",
          kubernetes: { ...storage, clients: users("redis"), monitoringNamespace: kc.monitoringNamespace },
        },
        inApp,
      )
    : undefined;
  const dynamodb =
    needs.tables.length > 0
      ? new KubernetesDataStore(
          "dynamodb",
          {
            engine: "dynamodb",
            tables: needs.tables,
            billingMode: config.dynamodb.billingMode,
            kubernetes: {
              ...storage,
              clients: users("dynamodb"),
              monitoringNamespace: kc.monitoringNamespace,
            },
          },
          inApp,
        )
      : undefined;
  const broker = needs.activemq
    ? new KubernetesQueueBroker(
        "activemq",
        {
          queues: needs.queues,
          kubernetes: { ...storage, clients: users("activemq"), monitoringNamespace: kc.monitoringNamespace },
        },
        inApp,
      )
    : undefined;
  const appSecrets =
    needs.secrets.length > 0
      ? new KubernetesSecrets(
          "app-secrets",
          {
            namespace: ns,
            secrets: Object.fromEntries(
              needs.secrets.map((n) => [n, { description: `battle-ready ${stack}: ${n}` }]),
            ),
          },
          inApp,
        )
      : undefined;

  const envContext: KubernetesEnvContext = {
    namespace: ns,
    environment: stack,
    logLevel: config.logLevel,
    mysql: mysql?.mysql && { ...mysql.mysql, caFile: `${MYSQL_CA_DIR}/ca.crt` },
    redis: redis?.redis,
    activemq: broker?.endpoint,
    dynamodb: dynamodb?.dynamodb && {
      endpoint: dynamodb.dynamodb.endpoint,
      region: pulumi.runtime.getConfig("aws:region") ?? "us-east-1",
      accessKeyId: dynamodb.dynamodb.accessKeyId,
      secretAccessKey: dynamodb.dynamodb.secretAccessKey,
    },
    secrets: Object.fromEntries(needs.secrets.map((n) => [n, appSecrets!.secret(n)])),
    ports: Object.fromEntries(catalog.filter(isServing).map((s) => [s.name, s.port])),
  };
  const tag = config.images.tag ?? contentTag(repoRoot, IMAGE_SOURCES);
  const services: KubernetesFleetService[] = catalog.map((s) => {
    const resolved = resolveKubernetesEnv(s, envContext);
    const bounds = s.kind === "job" ? { min: 0, max: 1 } : taskBounds(s.scaling, config.tasks);
    return {
      name: s.name,
      system: s.system,
      kind: s.kind,
      image: serviceImage(kc.imageRegistry, s.name, tag),
      port: s.port,
      readinessPath: s.health?.readiness,
      livenessPath: s.health?.liveness,
      metricsPath: s.metricsPath,
      args: s.args,
      publicRoutes: s.publicRoutes,
      ingressPrefix: s.ingressPrefix,
      cpu: s.resources.cpu,
      memory: s.resources.memory,
      reservation: reservation(s.resources, config.tasks.reservationPercent),
      env: resolved.env,
      calls: s.calls,
      dependencies: [
        ...(s.uses.mysql ? [{ app: "mysql", port: MYSQL_PORT }] : []),
        ...(s.uses.redis ? [{ app: "redis", port: REDIS_PORT }] : []),
        ...(s.uses.activemq ? [{ app: "activemq", port: STOMP_PORT }] : []),
        ...(s.uses.dynamodb ? [{ app: "dynamodb", port: DYNAMODB_PORT }] : []),
      ],
      caCertificate:
        resolved.needsMysqlCa && mysql?.mysql
          ? { configMap: mysql.mysql.caConfigMap, mountDir: MYSQL_CA_DIR }
          : undefined,
      scaling: {
        ...bounds,
        cpuTarget: s.scaling.cpuTarget,
        requestsPerTarget: s.scaling.requestsPerTarget,
        queue: queueScaling(s.scaling),
      },
    };
  });
  const stores = [mysql, redis, dynamodb, broker, appSecrets].filter((r) => r !== undefined);
  const fleet = new KubernetesServiceFleet(
    "fleet",
    {
      namespace: ns,
      services,
      ingress: { className: kc.ingressClass, host: kc.ingressHost, controllerNamespace: kc.ingressNamespace },
      monitoringNamespace: kc.monitoringNamespace,
    },
    { dependsOn: [appNamespace, ...stores] },
  );

  const exporters: ScrapedExporter[] = [
    ...(mysql ? [{ name: "mysql", kind: "mysql" as const }] : []),
    ...(redis ? [{ name: "redis", kind: "redis" as const }] : []),
    ...(broker ? [{ name: "activemq", kind: "activemq" as const }] : []),
  ];
  const observability = new KubernetesObservabilityStack(
    "observability",
    {
      namePrefix: `battle-ready-${stack}`,
      alertDefinitions,
      alertEmails: config.observability.alertEmails,
      alertWebhookUrls: config.observability.alertWebhookUrl ? [config.observability.alertWebhookUrl] : [],
      systems: [...new Set(catalog.map((s) => s.system))].sort().map((system) => {
        const members = catalog.filter((s) => s.system === system);
        return {
          name: system,
          services: members.map((s) => s.name),
          usesDatabase: members.some((s) => s.uses.mysql),
          usesCache: members.some((s) => s.uses.redis),
          queues: needs.queues,
        };
      }),
      namespace: kc.monitoringNamespace,
      appNamespace: ns,
      services: catalog
        .filter(isServing)
        .map((s) => ({ name: s.name, system: s.system, metricsPath: s.metricsPath })),
      exporters,
      mysql: mysql ? { claim: "data-mysql-0", backupCronJob: "mysql-backup" } : undefined,
      retentionDays: config.observability.logRetentionDays,
      storageClass: kc.storageClass,
      volumeGiB: kc.volumeGiB,
    },
    { dependsOn: [monitoringNamespace, appNamespace] },
  );

  return {
    realization: "kubernetes",
    namespace: ns,
    serviceUrls: Object.fromEntries(
      Object.values(fleet.services)
        .filter((s) => s.internalUrl)
        .map((s) => [s.name, s.internalUrl]),
    ),
    publicPaths: Object.fromEntries(
      Object.values(fleet.services)
        .filter((s) => s.publicPath)
        .map((s) => [s.name, s.publicPath]),
    ),
    dashboards: observability.dashboardUids,
    grafanaAdminSecret: observability.grafanaAdminSecret,
    backupBucket: bucket?.bucket,
    backupCronJob: mysql ? `${kc.namespace}/mysql-backup` : undefined,
    restoreTemplate: mysql ? `${kc.namespace}/mysql-restore` : undefined,
    images: Object.fromEntries(services.map((s) => [s.name, s.image])),
  };
}
