import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Transform } from "../shared/transform";

export interface NetworkArgs {
  /** The VPC's IPv4 range; split into /20 (for a /16) subnets, two public and two private. @default "10.0.0.0/16" */
  cidrBlock?: string;
  /** Exactly two availability zones. @default the first two available zones of the region (an invoke) */
  availabilityZones?: pulumi.Input<string>[];
  /**
   * NAT gateways for the private subnets: 0 keeps the private subnets isolated (free tier: the fleet
   * then runs in the public subnets behind security groups that admit only the load balancer),
   * 1 shares one gateway, 2 puts one in each zone.
   * @default 0
   */
  natGateways?: 0 | 1 | 2;
  /** Ports the load balancer opens to the internet. @default [80, 443] */
  publicPorts?: number[];
  /**
   * Data services and their ports; each gets a security group that admits only the fleet's
   * security group on those ports, e.g. `{ mysql: [3306], redis: [6379] }`.
   * @default {}
   */
  dataServices?: Record<string, number[]>;
  /** Gateway endpoints (free) added to every route table. @default ["s3", "dynamodb"] */
  gatewayEndpoints?: ("s3" | "dynamodb")[];
  /**
   * VPC flow logs (rejected traffic only, CIS 3.9) to a CloudWatch log group kept this many days;
   * 0 turns them off (log ingestion is billed).
   * @default 0
   */
  flowLogRetentionDays?: number;
  /** Tags on every resource. @default {} */
  tags?: Record<string, string>;
  transform?: {
    vpc?: Transform<aws.ec2.VpcArgs>;
    defaultSecurityGroup?: Transform<aws.ec2.DefaultSecurityGroupArgs>;
    subnet?: Transform<aws.ec2.SubnetArgs>;
    internetGateway?: Transform<aws.ec2.InternetGatewayArgs>;
    routeTable?: Transform<aws.ec2.RouteTableArgs>;
    route?: Transform<aws.ec2.RouteArgs>;
    routeTableAssociation?: Transform<aws.ec2.RouteTableAssociationArgs>;
    eip?: Transform<aws.ec2.EipArgs>;
    natGateway?: Transform<aws.ec2.NatGatewayArgs>;
    vpcEndpoint?: Transform<aws.ec2.VpcEndpointArgs>;
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    flowLogGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    flowLogRole?: Transform<aws.iam.RoleArgs>;
    flowLog?: Transform<aws.ec2.FlowLogArgs>;
  };
}

/** The ephemeral host ports ECS maps containers to in bridge mode (dynamic host ports). */
export const EPHEMERAL_PORTS = { from: 32768, to: 65535 } as const;
