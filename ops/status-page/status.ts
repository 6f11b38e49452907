import type { PrometheusClient, Sample, Series } from "./prometheus-client";

export interface ServiceStatus {
  name: string;
  system: string;
  /** 1 up, 0 down, undefined never scraped. */
  up?: number;
  requestsPerSecond?: number;
  errorRatio?: number;
  p95Seconds?: number;
  rateHistory: [number, number][];
  p95History: [number, number][];
}

export interface QueueStatus {
  queue: string;
  depth?: number;
  consumers?: number;
  deadLetters?: number;
  depthHistory: [number, number][];
}

export interface StoreStatus {
  name: string;
  up?: number;
  details: string[];
}

export interface SystemStatus {
  generatedAt: Date;
  prometheusUrl: string;
  /** What the charts cover. */
  windowSeconds: number;
  services: ServiceStatus[];
  queues: QueueStatus[];
  stores: StoreStatus[];
  alerts: { name: string; severity: string; state: string; summary: string }[];
  error?: string;
}

const NOT_PROBES = 'route!~"/healthz|/readyz|/metrics"';

/** The PromQL behind each figure (also shown on the page, so anyone can rerun them). */
export const QUERIES = {
  up: 'max by (service, system) (up{role="service"})',
  // probes and scrapes left out, as in the alert rules
  rate: `sum by (service) (rate(http_requests_total{${NOT_PROBES}}[1m]))`,
  errorRatio: `sum by (service) (rate(http_requests_total{status_code=~"5..",${NOT_PROBES}}[5m])) / sum by (service) (rate(http_requests_total{${NOT_PROBES}}[5m]))`,
  p95: `histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{${NOT_PROBES}}[5m])))`,
  queueDepth: "activemq_queue_size",
  queueConsumers: "activemq_queue_consumer_count",
  deadLetters: "activemq_dlq_size",
  mysqlUp: "mysql_up",
  mysqlConnections: "mysql_global_status_threads_connected",
  mysqlMaxConnections: "mysql_global_variables_max_connections",
  mysqlFree: "battle_ready_mysql_free_storage_ratio",
  redisUp: "redis_up",
  redisMemory: "redis_memory_used_bytes",
  redisKeys: "sum(redis_db_keys)",
  activemqUp: "activemq_up",
  activemqStore: "activemq_store_percent_usage",
  dynamodbUp: "battle_ready_dynamodb_up",
  // The ops exporter reports 0 for a store never backed up (so the RPO alert fires): no age then.
  backupAge: "time() - (battle_ready_backup_last_success_timestamp_seconds > 0)",
} as const;

const by = (samples: Sample[], label: string) =>
  new Map(samples.map((s) => [s.labels[label] ?? "", s.value]));
const first = (samples: Sample[]) => samples[0]?.value;
const history = (series: Series[], label: string, value: string) =>
  series.find((s) => s.labels[label] === value)?.points ?? [];

