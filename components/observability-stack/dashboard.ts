/** Pure builders of CloudWatch dashboard bodies (all values already resolved). */

export interface ResolvedSystem {
  name: string;
  loadBalancer?: string;
  targetGroups: { service: string; arnSuffix: string }[];
  ecsServices: { service: string; clusterName: string; serviceName: string }[];
  database?: string;
  cacheNodes: string[];
  broker?: string;
  queues: string[];
  tables: string[];
  logGroupNames: string[];
}

type Metric = (string | Record<string, unknown>)[];

interface Widget {
  type: "metric" | "log" | "text";
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

function metricWidget(title: string, region: string, metrics: Metric[], stat = "Sum"): Widget {
  return {
    type: "metric",
    width: 12,
    height: 6,
    properties: { title, region, metrics, stat, period: 300, view: "timeSeries" },
  };
}

/** The widgets of one system: RED per public service, CPU/memory per service, its dependencies, its errors. */
export function systemWidgets(system: ResolvedSystem, region: string): Widget[] {
  const widgets: Widget[] = [
    { type: "text", width: 24, height: 1, properties: { markdown: `## ${system.name}` } },
  ];
  const lb = system.loadBalancer;
  for (const tg of system.targetGroups) {
    if (!lb) break;
    const dims = ["TargetGroup", tg.arnSuffix, "LoadBalancer", lb];
    widgets.push(
      metricWidget(`${tg.service}: requests and 5xx`, region, [
        ["AWS/ApplicationELB", "RequestCount", ...dims],
        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...dims],
      ]),
      metricWidget(
        `${tg.service}: p95 latency (s)`,
        region,
        [["AWS/ApplicationELB", "TargetResponseTime", ...dims, { stat: "p95" }]],
        "p95",
      ),
    );
  }
  for (const s of system.ecsServices) {
    const dims = ["ClusterName", s.clusterName, "ServiceName", s.serviceName];
    widgets.push(
      metricWidget(
        `${s.service}: CPU and memory (%)`,
        region,
        [
          ["AWS/ECS", "CPUUtilization", ...dims],
          ["AWS/ECS", "MemoryUtilization", ...dims],
        ],
        "Average",
      ),
    );
  }
  if (system.database) {
    const dims = ["DBInstanceIdentifier", system.database];
    widgets.push(
      metricWidget(
        "MySQL: CPU, connections, free storage",
        region,
        [
          ["AWS/RDS", "CPUUtilization", ...dims],
          ["AWS/RDS", "DatabaseConnections", ...dims],
          ["AWS/RDS", "FreeStorageSpace", ...dims, { yAxis: "right" }],
        ],
        "Average",
      ),
    );
  }
  if (system.cacheNodes.length > 0) {
    widgets.push(
      metricWidget(
        "Redis: memory (%) and connections",
        region,
        system.cacheNodes.flatMap((node) => [
          ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", node],
          ["AWS/ElastiCache", "CurrConnections", "CacheClusterId", node, { yAxis: "right" }],
        ]),
        "Maximum",
      ),
    );
  }
  if (system.broker && system.queues.length > 0) {
    widgets.push(
      metricWidget(
        "Queues: depth and consumers",
        region,
        system.queues.flatMap((queue) => [
          ["AWS/AmazonMQ", "QueueSize", "Broker", system.broker!, "Queue", queue],
          ["AWS/AmazonMQ", "ConsumerCount", "Broker", system.broker!, "Queue", queue, { yAxis: "right" }],
        ]),
        "Maximum",
      ),
    );
  }
  if (system.tables.length > 0) {
    widgets.push(
      metricWidget(
        "DynamoDB: consumed capacity and throttles",
        region,
        system.tables.flatMap((table) => [
          ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", table],
          ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", table],
          ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", table, { yAxis: "right" }],
          ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", table, { yAxis: "right" }],
        ]),
      ),
    );
  }
  if (system.logGroupNames.length > 0) {
    widgets.push({
      type: "log",
      width: 24,
      height: 6,
      properties: {
        title: `${system.name}: latest errors`,
        region,
        view: "table",
        query: `SOURCE ${system.logGroupNames.map((g) => `'${g}'`).join(" | SOURCE ")} | ${ERRORS_QUERY}`,
      },
    });
  }
  return widgets;
}

/** Logs Insights: the latest error lines of the services' JSON logs (pino level labels). */
export const ERRORS_QUERY =
  'fields @timestamp, service, reqId, msg, err.message | filter level in ["error", "fatal"] | sort @timestamp desc | limit 100';

/** Logs Insights: requests slower than one second, slowest first. */
export const SLOW_REQUESTS_QUERY =
  'fields @timestamp, service, reqId, method, route, status, durationMs | filter msg = "request completed" and durationMs > 1000 | sort durationMs desc | limit 100';

/** Lays widgets out left to right, top to bottom, on CloudWatch's 24-column grid. */
export function dashboardBody(systems: ResolvedSystem[], region: string): string {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const widgets = systems
    .flatMap((s) => systemWidgets(s, region))
    .map((w) => {
      if (x + w.width > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      const placed = { ...w, x, y };
      x += w.width;
      rowHeight = Math.max(rowHeight, w.height);
      return placed;
    });
  return JSON.stringify({ widgets });
}

export function dashboardUrl(region: string, name: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${name}`;
}
