/**
 * The one set of alert definitions. The local Prometheus rules and the Kubernetes PrometheusRules
 * are rendered from `prometheus`; the CloudWatch alarms of the AWS stacks from `cloudwatch`,
 * wherever an equivalent metric exists. Metric names in `prometheus` are those the service kit
 * and the Debian exporters publish (`http_requests_total`, `mysql_up`, `redis_up`, ...).
 */

export type Severity = "critical" | "warning";

/** What a CloudWatch mapping is evaluated per: one alarm per such resource. */
export type CloudWatchScope =
  | "loadBalancer"
  | "targetGroup"
  | "ecsService"
  | "database"
  | "cache"
  | "queue"
  | "deadLetterQueue"
  | "table"
  | "backupVault";

export type Comparison =
  | "GreaterThanThreshold"
  | "GreaterThanOrEqualToThreshold"
  | "LessThanThreshold"
  | "LessThanOrEqualToThreshold";

/** A threshold relative to the monitored resource's size (known from stack config). */
export interface RelativeThreshold {
  fractionOf: "maxConnections" | "allocatedStorageBytes";
  fraction: number;
}

export interface CloudWatchMapping {
  scope: CloudWatchScope;
  namespace: string;
  /** The metric, or for `ratioOf` the name the ratio is shown under. */
  metricName: string;
  /** `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount` or a percentile such as `p95`. */
  statistic: string;
  /** Alarm on 100 × numerator / denominator (both summed) instead of a single metric. */
  ratioOf?: { numerator: string; denominator: string };
  /** Alarm on the sum of these metrics (each summed) instead of a single metric. */
  sumOf?: string[];
  threshold: number | RelativeThreshold;
  comparison: Comparison;
  periodSeconds: number;
  evaluationPeriods: number;
  /** How periods without data count: `breaching` makes silence an alarm (a stopped database). */
  treatMissingData: "breaching" | "notBreaching" | "missing" | "ignore";
}

/**
 * A definition's CloudWatch mappings are alternatives per resource: each monitored resource gets
 * the first mapping that applies to it (ServiceDown: the target group's healthy hosts for a public
 * service, the running task count for a worker).
 */
export interface AlertDefinition {
  /** PascalCase, unique: the Prometheus `alert` name and part of each alarm's name. */
  id: string;
  summary: string;
  /**
   * What fired, with Prometheus template variables (`{{ $labels.service }}`, `{{ $value }}`):
   * the rendered rule's `description` annotation. Only for alerts with a `prometheus` rule.
   */
  description?: string;
  severity: Severity;
  /** The PromQL rule; absent where nothing local measures it (AWS-only signals). */
  prometheus?: { expr: string; for: string };
  /** CloudWatch equivalents; absent where AWS has none (a process's own metrics). */
  cloudwatch?: CloudWatchMapping[];
}

const ALB = "AWS/ApplicationELB";

/** ActiveMQ's dead-letter queues are named `DLQ.<queue>` (individual dead-letter strategy). */
export function isDeadLetterQueue(queue: string): boolean {
  return queue.startsWith("DLQ.");
}
const FIVE_MINUTES = 300;

