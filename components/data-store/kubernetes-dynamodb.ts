import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { DynamoTable } from "../../catalog/types";
import {
  appLabels,
  resourcesOf,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  scratch,
} from "../shared/kubernetes";
import { IMAGE_USERS, IMAGES } from "../shared/kubernetes-images";
import { clientEgressPolicy, statefulApp } from "../shared/kubernetes-stateful";
import { transform } from "../shared/transform";
import type { DynamoDbArgs } from "./args";
import type { KubernetesDynamoDbEndpoint, KubernetesStoreOptions } from "./kubernetes";

export const DYNAMODB_PORT = 8000;
export const DYNAMODB_TABLES_APP = "dynamodb-tables";

/** The AWS CLI commands that create each missing table (idempotent: an existing table is left alone). */
export function createTablesScript(endpoint: string, tables: DynamoTable[], billingMode: string): string {
  const lines = ["set -eu", `ddb="aws dynamodb --endpoint-url ${endpoint}"`];
  lines.push(`until $ddb list-tables >/dev/null 2>&1; do echo waiting for dynamodb-local; sleep 3; done`);
  for (const t of tables) {
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(t.name) || !/^[A-Za-z0-9_.-]+$/.test(t.hashKey))
      throw new Error(`table ${JSON.stringify(t.name)}: invalid table or key name`);
    const capacity =
      billingMode === "PAY_PER_REQUEST"
        ? "--billing-mode PAY_PER_REQUEST"
        : `--provisioned-throughput ReadCapacityUnits=${t.readCapacity},WriteCapacityUnits=${t.writeCapacity}`;
    lines.push(
      `$ddb describe-table --table-name ${t.name} >/dev/null 2>&1 || $ddb create-table --table-name ${t.name} ` +
        `--attribute-definitions AttributeName=${t.hashKey},AttributeType=S --key-schema AttributeName=${t.hashKey},KeyType=HASH ${capacity}`,
    );
  }
  lines.push("echo tables ready");
  return lines.join("\n");
}

/** dynamodb-local (development only) on a volume, and a Job creating the catalog's tables. */
export function kubernetesDynamoDb(
  name: string,
  args: DynamoDbArgs,
  options: KubernetesStoreOptions,
  parent: pulumi.ComponentResource,
): KubernetesDynamoDbEndpoint {
  const namespace = options.namespace ?? "default";
  const t = options.transform ?? {};
  const endpoint = `http://${name}.${namespace}.svc.cluster.local:${DYNAMODB_PORT}`;
  const secretName = `${name}-credentials`;
  // dynamodb-local checks no credentials; the SDK still wants a pair, kept in a Secret like any other.
  const credentials = new k8s.core.v1.Secret(
    ...transform(
      t.secret,
      secretName,
      {
        metadata: { name: secretName, namespace, labels: appLabels(name, "database") },
        type: "Opaque",
        stringData: { "access-key-id": "dynamodb-local", "secret-access-key": "dynamodb-local" },
      },
      { parent },
    ),
  );
  const tmp = scratch("tmp", "/tmp");
  const app = statefulApp(
    {
      name,
      namespace,
      component: "database",
      user: IMAGE_USERS.dynamodbLocal,
      ports: [{ name: "dynamodb", port: DYNAMODB_PORT }],
      storage: { sizeGiB: options.volumeGiB ?? 1, storageClass: options.storageClass },
      clients: [...new Set([...(options.clients ?? []), DYNAMODB_TABLES_APP])],
      monitoringNamespace: options.monitoringNamespace ?? "monitoring",
      volumes: [tmp.volume],
      containers: [
        {
          name: "dynamodb-local",
          image: IMAGES.dynamodbLocal,
          workingDir: "/home/dynamodblocal",
          command: ["java"],
          args: [
            "-Djava.io.tmpdir=/tmp",
            "-jar",
            "DynamoDBLocal.jar",
            "-sharedDb",
            "-dbPath",
            "/home/dynamodblocal/data",
            "-port",
            String(DYNAMODB_PORT),
          ],
          ports: [{ name: "dynamodb", containerPort: DYNAMODB_PORT, protocol: "TCP" }],
          readinessProbe: { tcpSocket: { port: "dynamodb" }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: "dynamodb" }, periodSeconds: 20, failureThreshold: 6 },
          resources: resourcesOf(options.resources ?? { cpu: 250, memory: 512 }),
          securityContext: restrictedContainerSecurity(IMAGE_USERS.dynamodbLocal),
          volumeMounts: [{ name: "data", mountPath: "/home/dynamodblocal/data" }, tmp.mount],
        },
      ],
      transform: t,
    },
    parent,
  );
  clientEgressPolicy(DYNAMODB_TABLES_APP, name, DYNAMODB_PORT, namespace, parent);
  const labels = appLabels(DYNAMODB_TABLES_APP, "provisioning");
  new k8s.batch.v1.Job(
    ...transform(
      t.job,
      `${name}-tables`,
      {
        metadata: { namespace, labels },
        spec: {
          backoffLimit: 6,
          activeDeadlineSeconds: 600,
          ttlSecondsAfterFinished: 3600,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: "OnFailure",
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: restrictedPodSecurity(IMAGE_USERS.awsCli),
              volumes: [tmp.volume],
              containers: [
                {
                  name: "create-tables",
                  image: IMAGES.awsCli,
                  command: [
                    "sh",
                    "-c",
                    createTablesScript(endpoint, args.tables, args.billingMode ?? "PROVISIONED"),
                  ],
                  env: [
                    { name: "AWS_REGION", value: "us-east-1" },
                    { name: "HOME", value: "/tmp" },
                    {
                      name: "AWS_ACCESS_KEY_ID",
                      valueFrom: { secretKeyRef: { name: secretName, key: "access-key-id" } },
                    },
                    {
                      name: "AWS_SECRET_ACCESS_KEY",
                      valueFrom: { secretKeyRef: { name: secretName, key: "secret-access-key" } },
                    },
                  ],
                  resources: resourcesOf({ cpu: 200, memory: 256 }, { cpu: 50, memory: 128 }),
                  securityContext: restrictedContainerSecurity(IMAGE_USERS.awsCli),
                  volumeMounts: [tmp.mount],
                },
              ],
            },
          },
        },
      },
      { parent, dependsOn: [credentials, app.statefulSet, app.service] },
    ),
  );
  return {
    endpoint,
    accessKeyId: { name: secretName, key: "access-key-id" },
    secretAccessKey: { name: secretName, key: "secret-access-key" },
    tables: args.tables.map((t) => t.name),
  };
}
