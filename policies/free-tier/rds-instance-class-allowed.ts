import { type ResourcePolicy, violations } from "../policy";

export const rdsInstanceClassAllowed: ResourcePolicy = {
  kind: "resource",
  name: "rds-instance-class-allowed",
  group: "free-tier",
  control: "AWS Free Tier: RDS 750 hours/month of db.t2.micro, db.t3.micro or db.t4g.micro, Single-AZ",
  description: "RDS instances use an instance class from the free-tier allow-list.",
  types: ["aws:rds/instance:Instance"],
  defaults: { allowedInstanceClasses: ["db.t3.micro", "db.t4g.micro", "db.t2.micro"] },
  check: (props, _r, s) => {
    const allowed = s.allowedInstanceClasses as string[];
    return violations([
      !allowed.includes(props.instanceClass),
      `instance class ${props.instanceClass} is not in the allow-list (${allowed.join(", ")})`,
    ]);
  },
  examples: {
    violating: [[{ type: "aws:rds/instance:Instance", props: { instanceClass: "db.r6g.large" } }]],
    compliant: [[{ type: "aws:rds/instance:Instance", props: { instanceClass: "db.t3.micro" } }]],
  },
};
