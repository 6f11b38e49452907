import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { DynamoTable } from "../../catalog/types";
import type { SecretsArgs } from "../secrets/args";
import type { Transform } from "../shared/transform";

/** Where a networked store runs (aws): private subnets and the security groups it sits behind. */
export interface DataStorePlacement {
  subnetIds: pulumi.Input<string>[];
  securityGroupIds: pulumi.Input<string>[];
}

interface CommonArgs {
  /** Subnets and security groups; required for mysql and redis, unused by dynamodb. */
  placement?: DataStorePlacement;
  /** Refuse deletion (RDS, DynamoDB) and keep a final snapshot. @default false */
  deletionProtection?: boolean;
  /** Path prefix for generated credentials in Secrets Manager. @default `battle-ready/<name>` */
  secretsPrefix?: string;
  /** Tags on every resource. @default {} */
  tags?: Record<string, string>;
}

export interface MysqlArgs extends CommonArgs {
  engine: "mysql";
  /** @default "db.t3.micro" (free tier) */
  instanceClass?: string;
  /** MySQL major.minor version; the parameter group family follows it. @default "8.4" */
  engineVersion?: string;
  /** gp3 storage in GiB (20 is the free-tier allowance and RDS's minimum). @default 20 */
  allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling in GiB; 0 turns autoscaling off. @default 0 */
  maxAllocatedStorageGiB?: number;
  /** A synchronous standby in a second zone. @default false */
  multiAz?: boolean;
  /** Days of automated backups (point-in-time recovery needs ≥ 1; at most 35). @default 7 */
  backupRetentionDays?: number;
  /** Master user name; its password is generated. @default "battleready" */
  username?: string;
  /** Databases the services use; the first is created with the instance. @default [] */
  databases?: string[];
  /** Log types exported to CloudWatch Logs. @default ["error", "slowquery"] */
  cloudwatchLogsExports?: string[];
  transform?: {
    subnetGroup?: Transform<aws.rds.SubnetGroupArgs>;
    parameterGroup?: Transform<aws.rds.ParameterGroupArgs>;
    instance?: Transform<aws.rds.InstanceArgs>;
    secrets?: SecretsArgs["transform"];
  };
}

export interface RedisArgs extends CommonArgs {
  engine: "redis";
  /** @default "cache.t3.micro" (free tier) */
  nodeType?: string;
  /** Read replicas; ≥ 1 turns on automatic failover and Multi-AZ. @default 0 */
  replicas?: number;
  /** @default "7.1" */
  engineVersion?: string;
  /** Days of daily snapshots (0 turns them off). @default 1 */
  snapshotRetentionDays?: number;
  transform?: {
    subnetGroup?: Transform<aws.elasticache.SubnetGroupArgs>;
    replicationGroup?: Transform<aws.elasticache.ReplicationGroupArgs>;
    secrets?: SecretsArgs["transform"];
  };
}

export interface DynamoDbArgs extends CommonArgs {
  engine: "dynamodb";
  /** The tables, from the catalog. */
  tables: DynamoTable[];
  /** @default "PROVISIONED" (the free tier covers 25 RCU and 25 WCU in provisioned mode) */
  billingMode?: "PROVISIONED" | "PAY_PER_REQUEST";
  /**
   * Most read units, and most write units, provisioned across all tables; larger catalog figures
   * are scaled down to fit (each table keeps at least 1). 0 means no limit.
   * @default 0
   */
  capacityBudget?: number;
  /** Prefix of the physical table names (for several stacks in one account). @default "" */
  tableNamePrefix?: string;
  transform?: { table?: Transform<aws.dynamodb.TableArgs> };
}

export type DataStoreArgs = MysqlArgs | RedisArgs | DynamoDbArgs;

/** How services reach a MySQL store. */
export interface MysqlEndpoint {
  host: pulumi.Output<string>;
  port: pulumi.Output<number>;
  username: string;
  /** Secrets Manager secret holding `{"username", "password"}`. */
  secretArn: pulumi.Output<string>;
  instanceIdentifier: pulumi.Output<string>;
  instanceArn: pulumi.Output<string>;
}

/** How services reach a Redis store. */
export interface RedisEndpoint {
  host: pulumi.Output<string>;
  port: pulumi.Output<number>;
  /** Secrets Manager secret holding the AUTH token as `password`. */
  secretArn: pulumi.Output<string>;
  replicationGroupId: pulumi.Output<string>;
  /** The node ids CloudWatch reports per (`<group>-001`, ...). */
  nodeIds: pulumi.Output<string>[];
}

export interface DynamoDbTables {
  /** By catalog table name. */
  tables: Record<string, { name: pulumi.Output<string>; arn: pulumi.Output<string> }>;
}
