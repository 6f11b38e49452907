import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
  AwsObservabilityStack,
  applyAlarmBudget,
  type ObservabilityStackArgs,
  planAlarms,
  rdsMaxConnections,
} from "../../components/observability-stack";
import { alertDefinitions, validateAlertDefinitions } from "../../platform/alerts/definitions";
import { ofType, runUnderMocks, Secret, single } from "../harness/pulumi-mocks";

const targets: ObservabilityStackArgs["targets"] = {
  loadBalancer: { arnSuffix: "app/alb/1" },
  targetGroups: [{ service: "api", system: "shop", arnSuffix: "targetgroup/api/1" }],
  ecsServices: [
    { service: "api", system: "shop", clusterName: "c", serviceName: "api" },
    { service: "worker", system: "jobs", clusterName: "c", serviceName: "worker" },
  ],
  database: { identifier: "db-1", maxConnections: 100, allocatedStorageGiB: 20 },
  cache: { nodeIds: ["cache-001"] },
  broker: { name: "mq", queues: ["orders"], deadLetterQueues: ["DLQ.orders"] },
  tables: [{ key: "orders", name: "orders" }],
  backupVault: { name: "vault" },
};

const systems: ObservabilityStackArgs["systems"] = [
  {
    name: "shop",
    services: ["api"],
    usesDatabase: true,
    usesCache: true,
    queues: [],
    tables: ["orders"],
    logGroupNames: ["/ecs/x/api"],
  },
  {
    name: "jobs",
    services: ["worker"],
    usesDatabase: false,
    usesCache: false,
    queues: ["orders"],
    tables: [],
    logGroupNames: ["/ecs/x/worker"],
  },
];

function args(overrides: Partial<ObservabilityStackArgs> = {}): ObservabilityStackArgs {
  return { namePrefix: "br-test", alertDefinitions, targets, systems, ...overrides };
}

