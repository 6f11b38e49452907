import { type ResourcePolicy, violations } from "../policy";

export const elasticacheSingleNode: ResourcePolicy = {
  kind: "resource",
  name: "elasticache-single-node",
  group: "free-tier",
  control: "AWS Free Tier: ElastiCache 750 node-hours/month (one node)",
  description: "One cache node: replicas multiply the node-hours beyond the free 750.",
  types: ["aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/cluster:Cluster"],
  check: (props) => {
    const nodes =
      Number(props.numCacheClusters ?? props.numCacheNodes ?? 1) *
      Number(props.numNodeGroups ?? 1) *
      (1 + Number(props.replicasPerNodeGroup ?? 0));
    return violations([nodes > 1, `${nodes} cache nodes; the free tier covers one`]);
  },
  examples: {
    violating: [
      [{ type: "aws:elasticache/replicationGroup:ReplicationGroup", props: { numCacheClusters: 2 } }],
    ],
    compliant: [
      [{ type: "aws:elasticache/replicationGroup:ReplicationGroup", props: { numCacheClusters: 1 } }],
    ],
  },
};
