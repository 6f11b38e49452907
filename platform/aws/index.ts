import { existsSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { isServing } from "../../catalog/types";
import { AwsBackupPlan } from "../../components/backup-plan/aws";
import { AwsDataStore } from "../../components/data-store/aws";
import { AwsImageRepository } from "../../components/image-repository/aws";
import { contentTag } from "../../components/image-repository/tag";
import { AwsNetwork } from "../../components/network/aws";
import { rdsMaxConnections } from "../../components/observability-stack/alarms";
import type { ObservedSystem } from "../../components/observability-stack/args";
import { AwsObservabilityStack } from "../../components/observability-stack/aws";
import { AwsQueueBroker } from "../../components/queue-broker/aws";
import { STOMP_TLS_PORT } from "../../components/queue-broker/endpoint";
import { AwsSecrets } from "../../components/secrets/aws";
import type { FleetService } from "../../components/service-fleet/args";
import { AwsServiceFleet } from "../../components/service-fleet/aws";
import { alertDefinitions, isDeadLetterQueue } from "../alerts/definitions";
import type { PlatformConfig } from "../config";
import type { RealizationContext } from "../realization-context";
import { catalogNeeds } from "./catalog-needs";
import { databaseInitContainer, type MysqlAccount, mysqlUserName } from "./database-init";
import { resolveAwsEnv } from "./env";
import { localEndpointProvider } from "./provider";
import { queueScaling, reservation, taskBounds } from "./scaling";

/** Files every image is built from (the Dockerfiles copy these): any change, a new content tag. */
export const IMAGE_SOURCES = ["apps", "lib", "package.json", "package-lock.json", "tsconfig.json"];

/**
 * The AWS realization: the catalog plus stack config become a network, data stores, a broker,
 * generated secrets, images, the ECS fleet, backups and observability. Returns the stack outputs.
 */
export function deployAws({ config, catalog, stack, repoRoot }: RealizationContext): Record<string, unknown> {
  const opts: pulumi.ComponentResourceOptions = config.awsEndpoint
    ? { providers: { aws: localEndpointProvider(config.awsEndpoint) } }
    : {};
  const prefix = `battle-ready-${stack}`;
  const tags = { project: "battle-ready", stack };
  const needs = catalogNeeds(catalog);
  const protect = config.deletionProtection;

  const network = new AwsNetwork(
    "network",
    {
      cidrBlock: config.network.vpcCidr,
      natGateways: config.network.natGateways,
      availabilityZones: config.network.availabilityZones,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
      publicPorts: config.fleet.certificateArn ? [80, 443] : [80],
      dataServices: {
        ...(needs.mysqlDatabases.length > 0 ? { mysql: [3306] } : {}),
        ...(needs.redis ? { redis: [6379] } : {}),
        ...(needs.activemq ? { activemq: [STOMP_TLS_PORT] } : {}),
      },
      tags,
    },
    opts,
  );
  const placement = (kind: string) => ({
    subnetIds: network.privateSubnetIds,
    securityGroupIds: [network.dataSecurityGroupIds[kind]!],
  });
  const secretsPrefix = `battle-ready/${stack}`;

  const mysql =
    needs.mysqlDatabases.length > 0
      ? new AwsDataStore(
          "mysql",
          {
            engine: "mysql",
            placement: placement("mysql"),
            instanceClass: config.mysql.instanceClass,
            engineVersion: config.mysql.engineVersion,
            allocatedStorageGiB: config.mysql.storageGiB,
            maxAllocatedStorageGiB: config.mysql.maxStorageGiB,
            multiAz: config.mysql.multiAz,
            backupRetentionDays: config.mysql.backupRetentionDays,
            databases: needs.mysqlDatabases,
            deletionProtection: protect,
            secretsPrefix,
            tags,
          },
          opts,
        ).mysql
      : undefined;
  const redis = needs.redis
    ? new AwsDataStore(
        "redis",
        {
          engine: "redis",
          placement: placement("redis"),
          nodeType: config.redis.nodeType,
          replicas: config.redis.replicas,
          snapshotRetentionDays: config.redis.snapshotRetentionDays,
          deletionProtection: protect,
          secretsPrefix,
          tags,
        },
        opts,
      ).redis
    : undefined;
  const dynamodb =
    needs.tables.length > 0
      ? new AwsDataStore(
          "dynamodb",
          {
            engine: "dynamodb",
            tables: needs.tables,
            billingMode: config.dynamodb.billingMode,
            capacityBudget: config.dynamodb.capacityBudget,
            deletionProtection: protect,
            tags,
          },
          opts,
        ).dynamodb
      : undefined;
  const broker = needs.activemq
    ? new AwsQueueBroker(
        "activemq",
        {
          placement: placement("activemq"),
          instanceType: config.activemq.instanceType,
          deploymentMode: config.activemq.deploymentMode,
          queues: needs.queues,
          namePrefix: prefix,
          secretsPrefix,
          tags,
        },
        opts,
      )
    : undefined;
  const appSecrets =
    needs.secrets.length > 0
      ? new AwsSecrets(
          "app-secrets",
          {
            prefix: secretsPrefix,
            secrets: Object.fromEntries(
              needs.secrets.map((name) => [name, { description: `battle-ready ${stack}: ${name}` }]),
            ),
            tags,
          },
          opts,
        )
      : undefined;

  // Each MySQL service's own account: a generated password in Secrets Manager, the account
  // created (and its password re-applied) by the service's init container.
  const mysqlServices = mysql ? catalog.filter((s) => s.uses.mysql) : [];
  const mysqlUsers = new Map<string, string>();
  for (const s of mysqlServices) {
    const user = mysqlUserName(s.name);
    const taken = mysqlUsers.get(user);
    if (taken) throw new Error(`${s.name} and ${taken} would share the MySQL user ${user}`);
    mysqlUsers.set(user, s.name);
  }
  const mysqlAccountSecrets =
    mysqlServices.length > 0
      ? new AwsSecrets(
          "mysql-accounts",
          {
            prefix: secretsPrefix,
            secrets: Object.fromEntries(
              mysqlServices.map((s) => [
                `mysql-user-${s.name}`,
                {
                  fields: { username: mysqlUserName(s.name) },
                  description: `battle-ready ${stack}: ${s.name}'s own MySQL account`,
                },
              ]),
            ),
            tags,
          },
          opts,
        )
      : undefined;
  const mysqlAccount = (service: string): MysqlAccount | undefined =>
    mysqlAccountSecrets?.secrets[`mysql-user-${service}`]
      ? {
          username: mysqlUserName(service),
          secretArn: mysqlAccountSecrets.secret(`mysql-user-${service}`).arn,
        }
      : undefined;

  const tag = config.images.tag ?? contentTag(repoRoot, IMAGE_SOURCES);
  const images = Object.fromEntries(
    catalog.map((s) => {
      const dockerfile = `${appDirectory(s.entry)}/Dockerfile`;
      if (!config.images.tag && !existsSync(join(repoRoot, dockerfile)))
        throw new Error(
          `${s.name}: ${dockerfile} is missing; add it, or set ${"battle-ready:imageTag"} to deploy prebuilt images`,
        );
      const repository = new AwsImageRepository(
        `image-${s.name}`,
        {
          repositoryName: `battle-ready/${stack}/${s.name}`,
          ...(config.images.tag
            ? { prebuiltTag: tag }
            : { build: { context: ".", dockerfile, platform: config.images.platform, tag } }),
          forceDelete: !protect,
          tags,
        },
        opts,
      );
      return [s.name, repository.imageRef];
    }),
  );

  const region = aws.getRegionOutput({}, opts).region;
  const discoveryNamespace = `${stack}.battle-ready.internal`;
  const ports = Object.fromEntries(catalog.filter(isServing).map((s) => [s.name, s.port]));
  const publicServices = catalog.filter((s) => s.publicRoutes.length > 0).map((s) => s.name);
  const tableArns = (names: string[]) => names.map((n) => dynamodb!.tables[n]!.arn);
  const services: FleetService[] = catalog.map((s) => {
    const account = mysqlAccount(s.name);
    const env = resolveAwsEnv(s, {
      region,
      environment: stack,
      logLevel: config.logLevel,
      // A service reaches MySQL only with its own account, never the master's.
      mysql: mysql && account ? { host: mysql.host, port: mysql.port, ...account } : undefined,
      redis,
      activemq: broker?.endpoint,
      secrets: Object.fromEntries(needs.secrets.map((name) => [name, appSecrets!.secret(name).arn])),
      discoveryNamespace,
      ports,
      publicServices,
    });
    const bounds = s.kind === "job" ? { min: 0, max: 1 } : taskBounds(s.scaling, config.tasks);
    return {
      name: s.name,
      system: s.system,
      kind: s.kind,
      image: images[s.name]!,
      port: s.port,
      readinessPath: s.health?.readiness,
      livenessPath: s.health?.liveness,
      args: s.args,
      publicRoutes: s.publicRoutes,
      ingressPrefix: s.ingressPrefix,
      cpu: s.resources.cpu,
      memory: s.resources.memory,
      reservation: reservation(s.resources, config.tasks.reservationPercent),
      environment: env.environment,
      publicUrlEnvironment: env.publicUrls,
      secrets: env.secrets,
      dynamoTableArns: tableArns((s.uses.dynamodb?.tables ?? []).map((t) => t.name)),
      mountRdsCaBundle: env.needsRdsCaBundle,
      initContainer:
        s.uses.mysql && mysql && account
          ? databaseInitContainer(s.uses.mysql.database, mysql, account)
          : undefined,
      // The execution role reads the service's secrets and, for its init container (the same
      // task), the master secret: ECS has no per-container execution role.
      secretArns: [...env.secretArns, ...(mysql && account ? [mysql.secretArn, account.secretArn] : [])],
      scaling: {
        ...bounds,
        cpuTarget: s.scaling.cpuTarget,
        requestsPerTarget: s.scaling.requestsPerTarget,
        queue: queueScaling(s.scaling),
      },
    };
  });
  const fleet = new AwsServiceFleet(
    "fleet",
    {
      services,
      network: {
        vpcId: network.vpcId,
        albSubnetIds: network.publicSubnetIds,
        albSecurityGroupIds: [network.albSecurityGroupId],
        instanceSubnetIds: network.fleetSubnetIds,
        instanceSecurityGroupIds: [network.fleetSecurityGroupId],
        assignPublicIp: network.fleetNeedsPublicIp,
      },
      instanceType: config.fleet.instanceType,
      minInstances: config.fleet.minInstances,
      maxInstances: config.fleet.maxInstances,
      rootVolumeGiB: config.fleet.rootVolumeGiB,
      targetCapacityPercent: config.fleet.targetCapacityPercent,
      certificateArn: config.fleet.certificateArn,
      publicDomain: config.fleet.publicDomain,
      logRetentionDays: config.observability.logRetentionDays,
      namePrefix: prefix,
      discoveryNamespace,
      deletionProtection: protect,
      accessLogs: { retentionDays: config.fleet.accessLogRetentionDays },
      brokerName: broker?.endpoint.brokerName,
      tags,
    },
    opts,
  );

  const backupArns = [
    ...(mysql ? [mysql.instanceArn] : []),
    ...Object.values(dynamodb?.tables ?? {}).map((t) => t.arn),
  ];
  const backup =
    backupArns.length > 0
      ? new AwsBackupPlan(
          "backup",
          {
            resourceArns: backupArns,
            retentionDays: config.backup.retentionDays,
            schedule: config.backup.schedule,
            continuousBackup: config.backup.continuous,
            namePrefix: prefix,
            tags,
          },
          opts,
        )
      : undefined;

  const fleetServices = Object.values(fleet.services);
  const systems: ObservedSystem[] = [...new Set(catalog.map((s) => s.system))].sort().map((system) => {
    const members = catalog.filter((s) => s.system === system);
    return {
      name: system,
      services: members.map((s) => s.name),
      usesDatabase: members.some((s) => s.uses.mysql),
      usesCache: members.some((s) => s.uses.redis),
      queues: [
        ...new Set(
          members
            .flatMap((s) => s.uses.activemq?.destinations ?? [])
            .filter((d) => d.startsWith("/queue/"))
            .map((d) => d.slice(7)),
        ),
      ],
      tables: [...new Set(members.flatMap((s) => (s.uses.dynamodb?.tables ?? []).map((t) => t.name)))].map(
        (n) => dynamodb!.tables[n]!.name,
      ),
      logGroupNames: members.map((s) => fleet.services[s.name]!.logGroupName),
    };
  });
  const observability = new AwsObservabilityStack(
    "observability",
    {
      namePrefix: prefix,
      alertDefinitions,
      targets: {
        loadBalancer: { arnSuffix: fleet.loadBalancerArnSuffix },
        targetGroups: fleetServices
          .filter((s) => s.targetGroupArnSuffix)
          .map((s) => ({ service: s.name, system: s.system, arnSuffix: s.targetGroupArnSuffix! })),
        ecsServices: fleetServices
          .filter((s) => s.serviceName)
          .map((s) => ({
            service: s.name,
            system: s.system,
            clusterName: fleet.clusterName,
            serviceName: s.serviceName!,
          })),
        database: mysql
          ? {
              identifier: mysql.instanceIdentifier,
              maxConnections: rdsMaxConnections(config.mysql.instanceClass),
              allocatedStorageGiB: config.mysql.storageGiB,
            }
          : undefined,
        cache: redis ? { nodeIds: redis.nodeIds } : undefined,
        broker: broker
          ? {
              name: broker.endpoint.brokerName,
              queues: broker.queues.filter((q) => !isDeadLetterQueue(q)),
              deadLetterQueues: broker.queues.filter(isDeadLetterQueue),
            }
          : undefined,
        tables: Object.entries(dynamodb?.tables ?? {}).map(([key, t]) => ({ key, name: t.name })),
        backupVault: backup ? { name: backup.vaultName } : undefined,
      },
      systems,
      alertEmails: config.observability.alertEmails,
      alertWebhookUrls: config.observability.alertWebhookUrl ? [config.observability.alertWebhookUrl] : [],
      alarmBudget: config.observability.alarmBudget,
      singleDashboard: config.observability.singleDashboard,
      encryptTopic: config.observability.encryptAlertTopic,
      tags,
    },
    opts,
  );

  return {
    realization: "aws",
    loadBalancer: fleet.loadBalancerDnsName,
    serviceUrls: Object.fromEntries(fleetServices.filter((s) => s.url).map((s) => [s.name, s.url])),
    dashboardUrls: observability.dashboardUrls,
    logGroups: Object.fromEntries(fleetServices.map((s) => [s.name, s.logGroupName])),
    alertTopicArn: observability.topicArn,
    images,
  };
}

/** The app folder a service's entry lives in: `apps/todo/src/main.ts` → `apps/todo`. */
export function appDirectory(entry: string): string {
  return entry.split("/").slice(0, 2).join("/");
}

export type { PlatformConfig };
