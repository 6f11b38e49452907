import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { transform } from "../shared/transform";
import { type AlarmPlan, applyAlarmBudget, isPercentile, planAlarms } from "./alarms";
import type { ObservabilityStackArgs, ObservedSystem } from "./args";
import {
  dashboardBody,
  dashboardUrl,
  ERRORS_QUERY,
  type ResolvedSystem,
  SLOW_REQUESTS_QUERY,
} from "./dashboard";

/**
 * Operations on AWS: an SNS alert topic (optionally KMS-encrypted) with e-mail and HTTPS
 * subscriptions from config, CloudWatch alarms derived from the shared alert definitions (each
 * notifying the topic on ALARM and OK), a dashboard per system (or one overview), and Logs
 * Insights saved queries for errors and slow requests over the services' log groups (which the
 * fleet creates with their retention).
 *
 * Cost: the first 10 alarms and 3 dashboards are free, then $0.10 per standard alarm-month
 * ($0.30 for metric-math alarms) and $3 per dashboard-month. SNS: 1,000 e-mails and 100,000 HTTPS
 * deliveries a month are free. A customer-managed KMS key is $1/month. Saved queries are free;
 * running Logs Insights queries costs $0.005 per GB scanned.
 */
export class AwsObservabilityStack extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string>[];
  readonly dashboardUrls: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("battle-ready:aws:ObservabilityStack", name, {}, opts);
    validateObservabilityArgs(args);
    const t = args.transform ?? {};
    const tags = args.tags ?? {};
    const prefix = args.namePrefix;
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this }).region;

    const key =
      (args.encryptTopic ?? true)
        ? new aws.kms.Key(
            ...transform(
              t.topicKey,
              `${name}-alerts`,
              {
                description: `${prefix}: alert topic encryption (CloudWatch may publish)`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: identity.accountId.apply((account) => topicKeyPolicy(account)),
                tags,
              },
              { parent: this },
            ),
          )
        : undefined;
    const topic = new aws.sns.Topic(
      ...transform(
        t.topic,
        `${name}-alerts`,
        { name: `${prefix}-alerts`, kmsMasterKeyId: key?.arn, tags },
        { parent: this },
      ),
    );
    const subscribe = (suffix: string, protocol: string, endpoint: pulumi.Input<string>) =>
      new aws.sns.TopicSubscription(
        ...transform(
          t.subscription,
          `${name}-${suffix}`,
          { topic: topic.arn, protocol, endpoint },
          { parent: this },
        ),
      );
    for (const [i, email] of (args.alertEmails ?? []).entries()) subscribe(`email-${i + 1}`, "email", email);
    for (const [i, url] of (args.alertWebhookUrls ?? []).entries())
      subscribe(`webhook-${i + 1}`, "https", url);

    const plans = applyAlarmBudget(planAlarms(args.alertDefinitions, args.targets), args.alarmBudget ?? 0);
    this.alarmNames = plans.map((plan) => {
      const alarm = new aws.cloudwatch.MetricAlarm(
        ...transform(t.alarm, `${name}-${plan.key}`, alarmArgs(prefix, plan, topic.arn, tags), {
          parent: this,
        }),
      );
      return alarm.name;
    });

    const groups: ObservedSystem[][] = args.singleDashboard ? [args.systems] : args.systems.map((s) => [s]);
    this.dashboardUrls = {};
    for (const systems of groups) {
      if (systems.length === 0) continue;
      const label = args.singleDashboard ? "overview" : systems[0]!.name;
      const dashboardName = `${prefix}-${label}`;
      new aws.cloudwatch.Dashboard(
        ...transform(
          t.dashboard,
          `${name}-${label}`,
          {
            dashboardName,
            dashboardBody: pulumi
              .all([region, pulumi.output(args.targets), pulumi.output(systems)])
              .apply(([r, targets, resolved]) =>
                dashboardBody(
                  resolved.map((s) => resolveSystem(s, targets)),
                  r,
                ),
              ),
          },
          { parent: this },
        ),
      );
      this.dashboardUrls[label] = region.apply((r) => dashboardUrl(r, dashboardName));
    }

    const allLogGroups = args.systems.flatMap((s) => s.logGroupNames);
    if (allLogGroups.length > 0) {
      for (const [query, queryString] of [
        ["errors", ERRORS_QUERY],
        ["slow-requests", SLOW_REQUESTS_QUERY],
      ] as const) {
        new aws.cloudwatch.QueryDefinition(
          ...transform(
            t.queryDefinition,
            `${name}-${query}`,
            { name: `${prefix}/${query}`, logGroupNames: allLogGroups, queryString },
            { parent: this },
          ),
        );
      }
    }

    this.topicArn = topic.arn;
    this.registerOutputs({
      topicArn: this.topicArn,
      alarmNames: this.alarmNames,
      dashboardUrls: this.dashboardUrls,
    });
  }
}

