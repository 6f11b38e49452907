/**
 * Every third-party image the kubernetes realization runs, pinned to a version (never `latest`),
 * in one place so an upgrade is one edit. Docker official images come from ECR Public's mirror
 * (no Docker Hub rate limits).
 */
export const IMAGES = {
  mariadb: "public.ecr.aws/docker/library/mariadb:11.4.4",
  redis: "public.ecr.aws/docker/library/redis:7.4.1-alpine",
  dynamodbLocal: "public.ecr.aws/aws-dynamodb-local/aws-dynamodb-local:2.5.3",
  activemq: "docker.io/apache/activemq-classic:5.18.6",
  awsCli: "public.ecr.aws/aws-cli/aws-cli:2.22.10",
  mysqldExporter: "quay.io/prometheus/mysqld-exporter:v0.16.0",
  redisExporter: "quay.io/oliver006/redis_exporter:v1.66.0",
  // Bitnami's versioned images live on in its legacy repository since its free catalog moved (2025).
  // Runs the standalone exporter: `java -jar .../jmx_prometheus_standalone.jar <port> <config>`.
  jmxExporter: "docker.io/bitnamilegacy/jmx-exporter:1.0.1",
} as const;

/** The non-root uid each image runs as. */
export const IMAGE_USERS = {
  mariadb: 999,
  redis: 999,
  dynamodbLocal: 1000,
  activemq: 1000,
  awsCli: 1000,
  exporter: 65534,
} as const;

/** Helm charts, pinned. */
export const CHARTS = {
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    version: "66.3.1",
    repo: "https://prometheus-community.github.io/helm-charts",
  },
  prometheusAdapter: {
    chart: "prometheus-adapter",
    version: "4.11.0",
    repo: "https://prometheus-community.github.io/helm-charts",
  },
  loki: { chart: "loki", version: "6.22.0", repo: "https://grafana.github.io/helm-charts" },
  promtail: { chart: "promtail", version: "6.16.6", repo: "https://grafana.github.io/helm-charts" },
} as const;
