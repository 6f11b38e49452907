import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import {
  appLabels,
  resourcesOf,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  scratch,
} from "../shared/kubernetes";
import { IMAGE_USERS, IMAGES } from "../shared/kubernetes-images";
import { clientEgressPolicy, statefulApp } from "../shared/kubernetes-stateful";
import { type Transform, transform } from "../shared/transform";
import type { MysqlArgs } from "./args";
import type { KubernetesMysqlEndpoint, KubernetesStoreOptions } from "./kubernetes";
import { mysqlBackup } from "./kubernetes-mysql-backup";

export const MYSQL_PORT = 3306;
export const MYSQLD_EXPORTER_PORT = 9104;
/** Where the server's certificate, key and CA are mounted. */
const TLS_DIR = "/etc/mysql/tls";
/** App names of the platform's own MySQL clients (admitted by the store's NetworkPolicy). */
export const MYSQL_PROVISION_APP = "mysql-provision";

/** Keys of the credentials Secret. */
export const MYSQL_SECRET_KEYS = {
  app: "password",
  root: "root-password",
  exporter: "exporter-password",
  backup: "backup-password",
} as const;

/**
 * Hooks for the MySQL store's own children, beside the stateful app's (`statefulSet`, `service`,
 * `networkPolicy`) and the credentials `secret`, provisioning `job` and backup `cronJob`.
 */
export interface KubernetesMysqlTransforms {
  /** The four generated passwords (`<name>-app`, `-root`, `-exporter`, `-backup`). */
  password?: Transform<random.RandomPasswordArgs>;
  /** The CA's and the server's keys (`<name>-ca`, `<name>-server`). */
  privateKey?: Transform<tls.PrivateKeyArgs>;
  /** The self-signed CA certificate. */
  caCert?: Transform<tls.SelfSignedCertArgs>;
  /** The server certificate's signing request (its subject and DNS names). */
  certRequest?: Transform<tls.CertRequestArgs>;
  /** The server certificate the CA signs. */
  serverCert?: Transform<tls.LocallySignedCertArgs>;
  /** The `kubernetes.io/tls` Secret `<name>-tls` mounted by the server. */
  tlsSecret?: Transform<k8s.core.v1.SecretArgs>;
  /** The ConfigMap `<name>-ca` holding `ca.crt` for verify-identity clients. */
  configMap?: Transform<k8s.core.v1.ConfigMapArgs>;
}

/** SQL that creates each database, grants it to the app user, and (re)creates the exporter and backup users. */
export function provisioningSql(databases: string[], username: string): string {
  for (const db of databases)
    if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(db))
      throw new Error(`database name ${JSON.stringify(db)} is not valid`);
  return [
    ...databases.flatMap((db) => [
      `CREATE DATABASE IF NOT EXISTS \`${db}\`;`,
      `GRANT ALL PRIVILEGES ON \`${db}\`.* TO '${username}'@'%';`,
    ]),
    // Passwords are letters and digits only (RandomPassword without specials): safe inside quotes.
    "CREATE USER IF NOT EXISTS 'exporter'@'%' IDENTIFIED BY '$EXPORTER_PASSWORD' WITH MAX_USER_CONNECTIONS 3;",
    "ALTER USER 'exporter'@'%' IDENTIFIED BY '$EXPORTER_PASSWORD';",
    "GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO 'exporter'@'%';",
    "CREATE USER IF NOT EXISTS 'backup'@'%' IDENTIFIED BY '$BACKUP_PASSWORD';",
    "ALTER USER 'backup'@'%' IDENTIFIED BY '$BACKUP_PASSWORD';",
    "GRANT SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT, RELOAD ON *.* TO 'backup'@'%';",
  ].join("\n");
}

