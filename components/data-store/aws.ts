import * as pulumi from "@pulumi/pulumi";
import type { DataStoreArgs, DynamoDbTables, MysqlEndpoint, RedisEndpoint } from "./args";
import { createDynamoDb } from "./aws-dynamodb";
import { createMysql } from "./aws-mysql";
import { createRedis } from "./aws-redis";
import { validateDataStoreArgs } from "./validate";

/**
 * A data store on AWS, by engine:
 * - `mysql`: RDS for MySQL with encrypted gp3 storage, no public access, TLS required by its
 *   parameter group, automated backups with point-in-time recovery, optional Multi-AZ and deletion
 *   protection, and a generated master password in Secrets Manager.
 * - `redis`: an ElastiCache replication group encrypted at rest and in transit, with a generated
 *   AUTH token in Secrets Manager, daily snapshots, and automatic failover when it has replicas.
 * - `dynamodb`: tables with server-side encryption, point-in-time recovery and provisioned
 *   (within a budget) or on-demand capacity.
 *
 * Cost (us-east-1/eu-west-1, on demand): db.t3.micro Single-AZ with 20 GB gp3 and cache.t3.micro
 * are inside the 12-month free tier (750 hours each); outside it db.t3.micro is ~$13/month
 * (double for Multi-AZ) plus $0.115/GB-month of gp3, cache.t3.micro ~$12/month per node.
 * DynamoDB provisioned capacity is free up to 25 RCU and 25 WCU and 25 GB; PITR is $0.20/GB-month.
 * Each generated secret is $0.40/month.
 */
export class AwsDataStore extends pulumi.ComponentResource {
  readonly engine: DataStoreArgs["engine"];
  readonly mysql?: MysqlEndpoint;
  readonly redis?: RedisEndpoint;
  readonly dynamodb?: DynamoDbTables;

  constructor(name: string, args: DataStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("battle-ready:aws:DataStore", name, {}, opts);
    validateDataStoreArgs(name, args);
    this.engine = args.engine;
    switch (args.engine) {
      case "mysql":
        this.mysql = createMysql(name, args, this);
        break;
      case "redis":
        this.redis = createRedis(name, args, this);
        break;
      case "dynamodb":
        this.dynamodb = createDynamoDb(name, args, this);
        break;
    }
    this.registerOutputs({
      engine: this.engine,
      host: this.mysql?.host ?? this.redis?.host,
      secretArn: this.mysql?.secretArn ?? this.redis?.secretArn,
      tables: this.dynamodb
        ? Object.fromEntries(Object.entries(this.dynamodb.tables).map(([k, v]) => [k, v.name]))
        : undefined,
    });
  }
}
