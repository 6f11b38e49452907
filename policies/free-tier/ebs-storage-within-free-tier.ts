import { type ResourcePolicy, violations } from "../policy";

export const ebsStorageWithinFreeTier: ResourcePolicy = {
  kind: "resource",
  name: "ebs-storage-within-free-tier",
  group: "free-tier",
  control: "AWS Free Tier: 30 GB of EBS General Purpose (SSD) storage",
  description: "Root and data volumes of the instances stay within the free 30 GB of gp2/gp3.",
  types: ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ebs/volume:Volume"],
  defaults: { maxVolumeGb: 30 },
  check: (props, _r, s) => {
    const volumes = props.blockDeviceMappings
      ? (props.blockDeviceMappings as { ebs?: { volumeSize?: number; volumeType?: string } }[]).map(
          (m) => m.ebs ?? {},
        )
      : [{ volumeSize: props.size, volumeType: props.type }];
    const total = volumes.reduce((sum, v) => sum + Number(v.volumeSize ?? 0), 0);
    return violations(
      [total > (s.maxVolumeGb as number), `volumes total ${total} GB, over ${s.maxVolumeGb} GB`],
      [
        volumes.some((v) => v.volumeType !== undefined && !["gp2", "gp3"].includes(v.volumeType)),
        "only gp2/gp3 volumes are free",
      ],
    );
  },
  examples: {
    violating: [
      [
        {
          type: "aws:ec2/launchTemplate:LaunchTemplate",
          props: { blockDeviceMappings: [{ ebs: { volumeSize: 100, volumeType: "gp3" } }] },
        },
      ],
    ],
    compliant: [
      [
        {
          type: "aws:ec2/launchTemplate:LaunchTemplate",
          props: { blockDeviceMappings: [{ ebs: { volumeSize: 30, volumeType: "gp3" } }] },
        },
      ],
    ],
  },
};
