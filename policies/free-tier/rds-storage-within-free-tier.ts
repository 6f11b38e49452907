import { type ResourcePolicy, violations } from "../policy";

export const rdsStorageWithinFreeTier: ResourcePolicy = {
  kind: "resource",
  name: "rds-storage-within-free-tier",
  group: "free-tier",
  control: "AWS Free Tier: RDS 20 GB of General Purpose (SSD) storage",
  description:
    "RDS allocated storage (and storage autoscaling's maximum) stays within the free 20 GB of gp2/gp3.",
  types: ["aws:rds/instance:Instance"],
  defaults: { maxStorageGb: 20 },
  check: (props, _r, s) => {
    const max = s.maxStorageGb as number;
    return violations(
      [
        !(Number(props.allocatedStorage) <= max),
        `allocated storage ${props.allocatedStorage} GB is over ${max} GB`,
      ],
      [
        Number(props.maxAllocatedStorage) > max,
        `storage autoscaling may grow to ${props.maxAllocatedStorage} GB, over ${max} GB`,
      ],
      [
        props.storageType !== undefined && !["gp2", "gp3"].includes(props.storageType),
        `storage type ${props.storageType} is not General Purpose SSD`,
      ],
    );
  },
  examples: {
    violating: [
      [{ type: "aws:rds/instance:Instance", props: { allocatedStorage: 100 } }],
      [{ type: "aws:rds/instance:Instance", props: { allocatedStorage: 20, maxAllocatedStorage: 100 } }],
    ],
    compliant: [[{ type: "aws:rds/instance:Instance", props: { allocatedStorage: 20, storageType: "gp3" } }]],
  },
};
