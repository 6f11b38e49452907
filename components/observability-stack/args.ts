import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { AlertDefinition } from "../../platform/alerts/definitions";
import type { Transform } from "../shared/transform";

/** The resources alarms and dashboards watch; each absent part simply gets no alarms. */
export interface MonitoredTargets {
  loadBalancer?: { arnSuffix: pulumi.Input<string> };
  targetGroups?: { service: string; system: string; arnSuffix: pulumi.Input<string> }[];
  ecsServices?: {
    service: string;
    system: string;
    clusterName: pulumi.Input<string>;
    serviceName: pulumi.Input<string>;
  }[];
  database?: { identifier: pulumi.Input<string>; maxConnections: number; allocatedStorageGiB: number };
  cache?: { nodeIds: pulumi.Input<string>[] };
  /** Queues on the broker; CloudWatch names the broker `<name>-1`. */
  broker?: { name: pulumi.Input<string>; queues: string[]; deadLetterQueues?: string[] };
  /** DynamoDB tables, by catalog name. */
  tables?: { key: string; name: pulumi.Input<string> }[];
  backupVault?: { name: pulumi.Input<string> };
}

/** A system's slice of the platform, for its dashboard. */
export interface ObservedSystem {
  name: string;
  services: string[];
  usesDatabase: boolean;
  usesCache: boolean;
  queues: string[];
  tables: pulumi.Input<string>[];
  logGroupNames: pulumi.Input<string>[];
}

export interface ObservabilityStackArgs {
  /** Prefix of alarm, dashboard, topic and query names, e.g. `battle-ready-dev`. */
  namePrefix: string;
  /** The alert definitions the alarms are derived from. */
  alertDefinitions: readonly AlertDefinition[];
  targets: MonitoredTargets;
  systems: ObservedSystem[];
  /** E-mail addresses subscribed to the alert topic (each must confirm). @default [] */
  alertEmails?: string[];
  /** HTTPS endpoints subscribed to the alert topic; treat as secrets (they carry tokens). @default [] */
  alertWebhookUrls?: pulumi.Input<string>[];
  /** Most alarms to create, critical ones first (CloudWatch's free tier has 10). 0 means no limit. @default 0 */
  alarmBudget?: number;
  /** One overview dashboard instead of one per system (the free tier has 3 dashboards). @default false */
  singleDashboard?: boolean;
  /** Encrypt the topic with a customer-managed KMS key CloudWatch may use ($1/month). @default true */
  encryptTopic?: boolean;
  /** Tags on every resource. @default {} */
  tags?: Record<string, string>;
  transform?: {
    topicKey?: Transform<aws.kms.KeyArgs>;
    topic?: Transform<aws.sns.TopicArgs>;
    subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
    alarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    dashboard?: Transform<aws.cloudwatch.DashboardArgs>;
    queryDefinition?: Transform<aws.cloudwatch.QueryDefinitionArgs>;
  };
}