describe("ObservabilityStack (aws)", () => {
  it("derives one alarm per definition mapping and resource, each wired to the topic on ALARM and OK", async () => {
    const { resources } = await runUnderMocks(
      () => void new AwsObservabilityStack("obs", args({ encryptTopic: false })),
    );
    const topic = single(resources, "aws:sns/topic:Topic");
    const topicArn = `arn:aws:sns:eu-west-1:123456789012:${topic.name}`;
    const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.equal(alarms.length, planAlarms(alertDefinitions, targets).length);
    for (const alarm of alarms) {
      assert.deepEqual(alarm.inputs.alarmActions, [topicArn], alarm.name);
      assert.deepEqual(alarm.inputs.okActions, [topicArn], alarm.name);
    }
    const names = alarms.map((a) => a.inputs.name);
    for (const expected of [
      "br-test-ServiceDown-api",
      "br-test-HighErrorRatio-api",
      "br-test-HighLatencyP95-api",
      "br-test-UnhealthyHosts-api",
      "br-test-LoadBalancer5xx-alb",
      "br-test-ServiceCpuHigh-worker",
      "br-test-ServiceMemoryHigh-api",
      "br-test-DatabaseCpuHigh-mysql",
      "br-test-DatabaseFreeStorageLow-mysql",
      "br-test-DatabaseConnectionsNearMax-mysql",
      "br-test-QueueDepthGrowing-orders",
      "br-test-QueueNoConsumers-orders",
      "br-test-DeadLettersPresent-DLQ.orders",
      "br-test-DynamoDbThrottled-orders",
      "br-test-RedisNearMaxMemory-redis-1",
      "br-test-BackupOlderThanRpo-backups",
    ])
      assert.ok(names.includes(expected), `missing ${expected}`);
    const byName = (n: string) => alarms.find((a) => a.inputs.name === n)!.inputs;
    assert.equal(byName("br-test-DatabaseConnectionsNearMax-mysql").threshold, 80);
    assert.equal(byName("br-test-DatabaseFreeStorageLow-mysql").threshold, Math.floor(20 * 1024 ** 3 * 0.1));
    assert.equal(byName("br-test-HighLatencyP95-api").extendedStatistic, "p95");
    assert.deepEqual(byName("br-test-QueueNoConsumers-orders").dimensions, {
      Broker: "mq-1",
      Queue: "orders",
    });
    // One alarm per definition and resource: the first mapping that applies wins.
    assert.equal(byName("br-test-ServiceDown-api").metricName, "HealthyHostCount");
    assert.equal(byName("br-test-ServiceDown-worker").metricName, "RunningTaskCount");
    assert.equal(names.filter((n) => String(n).startsWith("br-test-ServiceDown-api")).length, 1);
    assert.ok(
      !names.includes("br-test-QueueNoConsumers-DLQ.orders"),
      "a dead-letter queue has no consumers by design",
    );
    const throttles = byName("br-test-DynamoDbThrottled-orders").metricQueries as {
      id: string;
      expression?: string;
    }[];
    assert.equal(throttles.find((q) => q.id === "total")?.expression, "m0 + m1");
    const ratio = byName("br-test-HighErrorRatio-api").metricQueries as { id: string; expression?: string }[];
    assert.equal(ratio.find((q) => q.id === "ratio")?.expression, "100 * numerator / denominator");
  });

  it("keeps within an alarm budget, critical alarms first", async () => {
    const { resources } = await runUnderMocks(
      () => void new AwsObservabilityStack("obs", args({ alarmBudget: 10 })),
    );
    const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.equal(alarms.length, 10);
    const critical = planAlarms(alertDefinitions, targets).filter(
      (p) => p.definition.severity === "critical",
    ).length;
    const kept = alarms.filter((a) => String(a.inputs.alarmDescription).startsWith("[critical]")).length;
    assert.equal(kept, Math.min(10, critical));
  });

  it("subscribes e-mails and webhooks (the webhook URL stays secret) and encrypts the topic with a rotating key", async () => {
    const { resources } = await runUnderMocks(
      () =>
        void new AwsObservabilityStack(
          "obs",
          args({
            alertEmails: ["ops@example.com"],
            alertWebhookUrls: [pulumi.secret("https://hooks.example.com/T0KEN")],
          }),
        ),
    );
    const subs = ofType(resources, "aws:sns/topicSubscription:TopicSubscription");
    assert.deepEqual(subs.map((s) => s.inputs.protocol).sort(), ["email", "https"]);
    const webhook = subs.find((s) => s.inputs.protocol === "https")!;
    assert.ok(webhook.inputs.endpoint instanceof Secret, "the webhook URL is a secret input");
    const key = single(resources, "aws:kms/key:Key").inputs;
    assert.equal(key.enableKeyRotation, true);
    assert.match(String(key.policy), /cloudwatch\.amazonaws\.com/);
    assert.equal(
      single(resources, "aws:sns/topic:Topic").inputs.kmsMasterKeyId,
      "arn:aws:kms:eu-west-1:123456789012:key/obs-alerts",
    );
  });

  it("draws a dashboard per system (or one overview) and saves the errors and slow-requests queries", async () => {
    const { resources, outputs } = await runUnderMocks(() => {
      const obs = new AwsObservabilityStack("obs", args());
      return obs.dashboardUrls;
    });
    const dashboards = ofType(resources, "aws:cloudwatch/dashboard:Dashboard");
    assert.deepEqual(dashboards.map((d) => d.inputs.dashboardName).sort(), ["br-test-jobs", "br-test-shop"]);
    const shop = JSON.parse(
      String(dashboards.find((d) => d.inputs.dashboardName === "br-test-shop")!.inputs.dashboardBody),
    );
    const titles = shop.widgets
      .map((w: { properties: { title?: string } }) => w.properties.title)
      .filter(Boolean);
    assert.ok(titles.includes("api: requests and 5xx"));
    assert.ok(titles.includes("MySQL: CPU, connections, free storage"));
    assert.ok(!titles.includes("Queues: depth and consumers"), "shop uses no queue");
    assert.match(String(outputs.shop), /#dashboards\/dashboard\/br-test-shop$/);
    const queries = ofType(resources, "aws:cloudwatch/queryDefinition:QueryDefinition");
    assert.deepEqual(queries.map((q) => q.inputs.name).sort(), ["br-test/errors", "br-test/slow-requests"]);
    assert.deepEqual(queries[0]!.inputs.logGroupNames, ["/ecs/x/api", "/ecs/x/worker"]);

    const single_ = await runUnderMocks(
      () => void new AwsObservabilityStack("obs", args({ singleDashboard: true })),
    );
    assert.deepEqual(
      ofType(single_.resources, "aws:cloudwatch/dashboard:Dashboard").map((d) => d.inputs.dashboardName),
      ["br-test-overview"],
    );
  });

  describe("alert definitions", () => {
    it("are valid, and cover the operational alerts with Prometheus rules", () => {
      validateAlertDefinitions(alertDefinitions);
      const withPrometheus = alertDefinitions.filter((d) => d.prometheus).map((d) => d.id);
      for (const id of [
        "ServiceDown",
        "HighErrorRatio",
        "HighLatencyP95",
        "QueueDepthGrowing",
        "QueueNoConsumers",
        "DatabaseDown",
        "DatabaseConnectionsNearMax",
        "DatabaseFreeStorageLow",
        "RedisDown",
        "RedisNearMaxMemory",
        "BackupOlderThanRpo",
      ])
        assert.ok(withPrometheus.includes(id), id);
      assert.throws(
        () => validateAlertDefinitions([{ id: "X1", summary: "s", severity: "warning" }]),
        /needs a prometheus rule/,
      );
    });

    it("plan no alarm for what does not exist, and rank critical first under a budget", () => {
      assert.deepEqual(planAlarms(alertDefinitions, {}), []);
      const plans = planAlarms(alertDefinitions, targets);
      const top = applyAlarmBudget(plans, 3);
      assert.ok(top.every((p) => p.definition.severity === "critical"));
      assert.equal(
        new Set(top.map((p) => p.definition.id)).size,
        3,
        "a small budget spreads over kinds of failure",
      );
      const critical = new Set(
        plans.filter((p) => p.definition.severity === "critical").map((p) => p.definition.id),
      );
      const covering = applyAlarmBudget(plans, critical.size);
      assert.deepEqual(new Set(covering.map((p) => p.definition.id)), critical);
      assert.equal(applyAlarmBudget(plans, 0).length, plans.length);
      assert.equal(rdsMaxConnections("db.t3.micro"), 76);
      assert.throws(() => rdsMaxConnections("db.t3.weird"), /unknown instance size/);
    });
  });
});
