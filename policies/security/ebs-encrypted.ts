import { type ResourcePolicy, violations } from "../policy";

const yes = (v: unknown) => v === true || v === "true";

export const ebsEncrypted: ResourcePolicy = {
  kind: "resource",
  name: "ebs-encrypted",
  group: "security",
  control: "Checkov CKV_AWS_8 / CKV_AWS_3; Security Hub FSBP EC2.3",
  description: "Every EBS volume, including the instances' root volumes, is encrypted.",
  types: ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ebs/volume:Volume"],
  check: (props) => {
    if (!props.blockDeviceMappings)
      return violations([props.encrypted !== undefined && !yes(props.encrypted), "volume must be encrypted"]);
    const mappings = props.blockDeviceMappings as { deviceName?: string; ebs?: { encrypted?: unknown } }[];
    return violations(
      [mappings.length === 0, "the launch template must declare its root volume (encrypted)"],
      ...mappings.map((m): [boolean, string] => [
        !yes(m.ebs?.encrypted),
        `volume ${m.deviceName ?? "?"} must be encrypted`,
      ]),
    );
  },
  examples: {
    violating: [
      [
        {
          type: "aws:ec2/launchTemplate:LaunchTemplate",
          props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 30 } }] },
        },
      ],
      [{ type: "aws:ec2/launchTemplate:LaunchTemplate", props: { blockDeviceMappings: [] } }],
    ],
    compliant: [
      [
        {
          type: "aws:ec2/launchTemplate:LaunchTemplate",
          props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] },
        },
      ],
    ],
  },
};
