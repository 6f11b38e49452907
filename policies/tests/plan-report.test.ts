import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = join(__dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");

async function plan(...args: string[]): Promise<string> {
  const { stdout } = await run(tsx, ["scripts/plan.ts", ...args], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return stdout;
}

describe("npm run plan: the policy report", () => {
  it("--json lists every policy as {name, group, level, violations: [{urn, message}]}", async () => {
    const document = JSON.parse(await plan("--stack", "staging", "--json")) as {
      stack: string;
      policies: {
        name: string;
        group: string;
        level: string;
        violations: { urn: string; message: string }[];
      }[];
    };
    assert.equal(document.stack, "staging");
    assert.ok(document.policies.length >= 40);
    for (const p of document.policies) {
      assert.match(p.name, /^[a-z0-9-]+$/);
      assert.ok(["free-tier", "security"].includes(p.group));
      assert.ok(["mandatory", "advisory", "disabled"].includes(p.level));
      for (const v of p.violations) {
        assert.match(v.urn, /^urn:pulumi:staging::battle-ready::/);
        assert.ok(v.message.length > 0);
      }
    }
    // staging has prod's topology: the free-tier rules warn there, naming the resources.
    const natRule = document.policies.find((p) => p.name === "no-nat-gateway")!;
    assert.equal(natRule.level, "advisory");
    assert.ok(natRule.violations.some((v) => v.urn.includes("aws:ec2/natGateway:NatGateway")));
  });

  it("the summary prints each policy with its level, and each violation with its resource", async () => {
    const text = await plan("--stack", "staging");
    assert.match(text, /Policies: \d+ checked, \d+ with violations/);
    assert.match(text, /warn\s+no-nat-gateway\s+free-tier, advisory/);
    assert.match(text, /pass\s+rds-storage-encrypted\s+security, mandatory/);
    assert.match(text, /aws:ec2\/natGateway:NatGateway::/);
  });
});
