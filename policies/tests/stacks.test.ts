import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { evaluateStack } from "../../tests/harness/pulumi-mocks";
import { evaluatePolicies } from "../in-process";

const root = join(__dirname, "..", "..");
const stacks = ["dev", "staging", "prod", "local-cluster"].filter((s) =>
  existsSync(join(root, `Pulumi.${s}.yaml`)),
);

describe("every stack passes its mandatory policies (the check CI runs)", () => {
  for (const stack of stacks) {
    it(`${stack}`, async () => {
      const { resources } = await evaluateStack(stack);
      const reports = await evaluatePolicies(stack, resources);
      assert.ok(reports.length >= 40);
      const blocking = reports
        .filter((r) => r.level === "mandatory")
        .flatMap((r) => r.violations.map((v) => `${r.name}: ${v.message} (${v.urn.split("::").pop()})`));
      assert.deepEqual(blocking, [], `mandatory violations on ${stack}:\n${blocking.join("\n")}`);
    });
  }
});
