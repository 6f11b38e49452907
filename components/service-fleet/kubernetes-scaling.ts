import type * as k8s from "@pulumi/kubernetes";
import type { QueueScaling } from "./args";

/** The custom metric (served by prometheus-adapter) a service's HPA tracks alongside CPU. */
export const REQUESTS_METRIC = "http_requests_per_second";

/**
 * The external metric (prometheus-adapter, from the broker's JMX exporter) of a queue's depth,
 * selected by its `queue` label.
 */
export const QUEUE_DEPTH_METRIC = "activemq_queue_size";

/** One direction of an HPA's behaviour (plain values, assignable to the Kubernetes input type). */
export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: "Max" | "Min";
  policies: { type: "Pods" | "Percent"; value: number; periodSeconds: number }[];
}

/**
 * HPA behaviour from the bounds: scale up at once by half the range (at least one pod) or doubling,
 * whichever is more, every 30 s; scale down one pod per two minutes after five calm minutes, so a
 * bursty service does not flap.
 */
export function hpaBehavior(min: number, max: number): { scaleUp: ScalingRules; scaleDown: ScalingRules } {
  return {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: "Max",
      policies: [
        { type: "Pods", value: Math.max(1, Math.ceil((max - min) / 2)), periodSeconds: 30 },
        { type: "Percent", value: 100, periodSeconds: 30 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: 300,
      selectPolicy: "Min",
      policies: [{ type: "Pods", value: 1, periodSeconds: 120 }],
    },
  };
}

/**
 * The HPA's metrics: average CPU utilisation against the requests; for services with a request
 * target (per minute per instance in the catalog), requests per second per pod; for a queue
 * consumer, the queue's depth divided by the pods (an external metric with an AverageValue target).
 */
export function hpaMetrics(scaling: {
  cpuTarget: number;
  requestsPerTarget?: number;
  queue?: QueueScaling;
}): k8s.types.input.autoscaling.v2.MetricSpec[] {
  const metrics: k8s.types.input.autoscaling.v2.MetricSpec[] = [
    {
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: scaling.cpuTarget } },
    },
  ];
  if (scaling.requestsPerTarget)
    metrics.push({
      type: "Pods",
      pods: {
        metric: { name: REQUESTS_METRIC },
        // Per minute → per second, in milli-units (Kubernetes quantities): 3000/min → "50000m".
        target: {
          type: "AverageValue",
          averageValue: `${Math.round((scaling.requestsPerTarget / 60) * 1000)}m`,
        },
      },
    });
  if (scaling.queue)
    metrics.push({
      type: "External",
      external: {
        metric: { name: QUEUE_DEPTH_METRIC, selector: { matchLabels: { queue: scaling.queue.name } } },
        target: { type: "AverageValue", averageValue: String(scaling.queue.targetDepthPerInstance) },
      },
    });
  return metrics;
}

/**
 * The PodDisruptionBudget that never exceeds the HPA's floor: with two or more replicas one may be
 * evicted at a time (minAvailable = min − 1); with one, a drain may evict it (maxUnavailable 1), so
 * a node drain is never blocked by a budget nothing can satisfy.
 */
export function disruptionBudget(minReplicas: number): { minAvailable: number } | { maxUnavailable: number } {
  return minReplicas >= 2 ? { minAvailable: minReplicas - 1 } : { maxUnavailable: 1 };
}
