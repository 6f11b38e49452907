import type { ScalingBounds } from "../../catalog/types";
import type { QueueScaling } from "../../components/service-fleet/args";
import type { PlatformConfig } from "../config";

/** The fleet's queue-depth target from the catalog's: the queue's broker name, without `/queue/`. */
export function queueScaling(catalog: ScalingBounds): QueueScaling | undefined {
  if (!catalog.queue) return undefined;
  return {
    name: catalog.queue.destination.replace(/^\/queue\//, ""),
    targetDepthPerInstance: catalog.queue.targetDepthPerInstance,
  };
}

/**
 * A service's task-count bounds on a stack: the catalog's bounds, widened by the stack's factor,
 * raised to the stack's floor (high availability on prod), capped by the stack's ceiling (the
 * free tier on dev). `min` never exceeds `max`.
 */
export function taskBounds(
  catalog: ScalingBounds,
  tasks: PlatformConfig["tasks"],
): { min: number; max: number } {
  let max = catalog.max * tasks.maxFactor;
  if (tasks.maxPerService > 0) max = Math.min(max, tasks.maxPerService);
  max = Math.max(max, 1);
  const min = Math.min(Math.max(catalog.min, tasks.minPerService), max);
  return { min, max };
}

/** What a container reserves on its instance (CPU millicores, memory MiB), as a share of its limits. */
export function reservation(
  resources: { cpu: number; memory: number },
  percent: number,
): { cpu: number; memory: number } {
  return {
    cpu: Math.max(16, Math.round((resources.cpu * percent) / 100)),
    memory: Math.max(32, Math.round((resources.memory * percent) / 100)),
  };
}
