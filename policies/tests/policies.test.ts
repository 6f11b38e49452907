import assert from "node:assert/strict";
import { runPolicy } from "../in-process";
import type { Example, PlatformPolicy } from "../policy";
import { policies } from "../registry";

function asInputs(examples: Example[]) {
  return examples.map((e, i) => {
    const name = e.name ?? `${e.type.split(":").pop()?.toLowerCase()}-${i}`;
    return {
      type: e.type,
      name,
      urn: e.urn ?? `urn:pulumi:test::battle-ready::${e.type}::${name}`,
      props: e.props,
    };
  });
}

function settingsFor(policy: PlatformPolicy) {
  return { ...policy.defaults, ...policy.examples.settings };
}

describe("policy pack: every policy flags a violating resource and passes a compliant one", () => {
  it("has at least 40 policies, uniquely named, each naming its public control", () => {
    assert.ok(policies.length >= 40, `${policies.length} policies`);
    assert.equal(new Set(policies.map((p) => p.name)).size, policies.length);
    for (const p of policies) {
      assert.match(p.name, /^[a-z0-9-]+$/);
      assert.match(
        p.control,
        /Checkov|Security Hub|CIS|Pod Security|Free Tier|NSA|Polaris|kube-score|AWS/,
        p.name,
      );
      assert.ok(p.examples.violating.length > 0 && p.examples.compliant.length > 0, `${p.name} has examples`);
    }
  });

  it("covers both groups", () => {
    const groups = new Set(policies.map((p) => p.group));
    assert.deepEqual([...groups].sort(), ["free-tier", "security"]);
  });

  for (const policy of policies) {
    describe(`${policy.name} (${policy.group})`, () => {
      policy.examples.violating.forEach((example, i) => {
        it(`flags violating example ${i + 1}`, async () => {
          const found = await runPolicy(policy, asInputs(example), settingsFor(policy));
          assert.ok(found.length > 0, `expected a violation for ${JSON.stringify(example)}`);
          for (const v of found) assert.ok(v.message.length > 5);
        });
      });
      policy.examples.compliant.forEach((example, i) => {
        it(`passes compliant example ${i + 1}`, async () => {
          assert.deepEqual(await runPolicy(policy, asInputs(example), settingsFor(policy)), []);
        });
      });
    });
  }

  it("skips a resource named in a written-down exception, and only with a reason", async () => {
    const policy = policies.find((p) => p.name === "no-nat-gateway")!;
    const [example] = policy.examples.violating;
    const inputs = asInputs(example!);
    const name = inputs[0]!.name;
    assert.deepEqual(
      await runPolicy(policy, inputs, {
        exceptions: [{ resource: name, reason: "egress for the legacy partner API" }],
      }),
      [],
    );
    assert.equal(
      (await runPolicy(policy, inputs, { exceptions: [{ resource: name, reason: " " }] })).length,
      1,
    );
  });

  it("reads props through unknownCheckingProxy, like the engine", async () => {
    const policy = policies.find((p) => p.name === "rds-storage-encrypted")!;
    const { unknownCheckingProxy } = await import("@pulumi/policy");
    assert.equal(typeof unknownCheckingProxy, "function");
    const found = await runPolicy(policy, [
      { type: "aws:rds/instance:Instance", name: "db", urn: "urn:db", props: { storageEncrypted: false } },
    ]);
    assert.equal(found[0]?.urn, "urn:db");
  });
});
