import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsSecrets } from "../secrets/aws";
import { nameTags } from "../shared/tags";
import { transform } from "../shared/transform";
import type { RedisArgs, RedisEndpoint } from "./args";

/** ElastiCache for Redis: encrypted at rest and in transit, AUTH token, daily snapshots. */
export function createRedis(name: string, args: RedisArgs, parent: pulumi.Resource): RedisEndpoint {
  const t = args.transform ?? {};
  const tags = args.tags ?? {};
  const replicas = args.replicas ?? 0;
  const engineVersion = args.engineVersion ?? "7.1";

  const credentials = new AwsSecrets(
    `${name}-credentials`,
    {
      prefix: args.secretsPrefix ?? `battle-ready/${name}`,
      secrets: { [`${name}-auth`]: { description: `${name}: ElastiCache AUTH token` } },
      tags,
      transform: t.secrets,
    },
    { parent },
  );
  const auth = credentials.secret(`${name}-auth`);
  const subnetGroup = new aws.elasticache.SubnetGroup(
    ...transform(
      t.subnetGroup,
      `${name}-subnets`,
      { subnetIds: args.placement!.subnetIds, description: `${name} subnets`, tags },
      { parent },
    ),
  );
  const group = new aws.elasticache.ReplicationGroup(
    ...transform(
      t.replicationGroup,
      `${name}-redis`,
      {
        description: `${name}: Redis cache`,
        engine: "redis",
        engineVersion,
        parameterGroupName: `default.redis${engineVersion.split(".")[0]}`,
        nodeType: args.nodeType ?? "cache.t3.micro",
        numCacheClusters: 1 + replicas,
        automaticFailoverEnabled: replicas > 0,
        multiAzEnabled: replicas > 0,
        port: 6379,
        subnetGroupName: subnetGroup.name,
        securityGroupIds: args.placement!.securityGroupIds,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        authToken: auth.password,
        snapshotRetentionLimit: args.snapshotRetentionDays ?? 1,
        finalSnapshotIdentifier: args.deletionProtection ? `${name}-final` : undefined,
        snapshotWindow: "02:30-03:30",
        maintenanceWindow: "sun:04:00-sun:05:00",
        autoMinorVersionUpgrade: true,
        applyImmediately: false,
        tags: nameTags(name, tags),
      },
      { parent },
    ),
  );
  return {
    host: group.primaryEndpointAddress,
    port: group.port.apply((p) => p ?? 6379),
    secretArn: auth.arn,
    replicationGroupId: group.id,
    nodeIds: Array.from(
      { length: 1 + replicas },
      (_, i) => pulumi.interpolate`${group.id}-${String(i + 1).padStart(3, "0")}`,
    ),
  };
}
