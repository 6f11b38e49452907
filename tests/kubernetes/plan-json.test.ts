import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalog } from "../../catalog";

const root = join(__dirname, "..", "..");

/** `npm run plan -- --stack local-cluster --json`, stdout to a file as a shell redirect would. */
async function plan(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "k8s-plan-"));
  const file = join(dir, "plan.json");
  const fd = openSync(file, "w");
  try {
    const child = spawn(
      process.execPath,
      [require.resolve("tsx/cli"), "scripts/plan.ts", "--stack", "local-cluster", "--json"],
      { cwd: root, stdio: ["ignore", fd, "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    if (code !== 0) throw new Error(`plan exited ${code}: ${stderr}`);
    return readFileSync(file, "utf8");
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the plan of the local cluster must list. */
const EXPECTED = [
  "kubernetes:core/v1:Namespace",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:Deployment",
  "kubernetes:core/v1:Service",
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  "kubernetes:policy/v1:PodDisruptionBudget",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  "kubernetes:networking.k8s.io/v1:Ingress",
  "kubernetes:batch/v1:CronJob",
  "kubernetes:batch/v1:Job",
  "kubernetes:core/v1:Secret",
  "kubernetes:core/v1:ConfigMap",
  "kubernetes:helm.sh/v3:Release",
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  "random:index/randomPassword:RandomPassword",
  "aws:s3/bucket:Bucket",
];

describe("npm run plan -- --stack local-cluster --json", function () {
  this.timeout(180_000);

  it("lists every Kubernetes object, passes the policy pack and prints no secret", async () => {
    const text = await plan();
    const document = JSON.parse(text) as {
      stack: string;
      resources: { type: string; name: string }[];
      policies: { name: string; level: string; violations: unknown[] }[];
    };
    assert.equal(document.stack, "local-cluster");
    const types = new Set(document.resources.map((r) => r.type));
    for (const t of EXPECTED) assert.ok(types.has(t), `plan lists ${t}`);
    const deployments = document.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment");
    assert.equal(deployments.length, catalog.filter((s) => s.kind !== "job").length);
    const failing = document.policies.filter((p) => p.level === "mandatory" && p.violations.length > 0);
    assert.deepEqual(
      failing.map((p) => p.name),
      [],
    );
    assert.doesNotMatch(text, /MOCKSECRET/, "generated passwords never appear in the plan");
    assert.match(text, /\[secret\]/);
  });
});
