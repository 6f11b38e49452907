import assert from "node:assert/strict";
import { type MockRun, ofType, single } from "../harness/pulumi-mocks";
import { loadStackConfig } from "../harness/stack-files";
import { runStack } from "./stack-run";

/** CI deploys prebuilt images: `pulumi up --config battle-ready:imageTag=<git sha>`. */
const CI = { "battle-ready:imageTag": "ci-0123abc" };
const STACKS = ["dev", "staging", "prod"] as const;

function configured(stack: string, key: string): number {
  const value = loadStackConfig(stack).values[`battle-ready:${key}`];
  assert.ok(value !== undefined, `Pulumi.${stack}.yaml sets ${key}`);
  return Number(value);
}

describe("AWS stacks: ALB access logs", () => {
  const runs = new Map<string, MockRun<Record<string, unknown>>>();
  before(async function () {
    this.timeout(120_000);
    for (const stack of STACKS) runs.set(stack, await runStack(stack, CI));
  });

  for (const stack of STACKS) {
    describe(stack, () => {
      it("the ALB logs to its own bucket, expiring after albAccessLogRetentionDays", () => {
        const { resources } = runs.get(stack)!;
        const days = configured(stack, "albAccessLogRetentionDays");
        assert.ok(days > 0, "access logs are on");
        const bucket = single(resources, "aws:s3/bucket:Bucket", "fleet-alb-logs");
        const lifecycle = single(
          resources,
          "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
          "fleet-alb-logs",
        );
        assert.equal(lifecycle.inputs.bucket, `${bucket.name}-id`);
        assert.deepEqual((lifecycle.inputs.rules as { expiration: unknown }[])[0]?.expiration, { days });
        const alb = single(resources, "aws:lb/loadBalancer:LoadBalancer").inputs;
        assert.deepEqual(alb.accessLogs, { bucket: "fleet-alb-logs", prefix: "alb", enabled: true });
        assert.equal(
          bucket.inputs.forceDestroy,
          loadStackConfig(stack).values["battle-ready:deletionProtection"] !== "true",
          "the bucket outlives a stack with deletion protection",
        );
      });
    });
  }

  it("albAccessLogRetentionDays 0 turns access logs off: no bucket, and the ALB logs nothing", async () => {
    const run = await runStack("dev", { ...CI, "battle-ready:albAccessLogRetentionDays": "0" });
    assert.equal(ofType(run.resources, "aws:s3/bucket:Bucket").length, 0);
    assert.equal(single(run.resources, "aws:lb/loadBalancer:LoadBalancer").inputs.accessLogs, undefined);
  });
});
