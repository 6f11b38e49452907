import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");

/** Runs the plan command with stdout to a file, as a shell redirect would (a pipe may be cut at exit). */
async function runPlan(stack: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "plan-"));
  const file = join(dir, "plan.json");
  const fd = openSync(file, "w");
  try {
    const child = spawn(
      process.execPath,
      [require.resolve("tsx/cli"), "scripts/plan.ts", "--stack", stack, "--json"],
      {
        cwd: root,
        stdio: ["ignore", fd, "pipe"],
      },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    if (code !== 0) throw new Error(`plan --stack ${stack} exited ${code}: ${stderr}`);
    return readFileSync(file, "utf8");
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What `npm run plan -- --stack <s> --json` must list for the AWS platform (when the catalog uses it). */
const EXPECTED = [
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/vpcEndpoint:VpcEndpoint",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:autoscaling/group:Group",
  "aws:ecs/capacityProvider:CapacityProvider",
  "aws:ecs/cluster:Cluster",
  "aws:ecs/taskDefinition:TaskDefinition",
  "aws:ecs/service:Service",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:lb/targetGroup:TargetGroup",
  "aws:appautoscaling/policy:Policy",
  "aws:servicediscovery/service:Service",
  "aws:rds/instance:Instance",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:mq/broker:Broker",
  "aws:dynamodb/table:Table",
  "aws:secretsmanager/secret:Secret",
  "aws:ecr/repository:Repository",
  "docker:index/image:Image",
  "aws:backup/plan:Plan",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:cloudwatch/dashboard:Dashboard",
  "aws:sns/topic:Topic",
];

describe("npm run plan -- --json (the offline plan of each AWS stack)", function () {
  this.timeout(180_000);
  for (const stack of ["dev", "staging", "prod"]) {
    it(`lists the platform's resources for ${stack}, with no secret value`, async () => {
      const stdout = await runPlan(stack);
      const plan = JSON.parse(stdout) as {
        stack: string;
        resources: { type: string; name: string; inputs: unknown }[];
      };
      assert.equal(plan.stack, stack);
      const types = new Set(plan.resources.map((r) => r.type));
      for (const type of EXPECTED) assert.ok(types.has(type), `${stack} plan lists ${type}`);
      assert.doesNotMatch(stdout, /MOCKSECRET|mock-secret\(|mock-ecr-password/, "no secret value is printed");
      if (stack === "dev") assert.ok(!types.has("aws:ec2/natGateway:NatGateway"), "dev has no NAT gateway");
      else assert.ok(types.has("aws:ec2/natGateway:NatGateway"));
    });
  }
});
