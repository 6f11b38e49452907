import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import {
  appLabels,
  DNS_EGRESS,
  podsOf,
  resourcesOf,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  scratch,
} from "../shared/kubernetes";
import { IMAGE_USERS, IMAGES } from "../shared/kubernetes-images";
import { type Transform, transform } from "../shared/transform";

export interface MysqlBackupOptions {
  /** Name of the bucket the dumps go to, under `mysql/` (it goes into the Jobs' scripts). Expiry is the bucket's lifecycle rule. */
  bucket: string;
  /** Kubernetes cron syntax (UTC). @default "0 3 * * *" */
  schedule?: string;
  /** S3-compatible endpoint as pods reach it (LocalStack); its fixed test credentials are used. @default AWS S3 */
  endpoint?: string;
  /** AWS region of the bucket. @default "us-east-1" */
  region?: string;
  /** IAM role for the backup ServiceAccount (EKS IRSA), used with AWS S3. @default none */
  roleArn?: string;
}

export const BACKUP_APP = "mysql-backup";
export const RESTORE_APP = "mysql-restore";
/** A restore is run by hand from this suspended CronJob: `kubectl create job --from=cronjob/mysql-restore ...`. */
export const RESTORE_TEMPLATE_SCHEDULE = "0 0 31 2 *";
/** Optional ConfigMap naming the object to restore (key `object`); without it the newest dump is restored. */
export const RESTORE_TARGET_CONFIGMAP = "mysql-restore-target";

/** The shell of the dump step: a consistent, compressed, checksummed dump of the catalog's databases. */
export function dumpScript(host: string, port: number, databases: string[]): string {
  return [
    "set -eu",
    "stamp=$(date -u +%Y-%m-%dT%H%M%SZ)",
    `mariadb-dump --host=${host} --port=${port} --user=backup --ssl-ca=/etc/mysql-ca/ca.crt --ssl-verify-server-cert \\`,
    `  --single-transaction --routines --triggers --events --databases ${databases.join(" ")} \\`,
    '  | gzip -6 > "/backup/$stamp.sql.gz"',
    'gzip -t "/backup/$stamp.sql.gz"',
    'sha256sum "/backup/$stamp.sql.gz" | cut -d" " -f1 > "/backup/$stamp.sql.gz.sha256"',
    'echo "$stamp" > /backup/name',
    'echo "dumped $(wc -c < "/backup/$stamp.sql.gz") bytes"',
  ].join("\n");
}

/** The shell of the upload step (AWS CLI): dump, then its checksum (a dump without one is incomplete). */
export function uploadScript(bucket: string, endpoint?: string): string {
  const s3 = `aws s3${endpoint ? ` --endpoint-url ${endpoint}` : ""}`;
  return [
    "set -eu",
    "stamp=$(cat /backup/name)",
    `${s3} cp "/backup/$stamp.sql.gz" "s3://${bucket}/mysql/$stamp.sql.gz"`,
    `${s3} cp "/backup/$stamp.sql.gz.sha256" "s3://${bucket}/mysql/$stamp.sql.gz.sha256"`,
    'echo "uploaded mysql/$stamp.sql.gz"',
  ].join("\n");
}

/** The shell of the restore's download step: the named object, or the newest dump; checksum verified. */
export function downloadScript(bucket: string, endpoint?: string): string {
  const s3 = `aws s3${endpoint ? ` --endpoint-url ${endpoint}` : ""}`;
  return [
    // Not -u: RESTORE_OBJECT is unset when the optional ConfigMap does not exist.
    "set -e",
    'object="$RESTORE_OBJECT"',
    `[ -n "$object" ] || object="mysql/$(${s3} ls "s3://${bucket}/mysql/" | awk '{print $4}' | grep '\\.sql\\.gz$' | sort | tail -n 1)"`,
    '[ "$object" != "mysql/" ] || { echo "no dump in the bucket" >&2; exit 1; }',
    `${s3} cp "s3://${bucket}/$object" /backup/dump.sql.gz`,
    `${s3} cp "s3://${bucket}/$object.sha256" /backup/dump.sql.gz.sha256`,
    'echo "$(cat /backup/dump.sql.gz.sha256)  /backup/dump.sql.gz" | sha256sum -c -',
    'echo "downloaded $object"',
  ].join("\n");
}

