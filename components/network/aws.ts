import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nameTags } from "../shared/tags";
import { transform } from "../shared/transform";
import { EPHEMERAL_PORTS, type NetworkArgs } from "./args";
import { subnetCidrs } from "./cidr";

const ZONES = 2;
const ANYWHERE = "0.0.0.0/0";

/**
 * A VPC across two availability zones: two public subnets (load balancer; the fleet too when
 * there is no NAT), two private subnets (data services; the fleet when there is NAT), an internet
 * gateway, optional NAT gateways, free gateway endpoints for S3 and DynamoDB, the default security
 * group stripped of rules, and the platform's security groups: the load balancer's (public
 * ports), the fleet's (only from the load balancer and itself) and one per data service (only
 * from the fleet), and optionally VPC flow logs of rejected traffic.
 *
 * Cost: the VPC, subnets, route tables, gateway endpoints and security groups are free. A NAT
 * gateway costs about $0.045/hour (~$33/month) plus $0.045/GB processed, per gateway; its
 * Elastic IP is billed as a public IPv4 address ($0.005/hour). Instances with public IPv4
 * addresses (the fleet without NAT) are billed the same per address beyond the 750 free hours.
 * Flow logs cost CloudWatch Logs ingestion ($0.50/GB after 5 GB free) and storage.
 */
