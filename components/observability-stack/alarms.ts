import type * as pulumi from "@pulumi/pulumi";
import type { AlertDefinition, CloudWatchMapping } from "../../platform/alerts/definitions";
import type { MonitoredTargets } from "./args";

/** One CloudWatch alarm to create: a definition's mapping applied to one monitored resource. */
export interface AlarmPlan {
  /** Unique, readable: `<AlertId>-<resource>`, e.g. `ServiceDown-order-api`. */
  key: string;
  definition: AlertDefinition;
  mapping: CloudWatchMapping;
  dimensions: Record<string, pulumi.Input<string>>;
  threshold: number;
}

interface Subject {
  label: string;
  dimensions: Record<string, pulumi.Input<string>>;
}

function subjects(mapping: CloudWatchMapping, targets: MonitoredTargets): Subject[] {
  const lb = targets.loadBalancer?.arnSuffix;
  switch (mapping.scope) {
    case "loadBalancer":
      return lb ? [{ label: "alb", dimensions: { LoadBalancer: lb } }] : [];
    case "targetGroup":
      return lb
        ? (targets.targetGroups ?? []).map((tg) => ({
            label: tg.service,
            dimensions: { TargetGroup: tg.arnSuffix, LoadBalancer: lb },
          }))
        : [];
    case "ecsService":
      return (targets.ecsServices ?? []).map((s) => ({
        label: s.service,
        dimensions: { ClusterName: s.clusterName, ServiceName: s.serviceName },
      }));
    case "database":
      return targets.database
        ? [{ label: "mysql", dimensions: { DBInstanceIdentifier: targets.database.identifier } }]
        : [];
    case "cache":
      return (targets.cache?.nodeIds ?? []).map((id, i) => ({
        label: `redis-${i + 1}`,
        dimensions: { CacheClusterId: id },
      }));
    case "queue": {
      const broker = targets.broker;
      if (!broker) return [];
      const name = typeof broker.name === "string" ? `${broker.name}-1` : brokerDimension(broker.name);
      return broker.queues.map((queue) => ({ label: queue, dimensions: { Broker: name, Queue: queue } }));
    }
    case "deadLetterQueue": {
      const broker = targets.broker;
      if (!broker) return [];
      const name = typeof broker.name === "string" ? `${broker.name}-1` : brokerDimension(broker.name);
      return (broker.deadLetterQueues ?? []).map((queue) => ({
        label: queue,
        dimensions: { Broker: name, Queue: queue },
      }));
    }
    case "table":
      return (targets.tables ?? []).map((t) => ({
        label: t.key,
        dimensions: { TableName: t.name },
      }));
    case "backupVault":
      return targets.backupVault
        ? [{ label: "backups", dimensions: { BackupVaultName: targets.backupVault.name } }]
        : [];
  }
}

function brokerDimension(name: pulumi.Input<string>): pulumi.Input<string> {
  // An Output: append the instance suffix once it resolves.
  return (name as pulumi.Output<string>).apply((n) => `${n}-1`);
}

function thresholdOf(mapping: CloudWatchMapping, targets: MonitoredTargets): number {
  const t = mapping.threshold;
  if (typeof t === "number") return t;
  const db = targets.database;
  if (!db) throw new Error(`threshold relative to ${t.fractionOf} needs a database target`);
  const base = t.fractionOf === "maxConnections" ? db.maxConnections : db.allocatedStorageGiB * 1024 ** 3;
  return Math.floor(base * t.fraction);
}

/** Every alarm the definitions call for, given what exists. Pure: no resources are created. */
export function planAlarms(definitions: readonly AlertDefinition[], targets: MonitoredTargets): AlarmPlan[] {
  const plans: AlarmPlan[] = [];
  const keys = new Set<string>();
  for (const definition of definitions) {
    for (const mapping of definition.cloudwatch ?? []) {
      for (const subject of subjects(mapping, targets)) {
        // The first mapping that applies to a resource wins (see AlertDefinition).
        const key = `${definition.id}-${subject.label}`;
        if (keys.has(key)) continue;
        keys.add(key);
        plans.push({
          key,
          definition,
          mapping,
          dimensions: subject.dimensions,
          threshold: thresholdOf(mapping, targets),
        });
      }
    }
  }
  return plans;
}

/**
 * At most `budget` alarms (0: all): critical definitions first, and within a severity one alarm
 * per definition per round, so a small budget covers many kinds of failure rather than one kind
 * on many resources.
 */
export function applyAlarmBudget(plans: AlarmPlan[], budget: number): AlarmPlan[] {
  if (budget === 0 || plans.length <= budget) return plans;
  const chosen: AlarmPlan[] = [];
  for (const severity of ["critical", "warning"] as const) {
    const byDefinition = new Map<string, AlarmPlan[]>();
    for (const plan of plans.filter((p) => p.definition.severity === severity))
      byDefinition.set(plan.definition.id, [...(byDefinition.get(plan.definition.id) ?? []), plan]);
    const queues = [...byDefinition.values()];
    for (let round = 0; queues.some((q) => q.length > round); round++)
      for (const queue of queues) {
        if (chosen.length === budget) return chosen;
        const plan = queue[round];
        if (plan) chosen.push(plan);
      }
  }
  return chosen;
}

/** Whether a statistic is a percentile (`p95`), which CloudWatch takes as an extended statistic. */
export function isPercentile(statistic: string): boolean {
  return /^p\d{1,2}(\.\d+)?$/.test(statistic);
}

/** The approximate MySQL `max_connections` on RDS: DBInstanceClassMemory / 12582880. */
export function rdsMaxConnections(instanceClass: string): number {
  const memoryGiB: Record<string, number> = {
    micro: 1,
    small: 2,
    medium: 4,
    large: instanceClass.includes(".r") ? 16 : 8,
    xlarge: instanceClass.includes(".r") ? 32 : 16,
    "2xlarge": instanceClass.includes(".r") ? 64 : 32,
  };
  const size = instanceClass.split(".").pop() ?? "";
  const gib = memoryGiB[size];
  if (gib === undefined) throw new Error(`rdsMaxConnections: unknown instance size in ${instanceClass}`);
  // RDS reserves part of the memory for the OS: DBInstanceClassMemory is about 90% of the total.
  return Math.floor((gib * 1024 ** 3 * 0.9) / 12582880);
}
