import assert from "node:assert/strict";
import { AwsServiceFleet, type FleetService, type ServiceFleetArgs } from "../../components/service-fleet";
import type { AccessLogTransforms } from "../../components/service-fleet/aws-access-logs";
import { ofType, runUnderMocks, single } from "../harness/pulumi-mocks";

const network: ServiceFleetArgs["network"] = {
  vpcId: "vpc-1",
  albSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
  albSecurityGroupIds: ["sg-alb"],
  instanceSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
  instanceSecurityGroupIds: ["sg-fleet"],
  assignPublicIp: true,
};
const web: FleetService = {
  name: "web",
  system: "demo",
  kind: "service",
  image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:abc",
  port: 8080,
  readinessPath: "/readyz",
  livenessPath: "/healthz",
  publicRoutes: [{ method: "GET", path: "/" }],
  cpu: 256,
  memory: 256,
  scaling: { min: 1, max: 2, cpuTarget: 60 },
};

const BUCKET = "aws:s3/bucket:Bucket";
const BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const ALB = "aws:lb/loadBalancer:LoadBalancer";

interface Statement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

async function deploy(args: Partial<ServiceFleetArgs>) {
  return runUnderMocks(() => void new AwsServiceFleet("fleet", { services: [web], network, ...args }));
}

describe("ServiceFleet (aws): ALB access logs", () => {
  it("a private, SSE-S3, TLS-only bucket whose logs expire, and the ALB writing to it", async () => {
    const { resources } = await deploy({ accessLogs: { retentionDays: 30 } });
    const bucket = single(resources, BUCKET);
    assert.equal(bucket.name, "fleet-alb-logs");
    assert.equal(bucket.inputs.forceDestroy, true, "without deletion protection the bucket may go");
    const bucketId = `${bucket.name}-id`;

    const block = single(resources, BLOCK).inputs;
    assert.equal(block.bucket, bucketId);
    for (const key of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
      assert.equal(block[key], true, key);

    const sse = single(resources, SSE).inputs;
    assert.equal(sse.bucket, bucketId);
    assert.deepEqual(sse.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);

    const lifecycle = single(resources, LIFECYCLE).inputs;
    assert.equal(lifecycle.bucket, bucketId);
    const [rule] = lifecycle.rules as { status: string; filter: unknown; expiration: unknown }[];
    assert.equal(rule?.status, "Enabled");
    assert.deepEqual(rule?.filter, { prefix: "alb/" });
    assert.deepEqual(rule?.expiration, { days: 30 });

    const policy = single(resources, POLICY).inputs;
    assert.equal(policy.bucket, bucketId);
    const statements = (JSON.parse(String(policy.policy)) as { Statement: Statement[] }).Statement;
    const delivery = statements.find((s) => s.Effect === "Allow");
    assert.deepEqual(delivery?.Principal, {
      Service: "logdelivery.elasticloadbalancing.amazonaws.com",
      AWS: "arn:aws:iam::156460612806:root",
    });
    assert.equal(delivery?.Action, "s3:PutObject");
    assert.equal(delivery?.Resource, "arn:aws:s3:::fleet-alb-logs/alb/AWSLogs/123456789012/*");
    const tls = statements.find((s) => s.Effect === "Deny");
    assert.equal(tls?.Principal, "*");
    assert.equal(tls?.Action, "s3:*");
    assert.deepEqual(tls?.Resource, ["arn:aws:s3:::fleet-alb-logs", "arn:aws:s3:::fleet-alb-logs/*"]);
    assert.deepEqual(tls?.Condition, { Bool: { "aws:SecureTransport": "false" } });
    assert.equal(statements.length, 2, "nothing else is allowed");

    assert.deepEqual(single(resources, ALB).inputs.accessLogs, {
      bucket: "fleet-alb-logs",
      prefix: "alb",
      enabled: true,
    });
  });

  it("keeps the bucket (and its logs) when the fleet has deletion protection; a prefix of choice", async () => {
    const { resources } = await deploy({
      accessLogs: { retentionDays: 90, prefix: "edge" },
      deletionProtection: true,
    });
    assert.equal(single(resources, BUCKET).inputs.forceDestroy, false);
    const [rule] = single(resources, LIFECYCLE).inputs.rules as { filter: unknown; expiration: unknown }[];
    assert.deepEqual(rule?.filter, { prefix: "edge/" });
    assert.deepEqual(rule?.expiration, { days: 90 });
    assert.equal((single(resources, ALB).inputs.accessLogs as { prefix: string }).prefix, "edge");
  });

  it("retention 0 (or no accessLogs) means no bucket and no access logs", async () => {
    for (const args of [{ accessLogs: { retentionDays: 0 } }, {}]) {
      const { resources } = await deploy(args);
      assert.equal(ofType(resources, BUCKET).length, 0);
      assert.equal(ofType(resources, POLICY).length, 0);
      assert.equal(single(resources, ALB).inputs.accessLogs, undefined);
    }
  });
  const EMPTY_POLICY = '{"Version":"2012-10-17","Statement":[]}';

  it("a transform reaches the bucket's public access block, encryption, lifecycle and policy", async () => {
    const transform: ServiceFleetArgs["transform"] & AccessLogTransforms = {
      accessLogPublicAccessBlock: { skipDestroy: true },
      accessLogEncryption: (args) =>
        void Object.assign(args, {
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
        }),
      accessLogLifecycle: { expectedBucketOwner: "123456789012" },
      accessLogPolicy: (args) => void Object.assign(args, { policy: EMPTY_POLICY }),
    };
    const { resources } = await deploy({ accessLogs: { retentionDays: 30 }, transform });
    assert.equal(single(resources, BLOCK).inputs.skipDestroy, true);
    assert.deepEqual(single(resources, SSE).inputs.rules, [
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
    ]);
    const lifecycle = single(resources, LIFECYCLE).inputs;
    assert.equal(lifecycle.expectedBucketOwner, "123456789012");
    assert.equal((lifecycle.rules as unknown[]).length, 1, "a partial merges over the args");
    assert.equal(single(resources, POLICY).inputs.policy, EMPTY_POLICY);
  });
});
