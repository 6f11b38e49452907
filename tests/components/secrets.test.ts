import assert from "node:assert/strict";
import { AwsSecrets, createSecrets, parseSecretRef, secretRef } from "../../components/secrets";
import { pickRealization } from "../../components/shared/realization";
import { transform } from "../../components/shared/transform";
import { ofType, reveal, runUnderMocks, Secret } from "../harness/pulumi-mocks";

describe("Secrets (aws)", () => {
  it("generates each password and stores it, with its fields, encrypted in state and in Secrets Manager", async () => {
    const { resources, outputs } = await runUnderMocks(() => {
      const secrets = new AwsSecrets("app", {
        prefix: "battle-ready/dev",
        secrets: { "db-master": { fields: { username: "admin" } }, "api-token": { length: 48 } },
      });
      return {
        ref: secretRef(secrets.secret("db-master").arn),
        password: secrets.secret("api-token").password,
      };
    });
    const types = new Set(resources.filter((r) => r.custom).map((r) => r.type));
    assert.deepEqual(
      types,
      new Set([
        "random:index/randomPassword:RandomPassword",
        "aws:secretsmanager/secret:Secret",
        "aws:secretsmanager/secretVersion:SecretVersion",
      ]),
    );
    const passwords = ofType(resources, "random:index/randomPassword:RandomPassword");
    assert.deepEqual(passwords.map((p) => p.inputs.length).sort(), [32, 48]);
    assert.ok(
      passwords.every((p) => p.inputs.special === false),
      "letters and digits only by default",
    );
    const stored = ofType(resources, "aws:secretsmanager/secret:Secret").map((s) => s.inputs.name);
    assert.deepEqual(stored.sort(), ["battle-ready/dev/api-token", "battle-ready/dev/db-master"]);
    const versions = ofType(resources, "aws:secretsmanager/secretVersion:SecretVersion");
    for (const v of versions)
      assert.ok(v.inputs.secretString instanceof Secret, "the secret string is secret");
    const master = versions.find((v) => v.name === "app-db-master")!;
    assert.deepEqual(JSON.parse(reveal(master.inputs.secretString) as string), {
      username: "admin",
      password: "MOCKSECRET-app-db-master-4f1c9a",
    });
    assert.equal(
      outputs.ref,
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-db-master-AbCdEf:password::",
    );
    assert.ok(outputs.password instanceof Secret, "the password output stays secret");
  });

  it("rejects bad names, short passwords and a field named password", () => {
    assert.throws(
      () => new AwsSecrets("s", { prefix: "p", secrets: { Bad_Name: {} } }),
      /lowercase DNS-safe/,
    );
    assert.throws(
      () => new AwsSecrets("s", { prefix: "p", secrets: { short: { length: 8 } } }),
      /at least 16/,
    );
    assert.throws(
      () => new AwsSecrets("s", { prefix: "p", secrets: { x: { fields: { password: "no" } } } }),
      /must not contain "password"/,
    );
    assert.throws(
      () => new AwsSecrets("s", { prefix: "p", recoveryWindowInDays: 3, secrets: {} }),
      /0 or 7-30/,
    );
  });

  it("parses a reference back into ARN and key", () => {
    assert.deepEqual(
      parseSecretRef("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::"),
      {
        arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
        jsonKey: "password",
      },
    );
    assert.equal(parseSecretRef("hunter2"), undefined);
  });
});

describe("component conventions", () => {
  it("a transform hook is a partial merged over the args, or a function editing them", () => {
    const [, merged] = transform({ b: 3 }, "x", { a: 1, b: 2 }, {});
    assert.deepEqual(merged, { a: 1, b: 3 });
    const [name, edited, opts] = transform<{ a: number }>(
      (args, o) => {
        args.a = 9;
        o.protect = true;
      },
      "y",
      { a: 1 },
      {},
    );
    assert.equal(name, "y");
    assert.deepEqual(edited, { a: 9 });
    assert.equal(opts.protect, true);
  });

  it("a transform reaches the child resource", async () => {
    const { resources } = await runUnderMocks(
      () =>
        void new AwsSecrets("s", {
          prefix: "p",
          secrets: { token: {} },
          transform: {
            secret: { description: "from a transform" },
            password: (args) => {
              args.minUpper = 2;
            },
          },
        }),
    );
    assert.equal(
      ofType(resources, "aws:secretsmanager/secret:Secret")[0]!.inputs.description,
      "from a transform",
    );
    assert.equal(ofType(resources, "random:index/randomPassword:RandomPassword")[0]!.inputs.minUpper, 2);
  });

  it("a factory names the realization it lacks, and builds the one asked for", async () => {
    assert.throws(
      () => pickRealization("DataStore", { aws: 1 }, "kubernetes"),
      /DataStore: no kubernetes realization \(available: aws\)/,
    );
    const { outputs } = await runUnderMocks(() => ({
      isAws: createSecrets("aws", "s", { prefix: "p", secrets: {} }) instanceof AwsSecrets,
    }));
    assert.equal(outputs.isAws, true);
  });
});
