import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { SecretKey } from "../../platform/kubernetes/env";
import type { StatefulTransforms } from "../shared/kubernetes-stateful";
import type { Transform } from "../shared/transform";
import type { DataStoreArgs, DynamoDbArgs, MysqlArgs, RedisArgs } from "./args";
import { kubernetesDynamoDb } from "./kubernetes-dynamodb";
import { type KubernetesMysqlTransforms, kubernetesMysql } from "./kubernetes-mysql";
import type { MysqlBackupOptions } from "./kubernetes-mysql-backup";
import { type KubernetesRedisTransforms, kubernetesRedis } from "./kubernetes-redis";

/** What the kubernetes realization needs besides the shared args (the AWS-only ones are ignored). */
export interface KubernetesStoreOptions {
  /** @default "default" */
  namespace?: string;
  /** StorageClass of the volume claim. @default the cluster's default class */
  storageClass?: string;
  /** Size of the volume claim in GiB. @default mysql: `allocatedStorageGiB` (20); redis and dynamodb: 1 */
  volumeGiB?: number;
  /** App names (`app.kubernetes.io/name`) whose pods may connect. @default [] (nobody) */
  clients?: string[];
  /** Namespace whose pods (Prometheus) may scrape the exporter. @default "monitoring" */
  monitoringNamespace?: string;
  /** mysql: a nightly dump to S3 (or LocalStack) and the restore template. @default none */
  backup?: MysqlBackupOptions;
  /** Container CPU (millicores) and memory (MiB) of the server. @default 500 m / 512 MiB (mysql, dynamodb), 250 m / 256 MiB (redis) */
  resources?: { cpu: number; memory: number };
  transform?: StatefulTransforms &
    KubernetesMysqlTransforms &
    KubernetesRedisTransforms & {
      secret?: Transform<k8s.core.v1.SecretArgs>;
      job?: Transform<k8s.batch.v1.JobArgs>;
      cronJob?: Transform<k8s.batch.v1.CronJobArgs>;
    };
}

export type KubernetesDataStoreArgs = DataStoreArgs & { kubernetes?: KubernetesStoreOptions };

/** How pods reach the MySQL store. */
export interface KubernetesMysqlEndpoint {
  /** The Service's cluster DNS name (also the TLS certificate's name). */
  host: string;
  port: number;
  /** The application user (granted every catalog database). */
  username: string;
  password: SecretKey;
  /** ConfigMap holding the CA certificate under `ca.crt` (verify-identity clients mount it). */
  caConfigMap: pulumi.Output<string>;
  rootPassword: SecretKey;
}

export interface KubernetesRedisEndpoint {
  host: string;
  port: number;
  password: SecretKey;
}

export interface KubernetesDynamoDbEndpoint {
  /** `http://dynamodb.<ns>.svc.cluster.local:8000` */
  endpoint: string;
  /** dynamodb-local ignores credentials, but the SDK needs some: kept in a Secret anyway. */
  accessKeyId: SecretKey;
  secretAccessKey: SecretKey;
  tables: string[];
}

/**
 * A data store on Kubernetes, behind the same args as the AWS one:
 * - mysql: MariaDB in a StatefulSet with TLS (a generated CA), generated credentials, a provisioning
 *   Job creating the catalog's databases, mysqld-exporter, and an optional nightly backup to S3;
 * - redis: Redis with AUTH, AOF persistence and redis_exporter;
 * - dynamodb: dynamodb-local (development only) with a Job creating the tables.
 * Each on a PersistentVolumeClaim, behind a NetworkPolicy that admits only its clients.
 *
 * Cost: the pods' requests on your nodes plus the volumes (on EKS, gp3 at $0.08/GiB-month).
 */
export class KubernetesDataStore extends pulumi.ComponentResource {
  readonly mysql?: KubernetesMysqlEndpoint;
  readonly redis?: KubernetesRedisEndpoint;
  readonly dynamodb?: KubernetesDynamoDbEndpoint;

  constructor(name: string, args: KubernetesDataStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("battle-ready:kubernetes:DataStore", name, {}, opts);
    validateKubernetesStoreArgs(args);
    const options = args.kubernetes ?? {};
    switch (args.engine) {
      case "mysql":
        this.mysql = kubernetesMysql(name, args as MysqlArgs, options, this);
        break;
      case "redis":
        this.redis = kubernetesRedis(name, args as RedisArgs, options, this);
        break;
      case "dynamodb":
        this.dynamodb = kubernetesDynamoDb(name, args as DynamoDbArgs, options, this);
        break;
    }
    this.registerOutputs({
      host: this.mysql?.host ?? this.redis?.host ?? this.dynamodb?.endpoint,
    });
  }
}

export function validateKubernetesStoreArgs(args: KubernetesDataStoreArgs): void {
  const o = args.kubernetes ?? {};
  if (o.volumeGiB !== undefined && (!Number.isInteger(o.volumeGiB) || o.volumeGiB < 1))
    throw new Error(`DataStore: kubernetes.volumeGiB must be a whole number ≥ 1 (got ${o.volumeGiB})`);
  if (o.backup && args.engine !== "mysql")
    throw new Error(`DataStore: kubernetes.backup is for mysql only (engine is ${args.engine})`);
  if (args.engine === "redis" && (args.replicas ?? 0) > 0)
    throw new Error("DataStore: the kubernetes redis is a single instance; set replicas to 0");
}
