import { stringify } from "yaml";
import { type AlertDefinition, alertDefinitions } from "../../platform/alerts/definitions";
import { DEFAULT_RUNBOOK_BASE } from "../../platform/alerts/prometheus-rules";

interface InputSeries {
  series: string;
  values: string;
}

/** One scenario: input series and, at `evalTime`, the alerts expected (none: it stays quiet). */
export interface AlertScenario {
  series: InputSeries[];
  evalTime: string;
  /** Labels and rendered description of each expected alert; empty when it must stay quiet. */
  expect: { labels: Record<string, string>; description: string }[];
}

export interface AlertRuleTest {
  fires: AlertScenario;
  quiet: AlertScenario;
}

const SERVICE = 'service="todo"';
const TARGET = 'job="services",instance="127.0.0.1:3000",role="service",service="todo"';
const MYSQL = 'job="mysql",instance="127.0.0.1:19104"';
const REDIS = 'job="redis",instance="127.0.0.1:19121"';

/** A `fires` and a `quiet` scenario for every alert with a Prometheus rule (series every minute). */
export const alertRuleTests: Record<string, AlertRuleTest> = {
  ServiceDown: {
    fires: {
      series: [{ series: `up{${TARGET}}`, values: "0x5" }],
      evalTime: "3m",
      expect: [
        {
          labels: { job: "services", instance: "127.0.0.1:3000", role: "service", service: "todo" },
          description:
            "services target 127.0.0.1:3000 (todo) has not answered its metrics scrape for 1 minute.",
        },
      ],
    },
    // one failed scrape is not an outage
    quiet: { series: [{ series: `up{${TARGET}}`, values: "1 0 1 1 1" }], evalTime: "3m", expect: [] },
  },
  HighErrorRatio: {
    fires: {
      series: [
        {
          series: `http_requests_total{${SERVICE},route="/todos",method="GET",status_code="500"}`,
          values: "0+10x20",
        },
        {
          series: `http_requests_total{${SERVICE},route="/todos",method="GET",status_code="200"}`,
          values: "0+90x20",
        },
      ],
      evalTime: "15m",
      expect: [
        {
          labels: { service: "todo" },
          description: "todo answers 10% of its requests with 5xx (over 5 minutes).",
        },
      ],
    },
    quiet: {
      series: [
        {
          series: `http_requests_total{${SERVICE},route="/todos",method="GET",status_code="500"}`,
          values: "0+1x20",
        },
        {
          series: `http_requests_total{${SERVICE},route="/todos",method="GET",status_code="200"}`,
          values: "0+99x20",
        },
        // a readiness probe failing during a dependency outage is not a failed request
        {
          series: `http_requests_total{${SERVICE},route="/readyz",method="GET",status_code="503"}`,
          values: "0+50x20",
        },
      ],
      evalTime: "15m",
      expect: [],
    },
  },
  HighLatencyP95: {
    fires: {
      series: [
        { series: `http_request_duration_seconds_bucket{${SERVICE},le="0.5"}`, values: "0x30" },
        { series: `http_request_duration_seconds_bucket{${SERVICE},le="1"}`, values: "0+100x30" },
        { series: `http_request_duration_seconds_bucket{${SERVICE},le="+Inf"}`, values: "0+100x30" },
      ],
      evalTime: "20m",
      expect: [{ labels: { service: "todo" }, description: "todo p95 latency is 975ms (over 5 minutes)." }],
    },
    quiet: {
      series: [
        { series: `http_request_duration_seconds_bucket{${SERVICE},le="0.1"}`, values: "0+100x30" },
        { series: `http_request_duration_seconds_bucket{${SERVICE},le="0.5"}`, values: "0+100x30" },
        { series: `http_request_duration_seconds_bucket{${SERVICE},le="+Inf"}`, values: "0+100x30" },
      ],
      evalTime: "20m",
      expect: [],
    },
  },
  ServiceCpuHigh: {
    fires: {
      series: [{ series: `process_cpu_seconds_total{${SERVICE}}`, values: "0+57x30" }],
      evalTime: "25m",
      expect: [{ labels: { service: "todo" }, description: "todo uses 95% of one CPU." }],
    },
    quiet: {
      series: [{ series: `process_cpu_seconds_total{${SERVICE}}`, values: "0+6x30" }],
      evalTime: "25m",
      expect: [],
    },
  },
  QueueDepthGrowing: {
    fires: {
      series: [{ series: 'activemq_queue_size{queue="buffs"}', values: "1000+10x30" }],
      evalTime: "25m",
      expect: [
        { labels: { queue: "buffs" }, description: "Queue buffs holds 1250 messages and is still growing." },
      ],
    },
    // deep but draining is not growing
    quiet: {
      series: [{ series: 'activemq_queue_size{queue="buffs"}', values: "5000-10x30" }],
      evalTime: "25m",
      expect: [],
    },
  },
  QueueNoConsumers: {
    fires: {
      series: [{ series: 'activemq_queue_consumer_count{queue="buffs"}', values: "0x10" }],
      evalTime: "6m",
      expect: [
        {
          labels: { queue: "buffs" },
          description: "Queue buffs has had no consumer for 5 minutes; messages pile up.",
        },
      ],
    },
    // a consumer that reconnects within the 5 minutes
    quiet: {
      series: [{ series: 'activemq_queue_consumer_count{queue="buffs"}', values: "0 0 0 1 1 1 1 1" }],
      evalTime: "6m",
      expect: [],
    },
  },
  DeadLettersPresent: {
    fires: {
      series: [{ series: 'activemq_dlq_size{queue="buffs"}', values: "0 3 3 3 3" }],
      evalTime: "3m",
      expect: [
        {
          labels: { queue: "buffs" },
          description: "3 messages wait in DLQ.buffs: inspect them, fix the cause, then replay or drop them.",
        },
      ],
    },
    quiet: {
      series: [{ series: 'activemq_dlq_size{queue="buffs"}', values: "0x5" }],
      evalTime: "3m",
      expect: [],
    },
  },
  DatabaseDown: {
    fires: {
      series: [{ series: `mysql_up{${MYSQL}}`, values: "0x5" }],
      evalTime: "2m",
      expect: [
        {
          labels: { job: "mysql", instance: "127.0.0.1:19104" },
          description: "The MySQL exporter (127.0.0.1:19104) cannot reach the database.",
        },
      ],
    },
    quiet: { series: [{ series: `mysql_up{${MYSQL}}`, values: "1x5" }], evalTime: "2m", expect: [] },
  },
  DatabaseConnectionsNearMax: {
    fires: {
      series: [
        { series: `mysql_global_status_threads_connected{${MYSQL}}`, values: "90x10" },
        { series: `mysql_global_variables_max_connections{${MYSQL}}`, values: "100x10" },
      ],
      evalTime: "6m",
      expect: [
        {
          labels: { job: "mysql", instance: "127.0.0.1:19104" },
          description: "MySQL uses 90% of max_connections.",
        },
      ],
    },
    quiet: {
      series: [
        { series: `mysql_global_status_threads_connected{${MYSQL}}`, values: "20x10" },
        { series: `mysql_global_variables_max_connections{${MYSQL}}`, values: "100x10" },
      ],
      evalTime: "6m",
      expect: [],
    },
  },
  DatabaseFreeStorageLow: {
    fires: {
      series: [{ series: 'battle_ready_mysql_free_storage_ratio{job="ops"}', values: "0.05x15" }],
      evalTime: "11m",
      expect: [{ labels: { job: "ops" }, description: "Only 5% of the MySQL data volume is free." }],
    },
    quiet: {
      series: [{ series: 'battle_ready_mysql_free_storage_ratio{job="ops"}', values: "0.5x15" }],
      evalTime: "11m",
      expect: [],
    },
  },
  RedisDown: {
    fires: {
      series: [{ series: `redis_up{${REDIS}}`, values: "0x5" }],
      evalTime: "2m",
      expect: [
        {
          labels: { job: "redis", instance: "127.0.0.1:19121" },
          description: "The Redis exporter (127.0.0.1:19121) cannot reach Redis.",
        },
      ],
    },
    quiet: { series: [{ series: `redis_up{${REDIS}}`, values: "1x5" }], evalTime: "2m", expect: [] },
  },
  RedisNearMaxMemory: {
    fires: {
      series: [
        { series: `redis_memory_used_bytes{${REDIS}}`, values: "950x10" },
        { series: `redis_memory_max_bytes{${REDIS}}`, values: "1000x10" },
      ],
      evalTime: "6m",
      expect: [
        {
          labels: { job: "redis", instance: "127.0.0.1:19121" },
          description: "Redis uses 95% of maxmemory; keys are being evicted.",
        },
      ],
    },
    // no maxmemory configured (0): nothing to be near
    quiet: {
      series: [
        { series: `redis_memory_used_bytes{${REDIS}}`, values: "950x10" },
        { series: `redis_memory_max_bytes{${REDIS}}`, values: "0x10" },
      ],
      evalTime: "6m",
      expect: [],
    },
  },
  BackupOlderThanRpo: {
    // promtool's clock starts at 0: a backup at t=0 is 25 h old at 25 h
    fires: {
      series: [
        {
          series: 'battle_ready_backup_last_success_timestamp_seconds{job="ops",store="mysql"}',
          values: "0x1500",
        },
      ],
      evalTime: "25h",
      expect: [
        {
          labels: { job: "ops", store: "mysql" },
          description: "The last successful mysql backup is 1d 1h 0m 0s old.",
        },
      ],
    },
    quiet: {
      series: [
        {
          series: 'battle_ready_backup_last_success_timestamp_seconds{job="ops",store="mysql"}',
          values: "72000x1500",
        },
      ],
      evalTime: "25h",
      expect: [],
    },
  },
};

/** promtool's unit-test file for `rulesFile`: both scenarios of every alert that has a rule. */
export function promtoolTestYaml(
  rulesFile: string,
  definitions: readonly AlertDefinition[] = alertDefinitions,
  tests: Record<string, AlertRuleTest> = alertRuleTests,
): string {
  const cases = definitions
    .filter((d) => d.prometheus)
    .flatMap((definition) => {
      const test = tests[definition.id];
      if (!test) throw new Error(`alert ${definition.id} has no promtool test in ops/alerts/rule-tests.ts`);
      return [test.fires, test.quiet].map((scenario) => ({
        interval: "1m",
        input_series: scenario.series,
        alert_rule_test: [
          {
            eval_time: scenario.evalTime,
            alertname: definition.id,
            exp_alerts: scenario.expect.map((alert) => ({
              exp_labels: { ...alert.labels, severity: definition.severity },
              exp_annotations: {
                summary: definition.summary,
                description: alert.description,
                runbook_url: `${DEFAULT_RUNBOOK_BASE}#${definition.id.toLowerCase()}`,
              },
            })),
          },
        ],
      }));
    });
  return stringify({ rule_files: [rulesFile], evaluation_interval: "1m", tests: cases }, { lineWidth: 0 });
}