function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/** Everything on the page, from Prometheus only. `services` lists every service expected. */
export async function collectStatus(
  prometheus: PrometheusClient,
  services: readonly { name: string; system: string }[],
  windowSeconds = 1800,
): Promise<SystemStatus> {
  const step = Math.max(5, Math.round(windowSeconds / 120));
  const q = (promql: string) => prometheus.query(promql);
  try {
    const [up, rate, errors, p95, depth, consumers, dlq, rateRange, p95Range, depthRange, alerts] =
      await Promise.all([
        q(QUERIES.up),
        q(QUERIES.rate),
        q(QUERIES.errorRatio),
        q(QUERIES.p95),
        q(QUERIES.queueDepth),
        q(QUERIES.queueConsumers),
        q(QUERIES.deadLetters),
        prometheus.range(QUERIES.rate, windowSeconds, step),
        prometheus.range(QUERIES.p95, windowSeconds, step),
        prometheus.range(QUERIES.queueDepth, windowSeconds, step),
        prometheus.firingAlerts(),
      ]);
    const [mysqlUp, conns, maxConns, free, redisUp, redisMem, redisKeys, mqUp, mqStore, dynUp, backupAge] =
      await Promise.all(
        [
          QUERIES.mysqlUp,
          QUERIES.mysqlConnections,
          QUERIES.mysqlMaxConnections,
          QUERIES.mysqlFree,
          QUERIES.redisUp,
          QUERIES.redisMemory,
          QUERIES.redisKeys,
          QUERIES.activemqUp,
          QUERIES.activemqStore,
          QUERIES.dynamodbUp,
          QUERIES.backupAge,
        ].map(q),
      );
    const [upBy, rateBy, errorsBy, p95By] = [
      by(up, "service"),
      by(rate, "service"),
      by(errors, "service"),
      by(p95, "service"),
    ];
    const backups = by(backupAge!, "store");
    const backupLine = (store: string) => {
      const age = backups.get(store);
      return age === undefined ? "no backup yet" : `last backup ${(age / 3600).toFixed(1)} h ago`;
    };
    const queueNames = [...new Set([...depth, ...consumers].map((s) => s.labels.queue ?? ""))].sort();
    const [depthBy, consumersBy, dlqBy] = [by(depth, "queue"), by(consumers, "queue"), by(dlq, "queue")];
    const num = (samples: Sample[] | undefined) => (samples ? first(samples) : undefined);
    return {
      generatedAt: new Date(),
      prometheusUrl: prometheus.baseUrl,
      windowSeconds,
      services: services.map((s) => {
        // no 5xx series at all means no errors, when the service has traffic
        const ratio = errorsBy.get(s.name) ?? (rateBy.has(s.name) ? 0 : undefined);
        return {
          ...s,
          up: upBy.get(s.name),
          requestsPerSecond: rateBy.get(s.name),
          errorRatio: ratio !== undefined && Number.isFinite(ratio) ? ratio : undefined,
          p95Seconds: Number.isFinite(p95By.get(s.name) ?? Number.NaN) ? p95By.get(s.name) : undefined,
          rateHistory: history(rateRange, "service", s.name),
          p95History: history(p95Range, "service", s.name).filter(([, v]) => Number.isFinite(v)),
        };
      }),
      queues: queueNames.map((queue) => ({
        queue,
        depth: depthBy.get(queue),
        consumers: consumersBy.get(queue),
        deadLetters: dlqBy.get(queue),
        depthHistory: history(depthRange, "queue", queue),
      })),
      stores: [
        {
          name: "MySQL (MariaDB)",
          up: num(mysqlUp),
          details: [
            num(conns) !== undefined ? `${num(conns)} / ${num(maxConns) ?? "?"} connections` : "",
            num(free) !== undefined ? `${((num(free) ?? 0) * 100).toFixed(0)}% disk free` : "",
            backupLine("mysql"),
          ].filter(Boolean),
        },
        {
          name: "Redis",
          up: num(redisUp),
          details: [
            num(redisMem) !== undefined ? `${bytes(num(redisMem) ?? 0)} used` : "",
            num(redisKeys) !== undefined ? `${num(redisKeys)} keys` : "",
          ].filter(Boolean),
        },
        {
          name: "ActiveMQ",
          up: num(mqUp),
          details: num(mqStore) !== undefined ? [`store ${num(mqStore)}% used`] : [],
        },
        { name: "DynamoDB (dynalite)", up: num(dynUp), details: [backupLine("dynamodb")] },
      ],
      alerts: alerts
        .filter((a) => a.state === "firing" || a.state === "pending")
        .map((a) => ({
          name: a.labels.alertname ?? "",
          severity: a.labels.severity ?? "",
          state: a.state,
          summary: a.annotations.description ?? a.annotations.summary ?? "",
        })),
    };
  } catch (error) {
    return {
      generatedAt: new Date(),
      prometheusUrl: prometheus.baseUrl,
      windowSeconds,
      services: services.map((s) => ({ ...s, rateHistory: [], p95History: [] })),
      queues: [],
      stores: [],
      alerts: [],
      error: `Prometheus at ${prometheus.baseUrl} did not answer: ${(error as Error).message}`,
    };
  }
}
