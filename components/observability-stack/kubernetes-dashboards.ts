/**
 * Grafana dashboards (JSON models) for the kubernetes realization, provisioned by Grafana's
 * dashboard sidecar from ConfigMaps. Pure: each function returns the dashboard object.
 */

export interface GrafanaDashboard {
  uid: string;
  title: string;
  tags: string[];
  timezone: "utc";
  schemaVersion: number;
  refresh: string;
  time: { from: string; to: string };
  panels: GrafanaPanel[];
}

export interface GrafanaPanel {
  id: number;
  type: "timeseries";
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { type: "prometheus"; uid: "prometheus" };
  fieldConfig: { defaults: { unit: string }; overrides: [] };
  targets: { refId: string; expr: string; legendFormat: string }[];
}

type PanelSpec = { title: string; unit: string; queries: [expr: string, legend: string][] };

function dashboard(uid: string, title: string, tags: string[], specs: PanelSpec[]): GrafanaDashboard {
  return {
    uid: uid.slice(0, 40),
    title,
    tags: ["battle-ready", ...tags],
    timezone: "utc",
    schemaVersion: 39,
    refresh: "30s",
    time: { from: "now-3h", to: "now" },
    panels: specs.map((spec, i) => ({
      id: i + 1,
      type: "timeseries",
      title: spec.title,
      gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
      datasource: { type: "prometheus", uid: "prometheus" },
      fieldConfig: { defaults: { unit: spec.unit }, overrides: [] },
      targets: spec.queries.map(([expr, legendFormat], q) => ({
        refId: String.fromCharCode(65 + q),
        expr,
        legendFormat,
      })),
    })),
  };
}

/** Rate, errors and duration of one service, by route, from the service kit's metrics. */
export function redDashboard(service: string, system: string): GrafanaDashboard {
  const sel = `service="${service}"`;
  return dashboard(
    `br-red-${service}`,
    `${service} (RED)`,
    [system, "red"],
    [
      {
        title: "Requests per second by route",
        unit: "reqps",
        queries: [[`sum by (route) (rate(http_requests_total{${sel}}[5m]))`, "{{route}}"]],
      },
      {
        title: "Error ratio (5xx)",
        unit: "percentunit",
        queries: [
          [
            `sum(rate(http_requests_total{${sel},status_code=~"5.."}[5m])) / sum(rate(http_requests_total{${sel}}[5m]))`,
            "5xx",
          ],
        ],
      },
      {
        title: "Latency p50 / p95 / p99",
        unit: "s",
        queries: ["0.5", "0.95", "0.99"].map((q) => [
          `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[5m])))`,
          `p${Number(q) * 100}`,
        ]),
      },
      {
        title: "Responses by status",
        unit: "reqps",
        queries: [[`sum by (status_code) (rate(http_requests_total{${sel}}[5m]))`, "{{status_code}}"]],
      },
      {
        title: "Pods up",
        unit: "short",
        queries: [[`sum(up{${sel}})`, "up"]],
      },
      {
        title: "CPU (cores) and resident memory",
        unit: "short",
        queries: [
          [`sum by (pod) (rate(process_cpu_seconds_total{${sel}}[5m]))`, "cpu {{pod}}"],
          [`sum by (pod) (process_resident_memory_bytes{${sel}}) / 2^20`, "MiB {{pod}}"],
        ],
      },
    ],
  );
}

export function mysqlDashboard(): GrafanaDashboard {
  return dashboard(
    "br-mysql",
    "MySQL",
    ["mysql"],
    [
      { title: "Up", unit: "short", queries: [["mysql_up", "up"]] },
      {
        title: "Connections",
        unit: "short",
        queries: [
          ["mysql_global_status_threads_connected", "connected"],
          ["mysql_global_variables_max_connections", "max"],
        ],
      },
      {
        title: "Queries per second",
        unit: "ops",
        queries: [["rate(mysql_global_status_queries[5m])", "queries"]],
      },
      {
        title: "Slow queries",
        unit: "ops",
        queries: [["rate(mysql_global_status_slow_queries[5m])", "slow"]],
      },
      {
        title: "InnoDB buffer pool hit ratio",
        unit: "percentunit",
        queries: [
          [
            "1 - rate(mysql_global_status_innodb_buffer_pool_reads[5m]) / rate(mysql_global_status_innodb_buffer_pool_read_requests[5m])",
            "hit ratio",
          ],
        ],
      },
      {
        title: "Free volume space",
        unit: "percentunit",
        queries: [["battle_ready_mysql_free_storage_ratio", "free"]],
      },
    ],
  );
}

export function redisDashboard(): GrafanaDashboard {
  return dashboard(
    "br-redis",
    "Redis",
    ["redis"],
    [
      { title: "Up", unit: "short", queries: [["redis_up", "up"]] },
      {
        title: "Memory used / max",
        unit: "bytes",
        queries: [
          ["redis_memory_used_bytes", "used"],
          ["redis_memory_max_bytes", "max"],
        ],
      },
      {
        title: "Commands per second",
        unit: "ops",
        queries: [["sum(rate(redis_commands_processed_total[5m]))", "commands"]],
      },
      {
        title: "Hit ratio",
        unit: "percentunit",
        queries: [
          [
            "rate(redis_keyspace_hits_total[5m]) / (rate(redis_keyspace_hits_total[5m]) + rate(redis_keyspace_misses_total[5m]))",
            "hits",
          ],
        ],
      },
      { title: "Clients", unit: "short", queries: [["redis_connected_clients", "clients"]] },
      { title: "Evicted keys", unit: "ops", queries: [["rate(redis_evicted_keys_total[5m])", "evicted"]] },
    ],
  );
}

export function activemqDashboard(): GrafanaDashboard {
  return dashboard(
    "br-activemq",
    "ActiveMQ",
    ["activemq"],
    [
      { title: "Queue depth", unit: "short", queries: [["activemq_queue_size", "{{queue}}"]] },
      { title: "Consumers", unit: "short", queries: [["activemq_queue_consumer_count", "{{queue}}"]] },
      {
        title: "Enqueued per second",
        unit: "ops",
        queries: [["rate(activemq_queue_enqueue_total[5m])", "{{queue}}"]],
      },
      {
        title: "Dequeued per second",
        unit: "ops",
        queries: [["rate(activemq_queue_dequeue_total[5m])", "{{queue}}"]],
      },
      {
        title: "Broker memory and store usage",
        unit: "percent",
        queries: [
          ["activemq_broker_memorypercentusage", "memory"],
          ["activemq_broker_storepercentusage", "store"],
        ],
      },
      { title: "Broker up", unit: "short", queries: [['up{service="activemq"}', "up"]] },
    ],
  );
}
