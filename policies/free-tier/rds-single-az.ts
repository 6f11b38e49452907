import { type ResourcePolicy, violations } from "../policy";

export const rdsSingleAz: ResourcePolicy = {
  kind: "resource",
  name: "rds-single-az",
  group: "free-tier",
  control: "AWS Free Tier: RDS Single-AZ deployments only",
  description: "RDS instances are Single-AZ: a Multi-AZ standby doubles the instance hours.",
  types: ["aws:rds/instance:Instance"],
  check: (props) => violations([props.multiAz === true, "Multi-AZ is not covered by the free tier"]),
  examples: {
    violating: [[{ type: "aws:rds/instance:Instance", props: { multiAz: true } }]],
    compliant: [[{ type: "aws:rds/instance:Instance", props: { multiAz: false } }]],
  },
};
