import assert from "node:assert/strict";
import { AwsQueueBroker, brokerMetricName, stompHost } from "../../components/queue-broker";
import { runUnderMocks, Secret, single } from "../harness/pulumi-mocks";

const placement = { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-mq"] };

describe("QueueBroker (aws)", () => {
  it("a private single-instance ActiveMQ broker with logs, minor upgrades and a generated password", async () => {
    const { resources, outputs } = await runUnderMocks(() => {
      const mq = new AwsQueueBroker("mq", { placement, queues: ["buffs"] });
      return { host: mq.endpoint.host, port: mq.endpoint.port };
    });
    assert.deepEqual(
      new Set(resources.filter((r) => r.custom).map((r) => r.type)),
      new Set([
        "random:index/randomPassword:RandomPassword",
        "aws:secretsmanager/secret:Secret",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        "aws:mq/broker:Broker",
      ]),
    );
    const broker = single(resources, "aws:mq/broker:Broker").inputs;
    assert.equal(broker.engineType, "ActiveMQ");
    assert.deepEqual(broker.encryptionOptions, { useAwsOwnedKey: true });
    assert.equal(broker.hostInstanceType, "mq.t3.micro");
    assert.equal(broker.deploymentMode, "SINGLE_INSTANCE");
    assert.deepEqual(broker.subnetIds, ["subnet-a"]);
    assert.equal(broker.publiclyAccessible, false);
    assert.equal(broker.autoMinorVersionUpgrade, true);
    assert.deepEqual(broker.logs, { general: true, audit: true });
    // The password is a secret output, so the engine marks the whole users list secret.
    assert.ok(broker.users instanceof Secret, "the broker users (with the password) are a secret input");
    const [user] = broker.users.value as { username: string; password: string }[];
    assert.equal(user?.username, "battleready");
    assert.match(String(user?.password), /^MOCKSECRET-/);
    const policy = single(resources, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy").inputs;
    assert.match(String(policy.policyDocument), /mq\.amazonaws\.com/);
    single(resources, "aws:secretsmanager/secret:Secret");
    assert.deepEqual(outputs, { host: "b-1234-1.mq.eu-west-1.amazonaws.com", port: 61614 });
  });

  it("active/standby across two zones, both instances' hosts in the endpoint for failover", async () => {
    const { resources, outputs } = await runUnderMocks(() => {
      const mq = new AwsQueueBroker("mq", {
        placement,
        instanceType: "mq.m5.large",
        deploymentMode: "ACTIVE_STANDBY_MULTI_AZ",
      });
      return { host: mq.endpoint.host };
    });
    const broker = single(resources, "aws:mq/broker:Broker").inputs;
    assert.equal(broker.deploymentMode, "ACTIVE_STANDBY_MULTI_AZ");
    assert.deepEqual(broker.subnetIds, ["subnet-a", "subnet-b"]);
    assert.equal(outputs.host, "b-1234-1.mq.eu-west-1.amazonaws.com,b-1234-2.mq.eu-west-1.amazonaws.com");
  });

  it("rejects active/standby on a t3 instance synchronously", () => {
    assert.throws(
      () => new AwsQueueBroker("mq", { placement, deploymentMode: "ACTIVE_STANDBY_MULTI_AZ" }),
      /SINGLE_INSTANCE only/,
    );
  });

  it("finds the STOMP host and names CloudWatch's broker dimension", () => {
    assert.equal(
      stompHost(["ssl://b-1.mq.x.amazonaws.com:61617", "stomp+ssl://b-1.mq.x.amazonaws.com:61614"]),
      "b-1.mq.x.amazonaws.com",
    );
    assert.throws(() => stompHost(["ssl://b:61617"]), /no stomp\+ssl endpoint/);
    assert.equal(brokerMetricName("mq-broker-1a2b"), "mq-broker-1a2b-1");
  });
});
