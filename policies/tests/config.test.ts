import assert from "node:assert/strict";
import { levelOf, loadPolicyConfig, settingsOf } from "../in-process";
import { policies } from "../registry";

const expectedFreeTier: Record<string, string> = { dev: "mandatory", staging: "advisory", prod: "disabled" };

describe("policy enforcement per stack (policies/config/<stack>.json)", () => {
  for (const [stack, level] of Object.entries(expectedFreeTier)) {
    it(`${stack}: free tier is ${level}, security is mandatory`, () => {
      const config = loadPolicyConfig(stack);
      for (const p of policies) {
        assert.equal(
          levelOf(p, config),
          p.group === "free-tier" ? level : "mandatory",
          `${p.name} on ${stack}`,
        );
      }
    });
  }

  it("prod requires deletion protection and HTTPS; the other stacks say so explicitly", () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const config = loadPolicyConfig(stack);
      const required = (name: string, key: string) =>
        settingsOf(policies.find((p) => p.name === name)!, config)[key];
      assert.equal(required("rds-deletion-protection", "required"), stack === "prod");
      assert.equal(required("dynamodb-deletion-protection", "required"), stack === "prod");
      assert.equal(required("alb-https-redirect", "requireHttps"), stack === "prod");
    }
  });

  it("every exception names a resource and gives a reason", () => {
    for (const stack of ["dev", "staging", "prod", "local-cluster"]) {
      const config = loadPolicyConfig(stack);
      for (const p of policies) {
        for (const e of settingsOf(p, config).exceptions ?? []) {
          assert.ok(e.resource, `${stack}/${p.name}: exception without a resource`);
          assert.ok(
            e.reason && e.reason.trim().length >= 10,
            `${stack}/${p.name}: exception for ${e.resource} without a reason`,
          );
        }
      }
    }
  });

  it("names only policies that exist", () => {
    const names = new Set(policies.map((p) => p.name));
    for (const stack of ["dev", "staging", "prod", "local-cluster"]) {
      for (const key of Object.keys(loadPolicyConfig(stack))) {
        if (key !== "all") assert.ok(names.has(key), `${stack}.json names unknown policy ${key}`);
      }
    }
  });
});

describe("docs/policies.md", () => {
  it("lists every policy of the registry", async () => {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "policies.md"), "utf8");
    const missing = policies.filter((p) => !doc.includes(`| \`${p.name}\` |`)).map((p) => p.name);
    assert.deepEqual(missing, []);
  });
});
