import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { AwsSecrets } from "../secrets/aws";
import { nameTags } from "../shared/tags";
import { transform } from "../shared/transform";
import type { MysqlArgs, MysqlEndpoint } from "./args";

/** The RDS CA that signs the instance's TLS certificate (services verify against the bundle). */
export const RDS_CA_IDENTIFIER = "rds-ca-rsa2048-g1";

/** The parameter group family of a MySQL version: `8.4` → `mysql8.4`. */
export function mysqlParameterFamily(engineVersion: string): string {
  return `mysql${engineVersion.split(".").slice(0, 2).join(".")}`;
}

/** RDS for MySQL: encrypted gp3 storage, private, TLS required, automated backups with PITR. */
export function createMysql(name: string, args: MysqlArgs, parent: pulumi.Resource): MysqlEndpoint {
  const t = args.transform ?? {};
  const tags = args.tags ?? {};
  const engineVersion = args.engineVersion ?? "8.4";
  const username = args.username ?? "battleready";
  const protect = args.deletionProtection ?? false;
  const maxStorage = args.maxAllocatedStorageGiB ?? 0;

  const credentials = new AwsSecrets(
    `${name}-credentials`,
    {
      prefix: args.secretsPrefix ?? `battle-ready/${name}`,
      secrets: { [`${name}-master`]: { fields: { username }, description: `${name}: RDS master user` } },
      tags,
      transform: t.secrets,
    },
    { parent },
  );
  const master = credentials.secret(`${name}-master`);
  const subnetGroup = new aws.rds.SubnetGroup(
    ...transform(
      t.subnetGroup,
      `${name}-subnets`,
      { subnetIds: args.placement!.subnetIds, tags: nameTags(name, tags) },
      { parent },
    ),
  );
  const parameterGroup = new aws.rds.ParameterGroup(
    ...transform(
      t.parameterGroup,
      `${name}-params`,
      {
        family: mysqlParameterFamily(engineVersion),
        description: `${name}: TLS required, slow queries logged`,
        parameters: [
          { name: "require_secure_transport", value: "1" },
          { name: "slow_query_log", value: "1" },
          { name: "long_query_time", value: "1" },
          { name: "log_output", value: "FILE" },
        ],
        tags,
      },
      { parent },
    ),
  );
  const instance = new aws.rds.Instance(
    ...transform(
      t.instance,
      `${name}-db`,
      {
        engine: "mysql",
        engineVersion,
        instanceClass: args.instanceClass ?? "db.t3.micro",
        allocatedStorage: args.allocatedStorageGiB ?? 20,
        maxAllocatedStorage: maxStorage > 0 ? maxStorage : undefined,
        storageType: "gp3",
        storageEncrypted: true,
        multiAz: args.multiAz ?? false,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: args.placement!.securityGroupIds,
        publiclyAccessible: false,
        parameterGroupName: parameterGroup.name,
        caCertIdentifier: RDS_CA_IDENTIFIER,
        dbName: args.databases?.[0],
        username,
        password: master.password,
        iamDatabaseAuthenticationEnabled: true,
        backupRetentionPeriod: args.backupRetentionDays ?? 7,
        backupWindow: "02:00-02:30",
        maintenanceWindow: "sun:03:00-sun:04:00",
        copyTagsToSnapshot: true,
        autoMinorVersionUpgrade: true,
        deletionProtection: protect,
        skipFinalSnapshot: !protect,
        finalSnapshotIdentifier: protect ? `${name}-final` : undefined,
        deleteAutomatedBackups: !protect,
        enabledCloudwatchLogsExports: args.cloudwatchLogsExports ?? ["error", "slowquery"],
        applyImmediately: false,
        tags: nameTags(name, tags),
      },
      { parent },
    ),
  );
  return {
    host: instance.address,
    port: instance.port,
    username,
    secretArn: master.arn,
    instanceIdentifier: instance.identifier,
    instanceArn: instance.arn,
  };
}
