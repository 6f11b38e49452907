import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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
});