interface BackupSpec {
  namespace: string;
  host: string;
  port: number;
  credentialsSecret: string;
  caConfigMap: pulumi.Input<string>;
  databases: string[];
  backup: MysqlBackupOptions;
  transform: { cronJob?: Transform<k8s.batch.v1.CronJobArgs>; secret?: Transform<k8s.core.v1.SecretArgs> };
}

/**
 * The nightly backup CronJob (dump → S3, `concurrencyPolicy: Forbid`), and the restore as a
 * suspended CronJob used as a Job template, with their ServiceAccount, S3 credentials (LocalStack)
 * and NetworkPolicy (MySQL, DNS, and S3 over HTTPS or the endpoint's port).
 */
export function mysqlBackup(name: string, spec: BackupSpec, parent: pulumi.Resource): void {
  const { namespace, backup } = spec;
  const region = backup.region ?? "us-east-1";
  const account = new k8s.core.v1.ServiceAccount(
    `${name}-backup`,
    {
      metadata: {
        name: `${name}-backup`,
        namespace,
        labels: appLabels(BACKUP_APP, "backup"),
        annotations: backup.roleArn ? { "eks.amazonaws.com/role-arn": backup.roleArn } : undefined,
      },
      automountServiceAccountToken: false,
    },
    { parent },
  );
  // LocalStack accepts any credentials; the pair still goes through a Secret, never a literal env value.
  const s3Secret = backup.endpoint
    ? new k8s.core.v1.Secret(
        ...transform(
          spec.transform.secret,
          `${name}-backup-s3`,
          {
            metadata: { name: `${name}-backup-s3`, namespace, labels: appLabels(BACKUP_APP, "backup") },
            type: "Opaque",
            stringData: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
          },
          { parent },
        ),
      )
    : undefined;
  const s3Env: k8s.types.input.core.v1.EnvVar[] = [
    { name: "AWS_REGION", value: region },
    { name: "HOME", value: "/tmp" },
    ...(s3Secret
      ? ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].map((key) => ({
          name: key,
          valueFrom: { secretKeyRef: { name: `${name}-backup-s3`, key } },
        }))
      : []),
  ];
  const workdir = scratch("backup", "/backup", "2Gi");
  const tmp = scratch("tmp", "/tmp");
  const ca = { name: "ca", configMap: { name: spec.caConfigMap } };
  const caMount = { name: "ca", mountPath: "/etc/mysql-ca", readOnly: true };
  const bucket = backup.bucket;
  const podSpec = (
    app: string,
    first: k8s.types.input.core.v1.Container,
    second: k8s.types.input.core.v1.Container,
  ): k8s.types.input.core.v1.PodTemplateSpec => ({
    metadata: { labels: appLabels(app, "backup") },
    spec: {
      restartPolicy: "Never",
      serviceAccountName: account.metadata.name,
      automountServiceAccountToken: Boolean(backup.roleArn),
      enableServiceLinks: false,
      securityContext: restrictedPodSecurity(IMAGE_USERS.mariadb),
      volumes: [workdir.volume, tmp.volume, ca],
      initContainers: [first],
      containers: [second],
    },
  });
  const small = resourcesOf({ cpu: 500, memory: 256 }, { cpu: 100, memory: 128 });
  const mysqlStep = (
    stepName: string,
    script: string,
    passwordKey: string,
  ): k8s.types.input.core.v1.Container => ({
    name: stepName,
    image: IMAGES.mariadb,
    command: ["sh", "-c", script],
    env: [
      { name: "MYSQL_PWD", valueFrom: { secretKeyRef: { name: spec.credentialsSecret, key: passwordKey } } },
    ],
    resources: small,
    securityContext: restrictedContainerSecurity(IMAGE_USERS.mariadb),
    volumeMounts: [workdir.mount, tmp.mount, caMount],
  });
  const s3Step = (stepName: string, script: string, extraEnv: k8s.types.input.core.v1.EnvVar[] = []) => ({
    name: stepName,
    image: IMAGES.awsCli,
    command: ["sh", "-c", script],
    env: [...s3Env, ...extraEnv],
    resources: small,
    securityContext: restrictedContainerSecurity(IMAGE_USERS.mariadb),
    volumeMounts: [workdir.mount, tmp.mount],
  });

  const jobSpec = (template: k8s.types.input.core.v1.PodTemplateSpec) => ({
    backoffLimit: 2,
    activeDeadlineSeconds: 3600,
    ttlSecondsAfterFinished: 7 * 86400,
    template,
  });
  new k8s.batch.v1.CronJob(
    ...transform(
      spec.transform.cronJob,
      `${name}-backup`,
      {
        metadata: { name: `${name}-backup`, namespace, labels: appLabels(BACKUP_APP, "backup") },
        spec: {
          schedule: backup.schedule ?? "0 3 * * *",
          timeZone: "Etc/UTC",
          concurrencyPolicy: "Forbid",
          startingDeadlineSeconds: 3600,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels: appLabels(BACKUP_APP, "backup") },
            spec: jobSpec(
              podSpec(
                BACKUP_APP,
                mysqlStep("dump", dumpScript(spec.host, spec.port, spec.databases), "backup-password"),
                s3Step("upload", uploadScript(bucket, backup.endpoint)),
              ),
            ),
          },
        },
      },
      { parent },
    ),
  );
  new k8s.batch.v1.CronJob(
    ...transform(
      spec.transform.cronJob,
      `${name}-restore`,
      {
        metadata: {
          name: `${name}-restore`,
          namespace,
          labels: appLabels(RESTORE_APP, "backup"),
          annotations: {
            "battle-ready/usage": `kubectl -n ${namespace} create job --from=cronjob/${name}-restore ${name}-restore-$(date +%s)`,
          },
        },
        spec: {
          schedule: RESTORE_TEMPLATE_SCHEDULE,
          suspend: true,
          concurrencyPolicy: "Forbid",
          jobTemplate: {
            metadata: { labels: appLabels(RESTORE_APP, "backup") },
            spec: jobSpec(
              podSpec(
                RESTORE_APP,
                s3Step("download", downloadScript(bucket, backup.endpoint), [
                  {
                    name: "RESTORE_OBJECT",
                    valueFrom: {
                      configMapKeyRef: { name: RESTORE_TARGET_CONFIGMAP, key: "object", optional: true },
                    },
                  },
                ]),
                mysqlStep(
                  "restore",
                  [
                    "set -eu",
                    `gunzip -c /backup/dump.sql.gz | mariadb --host=${spec.host} --port=${spec.port} --user=root --ssl-ca=/etc/mysql-ca/ca.crt --ssl-verify-server-cert`,
                    "echo restored",
                  ].join("\n"),
                  "root-password",
                ),
              ),
            ),
          },
        },
      },
      { parent },
    ),
  );

  const s3Port = backup.endpoint ? Number(new URL(backup.endpoint).port || 80) : 443;
  new k8s.networking.v1.NetworkPolicy(
    `${name}-backup`,
    {
      metadata: { name: `${name}-backup`, namespace, labels: appLabels(BACKUP_APP, "backup") },
      spec: {
        podSelector: {
          matchExpressions: [
            { key: "app.kubernetes.io/name", operator: "In", values: [BACKUP_APP, RESTORE_APP] },
          ],
        },
        policyTypes: ["Ingress", "Egress"],
        ingress: [],
        egress: [
          DNS_EGRESS,
          { to: [podsOf(name)], ports: [{ protocol: "TCP", port: spec.port }] },
          // S3 outside the cluster, or LocalStack in another namespace (ipBlock may not cover pod IPs): the one port.
          {
            to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { namespaceSelector: {} }],
            ports: [{ protocol: "TCP", port: s3Port }],
          },
        ],
      },
    },
    { parent },
  );
}
