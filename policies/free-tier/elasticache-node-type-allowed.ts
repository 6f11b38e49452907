import { type ResourcePolicy, violations } from "../policy";

export const elasticacheNodeTypeAllowed: ResourcePolicy = {
  kind: "resource",
  name: "elasticache-node-type-allowed",
  group: "free-tier",
  control: "AWS Free Tier: ElastiCache 750 hours/month of cache.t2.micro or cache.t3.micro",
  description: "ElastiCache nodes use a node type from the free-tier allow-list.",
  types: ["aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/cluster:Cluster"],
  defaults: { allowedNodeTypes: ["cache.t3.micro", "cache.t2.micro"] },
  check: (props, _r, s) => {
    const allowed = s.allowedNodeTypes as string[];
    return violations([
      !allowed.includes(props.nodeType),
      `node type ${props.nodeType} is not in the allow-list (${allowed.join(", ")})`,
    ]);
  },
  examples: {
    violating: [
      [{ type: "aws:elasticache/replicationGroup:ReplicationGroup", props: { nodeType: "cache.r6g.large" } }],
    ],
    compliant: [
      [{ type: "aws:elasticache/replicationGroup:ReplicationGroup", props: { nodeType: "cache.t3.micro" } }],
    ],
  },
};
