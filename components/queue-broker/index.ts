import type * as pulumi from "@pulumi/pulumi";
import { pickRealization, type RealizationName } from "../shared/realization";
import type { QueueBrokerArgs } from "./args";
import { AwsQueueBroker } from "./aws";
import { KubernetesQueueBroker } from "./kubernetes";

export * from "./args";
export { AwsQueueBroker, validateQueueBrokerArgs } from "./aws";
export { brokerMetricName, STOMP_TLS_PORT, stompHost } from "./endpoint";

type Factory = (
  name: string,
  args: QueueBrokerArgs,
  opts?: pulumi.ComponentResourceOptions,
) => pulumi.ComponentResource;

const realizations: Partial<Record<RealizationName, Factory>> = {
  kubernetes: (name, args, opts) => new KubernetesQueueBroker(name, args, opts),
  aws: (name, args, opts) => new AwsQueueBroker(name, args, opts),
};

export function createQueueBroker(
  realization: RealizationName,
  name: string,
  args: QueueBrokerArgs,
  opts?: pulumi.ComponentResourceOptions,
): pulumi.ComponentResource {
  return pickRealization("QueueBroker", realizations, realization)(name, args, opts);
}