/** MariaDB with TLS from a generated CA, its exporter, a provisioning Job and an optional backup. */
export function kubernetesMysql(
  name: string,
  args: MysqlArgs,
  options: KubernetesStoreOptions,
  parent: pulumi.ComponentResource,
): KubernetesMysqlEndpoint {
  const namespace = options.namespace ?? "default";
  const t: NonNullable<KubernetesStoreOptions["transform"]> & KubernetesMysqlTransforms =
    options.transform ?? {};
  const username = args.username ?? "battleready";
  const host = `${name}.${namespace}.svc.cluster.local`;
  const labels = appLabels(name, "database");
  const secretName = `${name}-credentials`;
  const passwords = Object.fromEntries(
    Object.entries(MYSQL_SECRET_KEYS).map(([role, key]) => [
      key,
      new random.RandomPassword(
        ...transform(t.password, `${name}-${role}`, { length: 32, special: false }, { parent }),
      ).result,
    ]),
  );
  const credentials = new k8s.core.v1.Secret(
    ...transform(
      t.secret,
      secretName,
      {
        metadata: { name: secretName, namespace, labels },
        type: "Opaque",
        stringData: { ...passwords, username },
      },
      { parent },
    ),
  );
  const ref = (key: string) => ({ name: secretName, key });

  // TLS: a CA generated in state (its key a secret), and a server certificate for the Service's names.
  const privateKey = (key: string) =>
    new tls.PrivateKey(
      ...transform(t.privateKey, `${name}-${key}`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent }),
    );
  const caKey = privateKey("ca");
  const ca = new tls.SelfSignedCert(
    ...transform(
      t.caCert,
      `${name}-ca`,
      {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        validityPeriodHours: 24 * 365 * 5,
        allowedUses: ["cert_signing", "crl_signing"],
        subject: { commonName: `battle-ready ${name} CA`, organization: "battle-ready" },
      },
      { parent },
    ),
  );
  const serverKey = privateKey("server");
  const request = new tls.CertRequest(
    ...transform(
      t.certRequest,
      `${name}-server`,
      {
        privateKeyPem: serverKey.privateKeyPem,
        subject: { commonName: host },
        dnsNames: [host, `${name}.${namespace}.svc`, `${name}.${namespace}`, name],
      },
      { parent },
    ),
  );
  const serverCert = new tls.LocallySignedCert(
    ...transform(
      t.serverCert,
      `${name}-server`,
      {
        certRequestPem: request.certRequestPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        caCertPem: ca.certPem,
        validityPeriodHours: 24 * 365,
        earlyRenewalHours: 24 * 30,
        allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
      },
      { parent },
    ),
  );
  const tlsSecret = new k8s.core.v1.Secret(
    ...transform(
      t.tlsSecret,
      `${name}-tls`,
      {
        metadata: { name: `${name}-tls`, namespace, labels },
        type: "kubernetes.io/tls",
        stringData: {
          "tls.crt": serverCert.certPem,
          "tls.key": pulumi.secret(serverKey.privateKeyPem),
          "ca.crt": ca.certPem,
        },
      },
      { parent },
    ),
  );
  const caConfigMap = new k8s.core.v1.ConfigMap(
    ...transform(
      t.configMap,
      `${name}-ca`,
      { metadata: { name: `${name}-ca`, namespace, labels }, data: { "ca.crt": ca.certPem } },
      { parent },
    ),
  );

  const tmp = scratch("tmp", "/tmp");
  const run = scratch("run", "/run/mysqld", "16Mi");
  const size = options.resources ?? { cpu: 500, memory: 512 };
  const app = statefulApp(
    {
      name,
      namespace,
      component: "database",
      user: IMAGE_USERS.mariadb,
      ports: [
        { name: "mysql", port: MYSQL_PORT },
        { name: "metrics", port: MYSQLD_EXPORTER_PORT },
      ],
      storage: {
        sizeGiB: options.volumeGiB ?? args.allocatedStorageGiB ?? 20,
        storageClass: options.storageClass,
      },
      clients: [...new Set([...(options.clients ?? []), MYSQL_PROVISION_APP, ...backupApps(options)])],
      monitoringNamespace: options.monitoringNamespace ?? "monitoring",
      // A new certificate rolls the pod, so the server loads it.
      podAnnotations: { "battle-ready/tls-serial": serverCert.id },
      volumes: [
        tmp.volume,
        run.volume,
        { name: "tls", secret: { secretName: tlsSecret.metadata.name, defaultMode: 0o440 } },
      ],
      containers: [
        {
          name: "mariadb",
          image: IMAGES.mariadb,
          args: [
            `--ssl-cert=${TLS_DIR}/tls.crt`,
            `--ssl-key=${TLS_DIR}/tls.key`,
            `--ssl-ca=${TLS_DIR}/ca.crt`,
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
            "--max-connections=200",
            "--skip-name-resolve",
          ],
          env: [
            { name: "MARIADB_ROOT_PASSWORD", valueFrom: { secretKeyRef: ref(MYSQL_SECRET_KEYS.root) } },
            { name: "MARIADB_USER", value: username },
            { name: "MARIADB_PASSWORD", valueFrom: { secretKeyRef: ref(MYSQL_SECRET_KEYS.app) } },
            { name: "MARIADB_AUTO_UPGRADE", value: "1" },
          ],
          ports: [{ name: "mysql", containerPort: MYSQL_PORT, protocol: "TCP" }],
          startupProbe: { tcpSocket: { port: "mysql" }, periodSeconds: 5, failureThreshold: 60 },
          readinessProbe: { tcpSocket: { port: "mysql" }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: "mysql" }, periodSeconds: 20, failureThreshold: 6 },
          resources: resourcesOf(size),
          securityContext: restrictedContainerSecurity(IMAGE_USERS.mariadb),
          volumeMounts: [
            { name: "data", mountPath: "/var/lib/mysql" },
            { name: "tls", mountPath: TLS_DIR, readOnly: true },
            tmp.mount,
            run.mount,
          ],
        },
        {
          name: "exporter",
          image: IMAGES.mysqldExporter,
          args: [`--mysqld.address=127.0.0.1:${MYSQL_PORT}`, "--mysqld.username=exporter"],
          env: [
            {
              name: "MYSQLD_EXPORTER_PASSWORD",
              valueFrom: { secretKeyRef: ref(MYSQL_SECRET_KEYS.exporter) },
            },
          ],
          ports: [{ name: "metrics", containerPort: MYSQLD_EXPORTER_PORT, protocol: "TCP" }],
          readinessProbe: { httpGet: { path: "/metrics", port: "metrics" }, periodSeconds: 30 },
          livenessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 30 },
          resources: resourcesOf({ cpu: 100, memory: 64 }, { cpu: 20, memory: 32 }),
          securityContext: restrictedContainerSecurity(IMAGE_USERS.exporter),
        },
      ],
      transform: t,
    },
    parent,
  );
  clientEgressPolicy(MYSQL_PROVISION_APP, name, MYSQL_PORT, namespace, parent);
  const provisionLabels = appLabels(MYSQL_PROVISION_APP, "provisioning");
  new k8s.batch.v1.Job(
    ...transform(
      t.job,
      `${name}-provision`,
      {
        metadata: { namespace, labels: provisionLabels },
        spec: {
          backoffLimit: 6,
          activeDeadlineSeconds: 900,
          ttlSecondsAfterFinished: 3600,
          template: {
            metadata: { labels: provisionLabels },
            spec: {
              restartPolicy: "OnFailure",
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: restrictedPodSecurity(IMAGE_USERS.mariadb),
              volumes: [{ name: "ca", configMap: { name: caConfigMap.metadata.name } }, tmp.volume],
              containers: [
                {
                  name: "provision",
                  image: IMAGES.mariadb,
                  command: ["sh", "-c"],
                  args: [
                    [
                      "set -eu",
                      `client="mariadb --host=${host} --port=${MYSQL_PORT} --user=root --ssl-ca=/etc/mysql-ca/ca.crt --ssl-verify-server-cert"`,
                      // Wait for the server (the Job's deadline bounds this), then apply the idempotent SQL.
                      'until $client --execute="SELECT 1" >/dev/null 2>&1; do echo waiting for the server; sleep 5; done',
                      // Unquoted heredoc: the passwords expand; the identifiers' backquotes are escaped.
                      `$client <<SQL\n${provisioningSql(args.databases ?? [], username).replaceAll("`", "\\`")}\nSQL`,
                      "echo provisioned",
                    ].join("\n"),
                  ],
                  env: [
                    { name: "MYSQL_PWD", valueFrom: { secretKeyRef: ref(MYSQL_SECRET_KEYS.root) } },
                    {
                      name: "EXPORTER_PASSWORD",
                      valueFrom: { secretKeyRef: ref(MYSQL_SECRET_KEYS.exporter) },
                    },
                    { name: "BACKUP_PASSWORD", valueFrom: { secretKeyRef: ref(MYSQL_SECRET_KEYS.backup) } },
                  ],
                  resources: resourcesOf({ cpu: 100, memory: 128 }, { cpu: 50, memory: 64 }),
                  securityContext: restrictedContainerSecurity(IMAGE_USERS.mariadb),
                  volumeMounts: [{ name: "ca", mountPath: "/etc/mysql-ca", readOnly: true }, tmp.mount],
                },
              ],
            },
          },
        },
      },
      { parent, dependsOn: [credentials, app.service, app.statefulSet] },
    ),
  );

  if (options.backup)
    mysqlBackup(
      name,
      {
        namespace,
        host,
        port: MYSQL_PORT,
        credentialsSecret: secretName,
        caConfigMap: caConfigMap.metadata.name,
        databases: args.databases ?? [],
        backup: options.backup,
        transform: t,
      },
      parent,
    );

  return {
    host,
    port: MYSQL_PORT,
    username,
    password: ref(MYSQL_SECRET_KEYS.app),
    caConfigMap: caConfigMap.metadata.name,
    rootPassword: ref(MYSQL_SECRET_KEYS.root),
  };
}

function backupApps(options: KubernetesStoreOptions): string[] {
  return options.backup ? ["mysql-backup", "mysql-restore"] : [];
}
