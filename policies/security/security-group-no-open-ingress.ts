import { type Props, type ResourcePolicy, violations } from "../policy";

const OPEN = new Set(["0.0.0.0/0", "::/0"]);

interface IngressRule {
  fromPort?: number;
  toPort?: number;
  cidrBlocks?: string[];
  ipv6CidrBlocks?: string[];
}

function openRules(props: Props, type: string): IngressRule[] {
  if (type === "aws:ec2/securityGroup:SecurityGroup") {
    return ((props.ingress ?? []) as IngressRule[]).filter((r) =>
      [...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])].some((c) => OPEN.has(c)),
    );
  }
  if (type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
    return props.type === "ingress" &&
      [...(props.cidrBlocks ?? []), ...(props.ipv6CidrBlocks ?? [])].some((c: string) => OPEN.has(c))
      ? [props]
      : [];
  }
  // aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule
  return OPEN.has(props.cidrIpv4) || OPEN.has(props.cidrIpv6)
    ? [{ fromPort: props.fromPort, toPort: props.toPort }]
    : [];
}

export const securityGroupNoOpenIngress: ResourcePolicy = {
  kind: "resource",
  name: "security-group-no-open-ingress",
  group: "security",
  control: "Checkov CKV_AWS_24/25/260; Security Hub FSBP EC2.18 and EC2.19; CIS AWS 5.2",
  description: "No security group admits the whole internet, except the load balancer's on ports 80 and 443.",
  types: [
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  ],
  defaults: { publicSecurityGroupPattern: "(^|-)alb($|-)", publicPorts: [80, 443] },
  check: (props, resource, s) => {
    const rules = openRules(props, resource.type);
    if (rules.length === 0) return [];
    const isPublic = new RegExp(String(s.publicSecurityGroupPattern)).test(resource.name);
    const ports = s.publicPorts as number[];
    return violations(
      ...rules.map((r): [boolean, string] => [
        !isPublic || r.fromPort !== r.toPort || !ports.includes(Number(r.fromPort)),
        `ingress from the internet on ports ${r.fromPort}-${r.toPort}${isPublic ? "" : " (only the load balancer may be public)"}`,
      ]),
    );
  },
  examples: {
    violating: [
      [
        {
          type: "aws:ec2/securityGroup:SecurityGroup",
          name: "fleet",
          props: { ingress: [{ fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] },
        },
      ],
      [
        {
          type: "aws:ec2/securityGroup:SecurityGroup",
          name: "app-alb",
          props: { ingress: [{ fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] }] },
        },
      ],
    ],
    compliant: [
      [
        {
          type: "aws:ec2/securityGroup:SecurityGroup",
          name: "app-alb",
          props: { ingress: [{ fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] },
        },
      ],
      [
        {
          type: "aws:ec2/securityGroup:SecurityGroup",
          name: "fleet",
          props: { ingress: [{ fromPort: 8080, toPort: 8080, securityGroups: ["sg-alb"] }] },
        },
      ],
    ],
  },
};
