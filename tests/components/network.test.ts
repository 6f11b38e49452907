import assert from "node:assert/strict";
import { AwsNetwork, subnetCidrs } from "../../components/network";
import { ofType, runUnderMocks } from "../harness/pulumi-mocks";

describe("Network (aws)", () => {
  it("lays out /20 subnets from a /16", () => {
    assert.deepEqual(subnetCidrs("10.0.0.0/16", 4), [
      "10.0.0.0/20",
      "10.0.16.0/20",
      "10.0.32.0/20",
      "10.0.48.0/20",
    ]);
    assert.deepEqual(subnetCidrs("172.16.64.0/18", 2, 2), ["172.16.64.0/20", "172.16.80.0/20"]);
    assert.throws(() => subnetCidrs("10.0.0.1/16", 2), /host bits/);
    assert.throws(() => subnetCidrs("10.0.0.0/26", 2), /too small/);
  });

  it("without NAT: isolated private subnets, the fleet in public subnets, gateway endpoints", async () => {
    const { resources } = await runUnderMocks(() => {
      const net = new AwsNetwork("net", { dataServices: { mysql: [3306], redis: [6379] } });
      return { fleetNeedsPublicIp: net.fleetNeedsPublicIp };
    });
    assert.equal(ofType(resources, "aws:ec2/natGateway:NatGateway").length, 0);
    assert.equal(ofType(resources, "aws:ec2/eip:Eip").length, 0);
    const subnets = ofType(resources, "aws:ec2/subnet:Subnet");
    assert.equal(subnets.length, 4);
    assert.deepEqual(
      new Set(subnets.map((s) => s.inputs.availabilityZone)),
      new Set(["eu-west-1a", "eu-west-1b"]),
    );
    assert.ok(subnets.every((s) => s.inputs.mapPublicIpOnLaunch === false));
    const routes = ofType(resources, "aws:ec2/route:Route");
    assert.equal(routes.length, 1, "only the public route table has a default route");
    const endpoints = ofType(resources, "aws:ec2/vpcEndpoint:VpcEndpoint");
    assert.deepEqual(endpoints.map((e) => e.inputs.serviceName).sort(), [
      "com.amazonaws.eu-west-1.dynamodb",
      "com.amazonaws.eu-west-1.s3",
    ]);
    assert.ok(endpoints.every((e) => e.inputs.vpcEndpointType === "Gateway"));
    assert.ok(endpoints.every((e) => (e.inputs.routeTableIds as unknown[]).length === 3));
  });

  it("security groups: the ALB alone is open to the internet, data services admit only the fleet", async () => {
    const { resources } = await runUnderMocks(
      () => void new AwsNetwork("net", { dataServices: { mysql: [3306], activemq: [61614] } }),
    );
    const groups = ofType(resources, "aws:ec2/securityGroup:SecurityGroup");
    const byName = Object.fromEntries(groups.map((g) => [g.name, g.inputs]));
    type Rule = { cidrBlocks?: string[]; securityGroups?: string[]; fromPort: number; self?: boolean };
    const ingress = (n: string) => (byName[n]?.ingress ?? []) as Rule[];
    assert.deepEqual(
      ingress("net-alb").map((r) => [r.fromPort, r.cidrBlocks]),
      [
        [80, ["0.0.0.0/0"]],
        [443, ["0.0.0.0/0"]],
      ],
    );
    const fleetId = "net-fleet-id";
    for (const rule of ingress("net-fleet")) {
      assert.equal(rule.cidrBlocks, undefined, "the fleet admits no CIDR range");
      assert.ok(rule.self || rule.securityGroups?.includes("net-alb-id"));
    }
    assert.deepEqual(ingress("net-mysql"), [
      {
        description: "mysql port 3306 from the fleet",
        protocol: "tcp",
        fromPort: 3306,
        toPort: 3306,
        securityGroups: [fleetId],
      },
    ]);
    assert.deepEqual(ingress("net-activemq")[0]?.securityGroups, [fleetId]);
    const defaults = ofType(resources, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    assert.equal(defaults.length, 1);
    assert.deepEqual(defaults[0]!.inputs.ingress, []);
  });

  it("with NAT: private subnets route through it and host the fleet", async () => {
    const { resources, outputs } = await runUnderMocks(() => {
      const net = new AwsNetwork("net", { natGateways: 2, availabilityZones: ["us-east-1a", "us-east-1b"] });
      return { fleetNeedsPublicIp: net.fleetNeedsPublicIp, fleetSubnets: net.fleetSubnetIds };
    });
    assert.equal(ofType(resources, "aws:ec2/natGateway:NatGateway").length, 2);
    assert.equal(outputs.fleetNeedsPublicIp, false);
    assert.deepEqual(outputs.fleetSubnets, ["net-private-1-id", "net-private-2-id"]);
    const natRoutes = ofType(resources, "aws:ec2/route:Route").filter((r) => r.inputs.natGatewayId);
    assert.deepEqual(natRoutes.map((r) => r.inputs.natGatewayId).sort(), ["net-nat-1-id", "net-nat-2-id"]);
  });

  it("logs rejected traffic when flow logs are on, with retention", async () => {
    const { resources } = await runUnderMocks(() => void new AwsNetwork("net", { flowLogRetentionDays: 30 }));
    const flow = ofType(resources, "aws:ec2/flowLog:FlowLog");
    assert.equal(flow.length, 1);
    assert.equal(flow[0]!.inputs.trafficType, "REJECT");
    assert.equal(flow[0]!.inputs.logDestinationType, "cloud-watch-logs");
    const group = ofType(resources, "aws:cloudwatch/logGroup:LogGroup");
    assert.equal(group[0]!.inputs.retentionInDays, 30);
    const off = await runUnderMocks(() => void new AwsNetwork("net", {}));
    assert.equal(ofType(off.resources, "aws:ec2/flowLog:FlowLog").length, 0);
  });

  it("rejects conflicting args synchronously", () => {
    assert.throws(() => new AwsNetwork("bad", { availabilityZones: ["a"] }), /exactly 2 zones/);
  });

  it("creates every child type, each parented to the component", async () => {
    const { resources } = await runUnderMocks(
      () =>
        void new AwsNetwork("net", {
          natGateways: 1,
          flowLogRetentionDays: 7,
          dataServices: { mysql: [3306] },
        }),
    );
    assert.deepEqual(
      new Set(resources.filter((r) => r.custom).map((r) => r.type)),
      new Set([
        "aws:ec2/vpc:Vpc",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/route:Route",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/eip:Eip",
        "aws:ec2/natGateway:NatGateway",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:iam/role:Role",
        "aws:ec2/flowLog:FlowLog",
      ]),
    );
    const component = resources.find((r) => r.type === "battle-ready:aws:Network")!;
    for (const r of resources.filter((r) => r.custom)) assert.equal(r.parent, component.urn, r.name);
  });
});