export class AwsNetwork extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** Where the fleet's instances go: private subnets behind NAT, else the public ones. */
  readonly fleetSubnetIds: pulumi.Output<string>[];
  /** Whether fleet instances need public addresses (no NAT: they reach ECS, ECR and logs directly). */
  readonly fleetNeedsPublicIp: boolean;
  readonly albSecurityGroupId: pulumi.Output<string>;
  readonly fleetSecurityGroupId: pulumi.Output<string>;
  readonly dataSecurityGroupIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: NetworkArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("battle-ready:aws:Network", name, {}, opts);
    validateNetworkArgs(args);
    const t = args.transform ?? {};
    const tags = args.tags ?? {};
    const cidrBlock = args.cidrBlock ?? "10.0.0.0/16";
    const natGateways = args.natGateways ?? 0;
    const zones: pulumi.Input<string>[] =
      args.availabilityZones ??
      Array.from({ length: ZONES }, (_, i) =>
        aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this }).names.apply((names) => {
          const zone = names[i];
          if (!zone) throw new Error(`Network: the region has fewer than ${ZONES} available zones`);
          return zone;
        }),
      );
    const [publicCidrs, privateCidrs] = splitInHalf(subnetCidrs(cidrBlock, ZONES * 2));

    const vpc = new aws.ec2.Vpc(
      ...transform(
        t.vpc,
        `${name}-vpc`,
        { cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: nameTags(name, tags) },
        { parent: this },
      ),
    );
    new aws.ec2.DefaultSecurityGroup(
      ...transform(
        t.defaultSecurityGroup,
        `${name}-default-sg`,
        { vpcId: vpc.id, ingress: [], egress: [], tags: nameTags(`${name}-default-unused`, tags) },
        { parent: this },
      ),
    );
    const igw = new aws.ec2.InternetGateway(
      ...transform(
        t.internetGateway,
        `${name}-igw`,
        { vpcId: vpc.id, tags: nameTags(name, tags) },
        { parent: this },
      ),
    );

    const subnet = (tier: "public" | "private", i: number, cidr: string) =>
      new aws.ec2.Subnet(
        ...transform(
          t.subnet,
          `${name}-${tier}-${i + 1}`,
          {
            vpcId: vpc.id,
            cidrBlock: cidr,
            availabilityZone: zones[i],
            mapPublicIpOnLaunch: false,
            tags: nameTags(`${name}-${tier}-${i + 1}`, { ...tags, tier }),
          },
          { parent: this },
        ),
      );
    const publicSubnets = publicCidrs.map((cidr, i) => subnet("public", i, cidr));
    const privateSubnets = privateCidrs.map((cidr, i) => subnet("private", i, cidr));

    const routeTable = (suffix: string) =>
      new aws.ec2.RouteTable(
        ...transform(
          t.routeTable,
          `${name}-${suffix}`,
          { vpcId: vpc.id, tags: nameTags(`${name}-${suffix}`, tags) },
          { parent: this },
        ),
      );
    const associate = (suffix: string, table: aws.ec2.RouteTable, subnetId: pulumi.Input<string>) =>
      new aws.ec2.RouteTableAssociation(
        ...transform(
          t.routeTableAssociation,
          `${name}-${suffix}`,
          { routeTableId: table.id, subnetId },
          { parent: this },
        ),
      );
    const route = (suffix: string, args: aws.ec2.RouteArgs) =>
      new aws.ec2.Route(...transform(t.route, `${name}-${suffix}`, args, { parent: this }));

    const publicTable = routeTable("public");
    route("public-internet", {
      routeTableId: publicTable.id,
      destinationCidrBlock: ANYWHERE,
      gatewayId: igw.id,
    });
    for (const [i, s] of publicSubnets.entries()) associate(`public-${i + 1}`, publicTable, s.id);

    const nats = publicSubnets.slice(0, natGateways).map((s, i) => {
      const eip = new aws.ec2.Eip(
        ...transform(
          t.eip,
          `${name}-nat-${i + 1}`,
          { domain: "vpc", tags: nameTags(`${name}-nat-${i + 1}`, tags) },
          { parent: this },
        ),
      );
      return new aws.ec2.NatGateway(
        ...transform(
          t.natGateway,
          `${name}-nat-${i + 1}`,
          { allocationId: eip.id, subnetId: s.id, tags: nameTags(`${name}-nat-${i + 1}`, tags) },
          { parent: this, dependsOn: [igw] },
        ),
      );
    });
    const privateTables = privateSubnets.map((s, i) => {
      const table = routeTable(`private-${i + 1}`);
      associate(`private-${i + 1}`, table, s.id);
      const nat = nats[Math.min(i, nats.length - 1)];
      if (nat)
        route(`private-${i + 1}-nat`, {
          routeTableId: table.id,
          destinationCidrBlock: ANYWHERE,
          natGatewayId: nat.id,
        });
      return table;
    });

    const region = aws.getRegionOutput({}, { parent: this }).region;
    for (const service of args.gatewayEndpoints ?? ["s3", "dynamodb"]) {
      new aws.ec2.VpcEndpoint(
        ...transform(
          t.vpcEndpoint,
          `${name}-${service}`,
          {
            vpcId: vpc.id,
            serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
            vpcEndpointType: "Gateway",
            routeTableIds: [publicTable.id, ...privateTables.map((table) => table.id)],
            tags: nameTags(`${name}-${service}`, tags),
          },
          { parent: this },
        ),
      );
    }

    const flowLogDays = args.flowLogRetentionDays ?? 0;
    if (flowLogDays > 0) {
      const group = new aws.cloudwatch.LogGroup(
        ...transform(
          t.flowLogGroup,
          `${name}-flow-logs`,
          { name: `/vpc/${name}/flow-logs`, retentionInDays: flowLogDays, tags },
          { parent: this },
        ),
      );
      const role = new aws.iam.Role(
        ...transform(
          t.flowLogRole,
          `${name}-flow-logs`,
          {
            assumeRolePolicy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                  Action: "sts:AssumeRole",
                },
              ],
            }),
            inlinePolicies: [
              {
                name: "write-flow-logs",
                policy: group.arn.apply((arn) =>
                  JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                      {
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: [arn, `${arn}:*`],
                      },
                    ],
                  }),
                ),
              },
            ],
            tags,
          },
          { parent: this },
        ),
      );
      new aws.ec2.FlowLog(
        ...transform(
          t.flowLog,
          `${name}-flow-logs`,
          {
            vpcId: vpc.id,
            trafficType: "REJECT",
            logDestinationType: "cloud-watch-logs",
            logDestination: group.arn,
            iamRoleArn: role.arn,
            maxAggregationInterval: 600,
            tags: nameTags(`${name}-flow-logs`, tags),
          },
          { parent: this },
        ),
      );
    }

    const securityGroup = (suffix: string, args: aws.ec2.SecurityGroupArgs) =>
      new aws.ec2.SecurityGroup(
        ...transform(
          t.securityGroup,
          `${name}-${suffix}`,
          { ...args, vpcId: vpc.id, tags: nameTags(`${name}-${suffix}`, tags) },
          { parent: this },
        ),
      );
    const publicPorts = args.publicPorts ?? [80, 443];
    const alb = securityGroup("alb", {
      description: "Load balancer: the public ports from anywhere",
      ingress: publicPorts.map((port) => ({
        description: `public port ${port}`,
        protocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrBlocks: [ANYWHERE],
      })),
      egress: [
        {
          description: "to the VPC (the fleet's dynamic host ports)",
          protocol: "tcp",
          fromPort: EPHEMERAL_PORTS.from,
          toPort: EPHEMERAL_PORTS.to,
          cidrBlocks: [cidrBlock],
        },
      ],
    });
    const fleet = securityGroup("fleet", {
      description: "Fleet instances: task ports from the load balancer and from the fleet itself",
      ingress: [
        {
          description: "task host ports from the load balancer",
          protocol: "tcp",
          fromPort: EPHEMERAL_PORTS.from,
          toPort: EPHEMERAL_PORTS.to,
          securityGroups: [alb.id],
        },
        {
          description: "service-to-service calls inside the fleet",
          protocol: "tcp",
          fromPort: EPHEMERAL_PORTS.from,
          toPort: EPHEMERAL_PORTS.to,
          self: true,
        },
      ],
      egress: [
        {
          description: "AWS APIs (ECS, ECR, logs, Secrets Manager), data services and image pulls",
          protocol: "-1",
          fromPort: 0,
          toPort: 0,
          cidrBlocks: [ANYWHERE],
        },
      ],
    });
    this.dataSecurityGroupIds = {};
    for (const [service, ports] of Object.entries(args.dataServices ?? {})) {
      this.dataSecurityGroupIds[service] = securityGroup(service, {
        description: `${service}: only from the fleet`,
        ingress: ports.map((port) => ({
          description: `${service} port ${port} from the fleet`,
          protocol: "tcp",
          fromPort: port,
          toPort: port,
          securityGroups: [fleet.id],
        })),
        egress: [],
      }).id;
    }

    this.vpcId = vpc.id;
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.fleetNeedsPublicIp = natGateways === 0;
    this.fleetSubnetIds = this.fleetNeedsPublicIp ? this.publicSubnetIds : this.privateSubnetIds;
    this.albSecurityGroupId = alb.id;
    this.fleetSecurityGroupId = fleet.id;
    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      albSecurityGroupId: this.albSecurityGroupId,
      fleetSecurityGroupId: this.fleetSecurityGroupId,
      dataSecurityGroupIds: this.dataSecurityGroupIds,
    });
  }
}

function splitInHalf<T>(items: T[]): [T[], T[]] {
  const half = items.length / 2;
  return [items.slice(0, half), items.slice(half)];
}

export function validateNetworkArgs(args: NetworkArgs): void {
  if (args.availabilityZones && args.availabilityZones.length !== ZONES)
    throw new Error(`Network: availabilityZones must list exactly ${ZONES} zones`);
  if (args.natGateways !== undefined && ![0, 1, 2].includes(args.natGateways))
    throw new Error(`Network: natGateways must be 0, 1 or 2 (got ${args.natGateways})`);
  const flowDays = args.flowLogRetentionDays ?? 0;
  if (!(Number.isInteger(flowDays) && flowDays >= 0))
    throw new Error(`Network: flowLogRetentionDays must be a whole number ≥ 0 (got ${flowDays})`);
  for (const port of args.publicPorts ?? []) {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`Network: publicPorts has an invalid port ${port}`);
  }
  for (const [service, ports] of Object.entries(args.dataServices ?? {})) {
    if (ports.length === 0) throw new Error(`Network: dataServices.${service} needs at least one port`);
  }
}
