import assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ofType, parentOf, reveal, runUnderMocks, Secret, single } from "../harness/pulumi-mocks";

class Vault extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Vault", name, {}, opts);
    const password = new random.RandomPassword(`${name}-password`, { length: 24 }, { parent: this });
    const secret = new aws.secretsmanager.Secret(`${name}-secret`, {}, { parent: this });
    new aws.secretsmanager.SecretVersion(
      `${name}-version`,
      { secretId: secret.id, secretString: password.result },
      { parent: this },
    );
    // Registered late, inside an apply: the harness must still wait for it.
    secret.arn.apply(
      (arn) => new aws.sns.Topic(`${name}-late`, { displayName: arn.slice(0, 12) }, { parent: this }),
    );
    this.registerOutputs({});
  }
}

describe("Pulumi mock harness", () => {
  it("records every resource with type, name, inputs and parent, including ones created in applies", async () => {
    const { resources } = await runUnderMocks(() => {
      new Vault("v");
    });
    assert.deepEqual(resources.map((r) => r.type).sort(), [
      "aws:secretsmanager/secret:Secret",
      "aws:secretsmanager/secretVersion:SecretVersion",
      "aws:sns/topic:Topic",
      "random:index/randomPassword:RandomPassword",
      "test:index:Vault",
    ]);
    const late = single(resources, "aws:sns/topic:Topic");
    assert.equal(parentOf(resources, late)?.name, "v");
    assert.match(String(late.inputs.displayName), /^arn:aws:secr/);
  });

  it("keeps secret inputs marked secret", async () => {
    const { resources } = await runUnderMocks(() => new Vault("s"));
    const version = single(resources, "aws:secretsmanager/secretVersion:SecretVersion");
    assert.ok(version.inputs.secretString instanceof Secret);
    assert.match(String(reveal(version.inputs.secretString)), /^MOCKSECRET-/);
    assert.equal(JSON.stringify(version.inputs), '{"secretId":"s-secret-id","secretString":"[secret]"}');
  });

  it("throws on an invoke that is not mocked, naming its token", async () => {
    await assert.rejects(
      runUnderMocks(async () => {
        await aws.ec2.getVpc({ default: true });
      }),
      /Mock not implemented: aws:ec2\/getVpc:getVpc/,
    );
  });

  it("fails the run when a mock refuses a resource, instead of waiting forever", async () => {
    await assert.rejects(
      runUnderMocks(() => new Vault("refused"), {
        outputs: ({ type }) => {
          if (type === "aws:sns/topic:Topic") throw new Error("the topic's mock refuses");
          return {};
        },
      }),
      /the topic's mock refuses/,
    );
  });

  it("answers mocked invokes and passes config, with secret keys secret", async () => {
    const { outputs } = await runUnderMocks(
      async () => {
        const config = new pulumi.Config("battle-ready");
        const zones = await aws.getAvailabilityZones();
        return {
          zones: zones.names.length,
          plain: config.require("size"),
          hidden: config.requireSecret("token"),
        };
      },
      {
        config: { "battle-ready:size": "small", "battle-ready:token": "t0ps3cret" },
        secretKeys: ["battle-ready:token"],
      },
    );
    assert.equal(outputs.zones, 3);
    assert.equal(outputs.plain, "small");
    assert.ok((outputs.hidden as unknown) instanceof Secret);
  });

  it("resolves the program's returned outputs", async () => {
    const { outputs, resources } = await runUnderMocks(() => {
      const topic = new aws.sns.Topic("alerts", {});
      return { topicArn: topic.arn };
    });
    assert.equal(ofType(resources, "aws:sns/topic:Topic").length, 1);
    assert.match(String(outputs.topicArn), /^arn:aws:sns:.*:alerts$/);
  });
});