export const alertDefinitions: readonly AlertDefinition[] = [
  {
    id: "ServiceDown",
    summary: "A service has no healthy instance",
    description:
      "{{ $labels.job }} target {{ $labels.instance }} ({{ $labels.service }}) has not answered its metrics scrape for 1 minute.",
    severity: "critical",
    prometheus: { expr: 'up{role="service"} == 0', for: "1m" },
    cloudwatch: [
      {
        scope: "targetGroup",
        namespace: ALB,
        metricName: "HealthyHostCount",
        statistic: "Minimum",
        threshold: 1,
        comparison: "LessThanThreshold",
        periodSeconds: 60,
        evaluationPeriods: 2,
        treatMissingData: "breaching",
      },
      {
        scope: "ecsService",
        namespace: "ECS/ContainerInsights",
        metricName: "RunningTaskCount",
        statistic: "Minimum",
        threshold: 1,
        comparison: "LessThanThreshold",
        periodSeconds: 60,
        evaluationPeriods: 3,
        treatMissingData: "breaching",
      },
    ],
  },
  {
    id: "HighErrorRatio",
    summary: "More than 5% of a service's requests fail with 5xx",
    description:
      "{{ $labels.service }} answers {{ $value | humanizePercentage }} of its requests with 5xx (over 5 minutes).",
    severity: "critical",
    prometheus: {
      // Probes and scrapes are left out: a readiness 503 during an outage is not a failed request.
      expr: 'sum by (service) (rate(http_requests_total{status_code=~"5..",route!~"/healthz|/readyz|/metrics"}[5m])) / sum by (service) (rate(http_requests_total{route!~"/healthz|/readyz|/metrics"}[5m])) > 0.05',
      for: "5m",
    },
    cloudwatch: [
      {
        scope: "targetGroup",
        namespace: ALB,
        metricName: "ErrorRatioPercent",
        statistic: "Sum",
        ratioOf: { numerator: "HTTPCode_Target_5XX_Count", denominator: "RequestCount" },
        threshold: 5,
        comparison: "GreaterThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "HighLatencyP95",
    summary: "A service's p95 latency is above 500 ms",
    description: "{{ $labels.service }} p95 latency is {{ $value | humanizeDuration }} (over 5 minutes).",
    severity: "warning",
    prometheus: {
      expr: 'histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{route!~"/healthz|/readyz|/metrics"}[5m]))) > 0.5',
      for: "10m",
    },
    cloudwatch: [
      {
        scope: "targetGroup",
        namespace: ALB,
        metricName: "TargetResponseTime",
        statistic: "p95",
        threshold: 0.5,
        comparison: "GreaterThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 2,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "LoadBalancer5xx",
    summary: "The load balancer itself answers 5xx (no target, or targets unreachable)",
    severity: "warning",
    cloudwatch: [
      {
        scope: "loadBalancer",
        namespace: ALB,
        metricName: "HTTPCode_ELB_5XX_Count",
        statistic: "Sum",
        threshold: 10,
        comparison: "GreaterThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "UnhealthyHosts",
    summary: "A target group has unhealthy targets",
    severity: "warning",
    cloudwatch: [
      {
        scope: "targetGroup",
        namespace: ALB,
        metricName: "UnHealthyHostCount",
        statistic: "Maximum",
        threshold: 0,
        comparison: "GreaterThanThreshold",
        periodSeconds: 60,
        evaluationPeriods: 5,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "ServiceCpuHigh",
    summary: "A service uses more than 85% of its CPU reservation",
    description: "{{ $labels.service }} uses {{ $value | humanizePercentage }} of one CPU.",
    severity: "warning",
    prometheus: { expr: "rate(process_cpu_seconds_total[5m]) > 0.85", for: "15m" },
    cloudwatch: [
      {
        scope: "ecsService",
        namespace: "AWS/ECS",
        metricName: "CPUUtilization",
        statistic: "Average",
        threshold: 85,
        comparison: "GreaterThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 3,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "ServiceMemoryHigh",
    summary: "A service uses more than 90% of its memory",
    severity: "warning",
    cloudwatch: [
      {
        scope: "ecsService",
        namespace: "AWS/ECS",
        metricName: "MemoryUtilization",
        statistic: "Average",
        threshold: 90,
        comparison: "GreaterThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 3,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "QueueDepthGrowing",
    summary: "A queue holds more than 1000 messages",
    description: "Queue {{ $labels.queue }} holds {{ $value }} messages and is still growing.",
    severity: "warning",
    prometheus: { expr: "activemq_queue_size > 1000 and delta(activemq_queue_size[10m]) > 0", for: "10m" },
    cloudwatch: [
      {
        scope: "queue",
        namespace: "AWS/AmazonMQ",
        metricName: "QueueSize",
        statistic: "Maximum",
        threshold: 1000,
        comparison: "GreaterThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 2,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "QueueNoConsumers",
    summary: "A queue has no consumer",
    description: "Queue {{ $labels.queue }} has had no consumer for 5 minutes; messages pile up.",
    severity: "critical",
    prometheus: { expr: "activemq_queue_consumer_count == 0", for: "5m" },
    cloudwatch: [
      {
        scope: "queue",
        namespace: "AWS/AmazonMQ",
        metricName: "ConsumerCount",
        statistic: "Maximum",
        threshold: 1,
        comparison: "LessThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        treatMissingData: "breaching",
      },
    ],
  },
  {
    id: "DeadLettersPresent",
    summary: "Messages reached a dead-letter queue (processing failed for good)",
    severity: "warning",
    description:
      "{{ $value }} messages wait in DLQ.{{ $labels.queue }}: inspect them, fix the cause, then replay or drop them.",
    // Locally ops/exporters/activemq-exporter.ts publishes each queue's DLQ.<queue> depth as activemq_dlq_size{queue}.
    prometheus: { expr: "activemq_dlq_size > 0", for: "1m" },
    cloudwatch: [
      {
        scope: "deadLetterQueue",
        namespace: "AWS/AmazonMQ",
        metricName: "QueueSize",
        statistic: "Maximum",
        threshold: 0,
        comparison: "GreaterThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "DatabaseDown",
    summary: "The MySQL database is unreachable",
    description: "The MySQL exporter ({{ $labels.instance }}) cannot reach the database.",
    severity: "critical",
    prometheus: { expr: "mysql_up == 0", for: "1m" },
    cloudwatch: [
      {
        scope: "database",
        namespace: "AWS/RDS",
        metricName: "CPUUtilization",
        statistic: "SampleCount",
        threshold: 1,
        comparison: "LessThanThreshold",
        periodSeconds: 60,
        evaluationPeriods: 3,
        treatMissingData: "breaching",
      },
    ],
  },
  {
    id: "DatabaseConnectionsNearMax",
    summary: "MySQL connections above 80% of max_connections",
    description: "MySQL uses {{ $value | humanizePercentage }} of max_connections.",
    severity: "warning",
    prometheus: {
      expr: "mysql_global_status_threads_connected / mysql_global_variables_max_connections > 0.8",
      for: "5m",
    },
    cloudwatch: [
      {
        scope: "database",
        namespace: "AWS/RDS",
        metricName: "DatabaseConnections",
        statistic: "Maximum",
        threshold: { fractionOf: "maxConnections", fraction: 0.8 },
        comparison: "GreaterThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "DatabaseFreeStorageLow",
    summary: "MySQL has less than 10% of its storage free",
    description: "Only {{ $value | humanizePercentage }} of the MySQL data volume is free.",
    severity: "warning",
    // Locally the data directory's filesystem: the ops issue feeds this from the runner's disk check.
    prometheus: { expr: "battle_ready_mysql_free_storage_ratio < 0.1", for: "10m" },
    cloudwatch: [
      {
        scope: "database",
        namespace: "AWS/RDS",
        metricName: "FreeStorageSpace",
        statistic: "Minimum",
        threshold: { fractionOf: "allocatedStorageBytes", fraction: 0.1 },
        comparison: "LessThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "DatabaseCpuHigh",
    summary: "The database's CPU is above 80%",
    severity: "warning",
    cloudwatch: [
      {
        scope: "database",
        namespace: "AWS/RDS",
        metricName: "CPUUtilization",
        statistic: "Average",
        threshold: 80,
        comparison: "GreaterThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 3,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "RedisDown",
    summary: "Redis is unreachable",
    description: "The Redis exporter ({{ $labels.instance }}) cannot reach Redis.",
    severity: "critical",
    prometheus: { expr: "redis_up == 0", for: "1m" },
    cloudwatch: [
      {
        scope: "cache",
        namespace: "AWS/ElastiCache",
        metricName: "CPUUtilization",
        statistic: "SampleCount",
        threshold: 1,
        comparison: "LessThanThreshold",
        periodSeconds: 60,
        evaluationPeriods: 3,
        treatMissingData: "breaching",
      },
    ],
  },
  {
    id: "RedisNearMaxMemory",
    summary: "Redis uses more than 90% of maxmemory",
    description: "Redis uses {{ $value | humanizePercentage }} of maxmemory; keys are being evicted.",
    severity: "warning",
    prometheus: {
      // The ratio comes first so the alert's value is the ratio; `and` drops Redis without maxmemory.
      expr: "redis_memory_used_bytes / redis_memory_max_bytes > 0.9 and redis_memory_max_bytes > 0",
      for: "5m",
    },
    cloudwatch: [
      {
        scope: "cache",
        namespace: "AWS/ElastiCache",
        metricName: "DatabaseMemoryUsagePercentage",
        statistic: "Maximum",
        threshold: 90,
        comparison: "GreaterThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 2,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "DynamoDbThrottled",
    summary: "A DynamoDB table throttles requests",
    severity: "warning",
    cloudwatch: [
      {
        scope: "table",
        namespace: "AWS/DynamoDB",
        metricName: "ThrottleEvents",
        statistic: "Sum",
        sumOf: ["ReadThrottleEvents", "WriteThrottleEvents"],
        threshold: 0,
        comparison: "GreaterThanThreshold",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
    ],
  },
  {
    id: "BackupOlderThanRpo",
    summary: "No backup completed within the recovery point objective (24 hours)",
    description: "The last successful {{ $labels.store }} backup is {{ $value | humanizeDuration }} old.",
    severity: "critical",
    prometheus: { expr: "time() - battle_ready_backup_last_success_timestamp_seconds > 86400", for: "5m" },
    cloudwatch: [
      {
        scope: "backupVault",
        namespace: "AWS/Backup",
        metricName: "NumberOfBackupJobsCompleted",
        statistic: "Sum",
        threshold: 1,
        comparison: "LessThanThreshold",
        periodSeconds: 86400,
        evaluationPeriods: 1,
        treatMissingData: "breaching",
      },
    ],
  },
];

/** Checks the definitions' invariants; throws naming the first broken one. */
export function validateAlertDefinitions(definitions: readonly AlertDefinition[]): void {
  const ids = new Set<string>();
  for (const d of definitions) {
    if (!/^[A-Z][A-Za-z0-9]+$/.test(d.id)) throw new Error(`alert ${d.id}: id must be PascalCase`);
    if (ids.has(d.id)) throw new Error(`alert ${d.id}: id is used twice`);
    ids.add(d.id);
    if (!d.prometheus && !d.cloudwatch?.length)
      throw new Error(`alert ${d.id}: needs a prometheus rule or a cloudwatch mapping`);
    for (const m of d.cloudwatch ?? []) {
      if (m.ratioOf && m.sumOf) throw new Error(`alert ${d.id}: a mapping is a ratio or a sum, not both`);
      if (!(m.periodSeconds % 60 === 0 && m.periodSeconds > 0))
        throw new Error(`alert ${d.id}: period must be a multiple of 60 s`);
      if (m.periodSeconds * m.evaluationPeriods > 86400)
        throw new Error(`alert ${d.id}: evaluates over more than a day`);
    }
  }
}

validateAlertDefinitions(alertDefinitions);
