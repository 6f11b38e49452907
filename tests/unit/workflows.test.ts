import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

const root = join(__dirname, "..", "..");
const dir = join(root, ".github", "workflows");
const validator = join(root, "node_modules", ".bin", "action-validator");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
const load = (file: string) => parse(readFileSync(join(dir, file), "utf8"));

function validate(path: string): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync(validator, [path], { encoding: "utf8", stdio: "pipe" }) };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("GitHub Actions workflows", () => {
  for (const file of files) {
    it(`${file} passes action-validator`, () => {
      const result = validate(join(dir, file));
      assert.ok(result.ok, result.output);
    });
  }

  it("the validator rejects a broken workflow (so the checks above mean something)", () => {
    const broken = join(mkdtempSync(join(tmpdir(), "wf-")), "broken.yml");
    writeFileSync(
      broken,
      "name: broken\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz:\n      - run: true\n",
    );
    assert.equal(validate(broken).ok, false);
  });

  it("pull requests run the tests, then a policy-enforced preview of every stack posted on the PR", () => {
    const wf = load("pull-request.yml");
    assert.match(wf.jobs.test.steps.map((s: { run?: string }) => s.run ?? "").join("\n"), /\.ci\/run/);
    assert.deepEqual(wf.jobs.preview.strategy.matrix.stack, ["dev", "staging", "prod"]);
    const preview = wf.jobs.preview.steps.find((s: { uses?: string }) =>
      s.uses?.startsWith("pulumi/actions"),
    );
    assert.equal(preview.with.command, "preview");
    assert.equal(preview.with.policyPacks, "policies");
    assert.match(preview.with.policyPackConfigs, /policies\/config\/\$\{\{ matrix\.stack \}\}\.json/);
    assert.equal(preview.with["comment-on-pr"], true);
  });

  it("main deploys dev, then staging, then prod, each in its protected environment", () => {
    const wf = load("deploy.yml");
    assert.deepEqual(
      [wf.jobs.dev.needs, wf.jobs.staging.needs, wf.jobs.prod.needs],
      ["test", "dev", "staging"],
    );
    const stack = load("deploy-stack.yml");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
    assert.equal(stack.jobs.up.environment, "${{ inputs.stack }}");
    for (const stage of ["dev", "staging", "prod"]) {
      assert.ok(
        readdirSync(join(root, "policies", "config")).includes(`${stage}.json`),
        `policies/config/${stage}.json exists`,
      );
    }
  });

  it("uses OIDC, never long-lived cloud keys", () => {
    for (const file of files) {
      const text = readFileSync(join(dir, file), "utf8");
      assert.doesNotMatch(
        text,
        /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|PULUMI_ACCESS_TOKEN/,
      );
    }
    assert.equal(load("deploy-stack.yml").permissions["id-token"], "write");
    assert.equal(load("pull-request.yml").jobs.preview.permissions["id-token"], "write");
  });

  it("each pull request's preview also posts the offline policy report, exceptions included", () => {
    const steps = load("pull-request.yml").jobs.preview.steps as { run?: string }[];
    const report = steps.findIndex((step) =>
      /scripts\/plan\.ts --stack \$\{\{ matrix\.stack \}\}/.test(step.run ?? ""),
    );
    assert.ok(report >= 0, "a step runs scripts/plan.ts for the matrix's stack");
    assert.match(steps[report]!.run!, /GITHUB_STEP_SUMMARY/);
    assert.ok(existsSync(join(root, "scripts", "plan.ts")));
  });

  it("a job calling a reusable workflow grants every permission the called one asks for", () => {
    const level = { none: 0, read: 1, write: 2 } as Record<string, number>;
    let calls = 0;
    for (const file of files) {
      const workflow = load(file);
      for (const [name, job] of Object.entries(workflow.jobs as Record<string, Record<string, unknown>>)) {
        if (typeof job.uses !== "string" || !job.uses.startsWith("./")) continue;
        calls++;
        const granted = (job.permissions ?? workflow.permissions ?? {}) as Record<string, string>;
        const called = parse(readFileSync(join(root, job.uses), "utf8"));
        const asked: Record<string, string>[] = [
          called.permissions ?? {},
          ...Object.values(called.jobs as Record<string, { permissions?: Record<string, string> }>).map(
            (j) => j.permissions ?? {},
          ),
        ];
        for (const permissions of asked)
          for (const [scope, access] of Object.entries(permissions))
            assert.ok(
              (level[granted[scope] ?? "none"] ?? 0) >= (level[access] ?? 0),
              `${file} job ${name} grants ${scope}: ${granted[scope] ?? "none"}, ${job.uses} needs ${access}`,
            );
      }
    }
    assert.ok(calls >= 3, "deploy.yml calls deploy-stack.yml for each stack");
  });
});
