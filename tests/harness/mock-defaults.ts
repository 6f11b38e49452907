/**
 * What the mock engine answers by default: outputs a provider would compute for a resource type,
 * and invokes (`aws.get*`, SSM lookups). Anything not listed here makes an invoke throw.
 * Add entries when a component starts using a new invoke or needs a computed output.
 */

type Inputs = Record<string, unknown>;

export type OutputsFor = (name: string, inputs: Inputs) => Inputs;
export type CallHandler = (args: Inputs) => Inputs;

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";

function arn(service: string, resource: string): string {
  return `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
}

/** Computed outputs per resource type token; merged over the inputs. */
export const defaultOutputs: Record<string, OutputsFor> = {
  "aws:ec2/vpc:Vpc": (name) => ({
    arn: arn("ec2", `vpc/${name}`),
    defaultSecurityGroupId: `sg-default-${name}`,
  }),
  "aws:ec2/subnet:Subnet": (name, i) => ({
    arn: arn("ec2", `subnet/${name}`),
    availabilityZone: i.availabilityZone ?? `${REGION}a`,
  }),
  "aws:ec2/securityGroup:SecurityGroup": (name) => ({ arn: arn("ec2", `security-group/${name}`) }),
  "aws:lb/loadBalancer:LoadBalancer": (name) => ({
    arn: arn("elasticloadbalancing", `loadbalancer/app/${name}/abc123`),
    arnSuffix: `app/${name}/abc123`,
    dnsName: `${name}-123456.${REGION}.elb.amazonaws.com`,
    zoneId: "Z32O12XQLNTSW2",
  }),
  "aws:lb/targetGroup:TargetGroup": (name) => ({
    arn: arn("elasticloadbalancing", `targetgroup/${name}/abc123`),
    arnSuffix: `targetgroup/${name}/abc123`,
  }),
  "aws:rds/instance:Instance": (name) => ({
    address: `${name}.abcdefgh.${REGION}.rds.amazonaws.com`,
    endpoint: `${name}.abcdefgh.${REGION}.rds.amazonaws.com:3306`,
    port: 3306,
    arn: arn("rds", `db:${name}`),
    identifier: name,
  }),
  // Autonamed by the provider: the mock answers the logical name, as autonaming would (plus a suffix).
  "aws:rds/parameterGroup:ParameterGroup": (name, i) => ({
    name: i.name ?? name,
    arn: arn("rds", `pg:${i.name ?? name}`),
  }),
  "aws:rds/subnetGroup:SubnetGroup": (name, i) => ({ name: i.name ?? name }),
  "aws:elasticache/subnetGroup:SubnetGroup": (name, i) => ({ name: i.name ?? name }),
  "aws:elasticache/replicationGroup:ReplicationGroup": (name) => ({
    primaryEndpointAddress: `master.${name}.abcdef.euw1.cache.amazonaws.com`,
    readerEndpointAddress: `replica.${name}.abcdef.euw1.cache.amazonaws.com`,
    configurationEndpointAddress: `clustercfg.${name}.abcdef.euw1.cache.amazonaws.com`,
    port: 6379,
    arn: arn("elasticache", `replicationgroup:${name}`),
  }),
  "aws:mq/broker:Broker": (name, i) => ({
    arn: arn("mq", `broker:${name}:b-1234`),
    brokerName: i.brokerName ?? name,
    // Like Amazon MQ: one instance, or two for active/standby (suffixed -1 and -2).
    instances: [1, 2].slice(0, i.deploymentMode === "ACTIVE_STANDBY_MULTI_AZ" ? 2 : 1).map((n) => ({
      consoleUrl: `https://b-1234-${n}.mq.${REGION}.amazonaws.com:8162`,
      endpoints: [`stomp+ssl://b-1234-${n}.mq.${REGION}.amazonaws.com:61614`],
      ipAddress: `10.0.${n}.10`,
    })),
  }),
  "aws:dynamodb/table:Table": (name) => ({ arn: arn("dynamodb", `table/${name}`), streamArn: "" }),
  "aws:secretsmanager/secret:Secret": (name) => ({ arn: arn("secretsmanager", `secret:${name}-AbCdEf`) }),
  "aws:sns/topic:Topic": (name) => ({ arn: arn("sns", name) }),
  "aws:ecs/cluster:Cluster": (name, i) => ({ arn: arn("ecs", `cluster/${name}`), name: i.name ?? name }),
  "aws:ecs/capacityProvider:CapacityProvider": (name, i) => ({
    arn: arn("ecs", `capacity-provider/${name}`),
    name: i.name ?? name,
  }),
  "aws:ecs/taskDefinition:TaskDefinition": (name) => ({
    arn: arn("ecs", `task-definition/${name}:1`),
    revision: 1,
  }),
  "aws:ecs/service:Service": (name) => ({ id: arn("ecs", `service/${name}`) }),
  "aws:ecr/repository:Repository": (name) => ({
    arn: arn("ecr", `repository/${name}`),
    repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}`,
    registryId: ACCOUNT,
  }),
  "aws:iam/role:Role": (name) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${name}` }),
  "aws:iam/instanceProfile:InstanceProfile": (name) => ({
    arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`,
  }),
  "aws:kms/key:Key": (name) => ({ arn: arn("kms", `key/${name}`), keyId: `key-${name}` }),
  "aws:cloudwatch/logGroup:LogGroup": (name, i) => ({ arn: arn("logs", `log-group:${i.name ?? name}`) }),
  "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": (name) => ({
    arn: arn("servicediscovery", `namespace/${name}`),
    hostedZone: "Z0HOSTED",
  }),
  "aws:servicediscovery/service:Service": (name) => ({ arn: arn("servicediscovery", `service/${name}`) }),
  "aws:autoscaling/group:Group": (name) => ({ arn: arn("autoscaling", `autoScalingGroup:${name}`) }),
  "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1 }),
  "aws:s3/bucket:Bucket": (name) => ({ arn: `arn:aws:s3:::${name}`, bucket: name }),
  "aws:s3/bucketV2:BucketV2": (name) => ({ arn: `arn:aws:s3:::${name}`, bucket: name }),
  "aws:backup/vault:Vault": (name) => ({ arn: arn("backup", `backup-vault:${name}`) }),
  "aws:backup/plan:Plan": (name) => ({ arn: arn("backup", `backup-plan:${name}`) }),
  "random:index/randomPassword:RandomPassword": (name) => ({ result: `MOCKSECRET-${name}-4f1c9a` }),
  "docker:index/image:Image": (name, i) => ({
    repoDigest: `${String(i.imageName ?? name)}@sha256:${"0".repeat(64)}`,
  }),
};

/** Invokes answered by default, by token. */
export const defaultCalls: Record<string, CallHandler> = {
  "aws:index/getRegion:getRegion": () => ({ name: REGION, region: REGION, id: REGION }),
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
    userId: "AIDA",
  }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
  // eu-west-1's Elastic Load Balancing account (access-log delivery in regions older than 2022-08).
  "aws:elb/getServiceAccount:getServiceAccount": () => ({
    arn: "arn:aws:iam::156460612806:root",
    id: "156460612806",
    region: REGION,
  }),
  "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
    names: [`${REGION}a`, `${REGION}b`, `${REGION}c`],
    zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"],
  }),
  "aws:ssm/getParameter:getParameter": (args) => ({
    name: args.name,
    type: "String",
    value: String(args.name).includes("ecs") ? "ami-0ecs0optimized0000" : "mock-parameter-value",
  }),
  "aws:ecr/getAuthorizationToken:getAuthorizationToken": (args) => ({
    authorizationToken: "QVdTOm1vY2stZWNyLXBhc3N3b3Jk",
    proxyEndpoint: `https://${args.registryId ?? ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
    userName: "AWS",
    password: "mock-ecr-password",
    expiresAt: "2030-01-01T00:00:00Z",
  }),
  "aws:iam/getPolicyDocument:getPolicyDocument": (args) => ({
    json: JSON.stringify({ Version: "2012-10-17", Statement: args.statements ?? [] }),
  }),
};
