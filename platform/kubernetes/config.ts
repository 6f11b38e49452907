/**
 * The stack settings only the kubernetes realization reads. They live in the same `battle-ready:`
 * namespace (and Pulumi.yaml's schema) as the rest, prefixed `k8s`; sizes, scaling, log level and
 * retention come from the shared keys.
 */

export const KUBERNETES_CONFIG_DEFAULTS = {
  k8sNamespace: "battle-ready",
  k8sMonitoringNamespace: "monitoring",
  k8sStorageClass: "",
  k8sVolumeGiB: 5,
  k8sIngressClass: "nginx",
  k8sIngressNamespace: "ingress-nginx",
  k8sIngressHost: "",
  k8sImageRegistry: "",
  k8sBackupBucket: "battle-ready-mysql-backups",
  k8sBackupSchedule: "0 3 * * *",
  k8sBackupEndpoint: "",
  k8sBackupRoleArn: "",
};

export type KubernetesConfigKey = keyof typeof KUBERNETES_CONFIG_DEFAULTS;

export interface KubernetesConfig {
  /** Namespace of the services, data stores and broker. */
  namespace: string;
  /** Namespace of kube-prometheus-stack, Loki and the log shipper. */
  monitoringNamespace: string;
  /** StorageClass of every PersistentVolumeClaim; undefined takes the cluster's default. */
  storageClass?: string;
  /** Size of each data store's volume. */
  volumeGiB: number;
  ingressClass: string;
  /** Namespace of the ingress controller (its pods may reach public services). */
  ingressNamespace: string;
  /** Host the Ingresses answer; undefined answers any host. */
  ingressHost?: string;
  /** Prefix of every image (`registry:5000/`); empty for images loaded into the cluster's nodes. */
  imageRegistry: string;
  backup: {
    bucket: string;
    /** Kubernetes cron syntax, in the controller's time zone (UTC). */
    schedule: string;
    /** S3-compatible endpoint as seen from inside the cluster (LocalStack); undefined for AWS S3. */
    endpoint?: string;
    /** IAM role the backup ServiceAccount assumes (EKS IRSA); undefined with LocalStack. */
    roleArn?: string;
  };
}

/** Parses the `k8s*` keys (raw strings as the engine passes them); throws naming the bad key. */
export function parseKubernetesConfig(read: (key: string) => string | undefined): KubernetesConfig {
  const fail = (key: KubernetesConfigKey, problem: string): never => {
    throw new Error(`config battle-ready:${key}: ${problem}`);
  };
  const str = (key: KubernetesConfigKey): string => {
    const value = read(key);
    return value === undefined || value === "" ? String(KUBERNETES_CONFIG_DEFAULTS[key]) : value;
  };
  const optional = (key: KubernetesConfigKey): string | undefined => str(key) || undefined;
  const dnsLabel = (key: KubernetesConfigKey): string => {
    const value = str(key);
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(value))
      fail(key, `must be a DNS label such as battle-ready (got ${JSON.stringify(value)})`);
    return value;
  };

  const volume = str("k8sVolumeGiB");
  if (!/^\d+$/.test(volume) || Number(volume) < 1 || Number(volume) > 16384)
    fail("k8sVolumeGiB", `must be an integer from 1 to 16384 (got ${JSON.stringify(volume)})`);
  const schedule = str("k8sBackupSchedule");
  if (schedule.trim().split(/\s+/).length !== 5)
    fail("k8sBackupSchedule", `must be a 5-field cron expression such as "0 3 * * *" (got ${schedule})`);
  const endpoint = optional("k8sBackupEndpoint");
  if (endpoint && !/^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(endpoint))
    fail("k8sBackupEndpoint", `must be a base URL (got ${JSON.stringify(endpoint)})`);
  const registry = str("k8sImageRegistry");
  if (registry && !registry.endsWith("/"))
    fail("k8sImageRegistry", `must end with / (got ${JSON.stringify(registry)})`);
  const bucket = str("k8sBackupBucket");
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    fail("k8sBackupBucket", `must be an S3 bucket name (got ${JSON.stringify(bucket)})`);

  return {
    namespace: dnsLabel("k8sNamespace"),
    monitoringNamespace: dnsLabel("k8sMonitoringNamespace"),
    storageClass: optional("k8sStorageClass"),
    volumeGiB: Number(volume),
    ingressClass: str("k8sIngressClass"),
    ingressNamespace: dnsLabel("k8sIngressNamespace"),
    ingressHost: optional("k8sIngressHost"),
    imageRegistry: registry,
    backup: { bucket, schedule, endpoint, roleArn: optional("k8sBackupRoleArn") },
  };
}