type Resolved<T> = pulumi.Unwrap<T>;

function resolveSystem(
  system: Resolved<ObservedSystem>,
  targets: Resolved<ObservabilityStackArgs["targets"]>,
): ResolvedSystem {
  const mine = (service: string) => system.services.includes(service);
  return {
    name: system.name,
    loadBalancer: targets.loadBalancer?.arnSuffix,
    targetGroups: (targets.targetGroups ?? []).filter((tg) => mine(tg.service)),
    ecsServices: (targets.ecsServices ?? []).filter((s) => mine(s.service)),
    database: system.usesDatabase ? targets.database?.identifier : undefined,
    cacheNodes: system.usesCache ? (targets.cache?.nodeIds ?? []) : [],
    broker: targets.broker ? `${targets.broker.name}-1` : undefined,
    queues: system.queues,
    tables: system.tables,
    logGroupNames: system.logGroupNames,
  };
}

export function alarmArgs(
  prefix: string,
  plan: AlarmPlan,
  topicArn: pulumi.Input<string>,
  tags: Record<string, string>,
): aws.cloudwatch.MetricAlarmArgs {
  const m = plan.mapping;
  const common = {
    name: `${prefix}-${plan.key}`,
    alarmDescription: `[${plan.definition.severity}] ${plan.definition.summary}`,
    comparisonOperator: m.comparison,
    threshold: plan.threshold,
    evaluationPeriods: m.evaluationPeriods,
    treatMissingData: m.treatMissingData,
    alarmActions: [topicArn],
    okActions: [topicArn],
    tags: { ...tags, alert: plan.definition.id, severity: plan.definition.severity },
  };
  if (m.sumOf) {
    return {
      ...common,
      metricQueries: [
        ...m.sumOf.map((metricName, i) => ({
          id: `m${i}`,
          returnData: false,
          metric: {
            namespace: m.namespace,
            metricName,
            dimensions: plan.dimensions,
            period: m.periodSeconds,
            stat: "Sum",
          },
        })),
        {
          id: "total",
          expression: m.sumOf.map((_, i) => `m${i}`).join(" + "),
          label: m.metricName,
          returnData: true,
        },
      ],
    };
  }
  if (m.ratioOf) {
    const metric = (id: string, metricName: string) => ({
      id,
      returnData: false,
      metric: {
        namespace: m.namespace,
        metricName,
        dimensions: plan.dimensions,
        period: m.periodSeconds,
        stat: "Sum",
      },
    });
    return {
      ...common,
      metricQueries: [
        metric("numerator", m.ratioOf.numerator),
        metric("denominator", m.ratioOf.denominator),
        { id: "ratio", expression: "100 * numerator / denominator", label: m.metricName, returnData: true },
      ],
    };
  }
  return {
    ...common,
    namespace: m.namespace,
    metricName: m.metricName,
    dimensions: plan.dimensions,
    period: m.periodSeconds,
    ...(isPercentile(m.statistic) ? { extendedStatistic: m.statistic } : { statistic: m.statistic }),
  };
}

/** A key policy: the account administers it; CloudWatch alarms may encrypt messages to the topic. */
function topicKeyPolicy(account: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchPublishes",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": account } },
      },
    ],
  });
}

export function validateObservabilityArgs(args: ObservabilityStackArgs): void {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(args.namePrefix))
    throw new Error(
      `ObservabilityStack: namePrefix ${JSON.stringify(args.namePrefix)} must be letters, digits, - or _`,
    );
  const budget = args.alarmBudget ?? 0;
  if (!(Number.isInteger(budget) && budget >= 0))
    throw new Error(`ObservabilityStack: alarmBudget must be a whole number ≥ 0`);
  for (const email of args.alertEmails ?? [])
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
      throw new Error(`ObservabilityStack: ${JSON.stringify(email)} is not an e-mail address`);
  const names = new Set<string>();
  for (const s of args.systems) {
    if (names.has(s.name)) throw new Error(`ObservabilityStack: system ${s.name} is listed twice`);
    names.add(s.name);
  }
}
