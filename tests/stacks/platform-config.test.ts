import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_DEFAULTS, type ConfigKey, parsePlatformConfig } from "../../platform/config";
import { loadStackConfig, readProjectFile } from "../harness/stack-files";
import { runStack } from "./stack-run";

const STACKS = ["dev", "staging", "prod"];

function parse(values: Record<string, string>) {
  return parsePlatformConfig((key) => values[key]);
}

function fileValues(stack: string): Record<string, string> {
  const { values } = loadStackConfig(stack);
  return Object.fromEntries(
    Object.entries(values)
      .filter(([k]) => k.startsWith("battle-ready:"))
      .map(([k, v]) => [k.slice("battle-ready:".length), v]),
  );
}

describe("platform config", () => {
  it("declares in Pulumi.yaml every key, with the same defaults as the parser", () => {
    const declared = readProjectFile().config ?? {};
    assert.deepEqual(Object.keys(declared).sort(), Object.keys(CONFIG_DEFAULTS).sort());
    for (const [key, declaration] of Object.entries(declared)) {
      assert.deepEqual(declaration.default, CONFIG_DEFAULTS[key as ConfigKey], key);
      assert.ok(declaration.description && declaration.type, `${key} has a type and a description`);
    }
  });

  it("declares config types the engine accepts: arrays name their items' type", () => {
    const root = mkdtempSync(join(tmpdir(), "battle-ready-project-"));
    try {
      const write = (config: string) =>
        writeFileSync(join(root, "Pulumi.yaml"), `name: p\nruntime: nodejs\nconfig:\n${config}`);
      write("  zones:\n    type: array\n    default: []\n");
      assert.throws(() => readProjectFile(root), /config zones: declares an array but does not specify/);
      write("  size:\n    type: number\n");
      assert.throws(() => readProjectFile(root), /config size: type must be one of/);
      write("  zones:\n    type: array\n    items:\n      type: string\n");
      assert.doesNotThrow(() => readProjectFile(root));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    assert.doesNotThrow(() => readProjectFile(), "the project's own Pulumi.yaml");
  });

  it("parses the defaults into a free-tier-sized platform", () => {
    const config = parse({});
    assert.equal(config.realization, "aws");
    assert.equal(config.fleet.instanceType, "t3.micro");
    assert.equal(config.network.natGateways, 0);
    assert.equal(config.dynamodb.capacityBudget, 25);
    assert.equal(config.fleet.certificateArn, undefined);
  });

  for (const stack of STACKS) {
    it(`parses Pulumi.${stack}.yaml`, () => {
      const config = parse(fileValues(stack));
      assert.equal(config.realization, "aws");
    });
  }

  it("names the bad key and says what is wrong", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { fleetMinInstances: "3", fleetMaxInstances: "2" },
        /config battle-ready:fleetMaxInstances: must be ≥ fleetMinInstances \(2 < 3\)$/,
      ],
      [{ natGateways: "3" }, /battle-ready:natGateways: must be between 0 and 2/],
      [{ fleetMinInstances: "two" }, /battle-ready:fleetMinInstances: must be an integer/],
      [{ mysqlMultiAz: "yes" }, /battle-ready:mysqlMultiAz: must be true or false/],
      [{ realization: "nomad" }, /battle-ready:realization: must be one of aws, kubernetes/],
      [{ mqDeploymentMode: "ACTIVE_STANDBY_MULTI_AZ" }, /battle-ready:mqDeploymentMode: .*mq\.m5\.large/],
      [{ mysqlMaxStorageGiB: "20" }, /battle-ready:mysqlMaxStorageGiB: must be 0/],
      [{ logRetentionDays: "10" }, /battle-ready:logRetentionDays: must be one of CloudWatch's periods/],
      [
        { backupContinuous: "true", backupRetentionDays: "90" },
        /battle-ready:backupRetentionDays: continuous/,
      ],
      [{ alertEmails: '["not-an-address"]' }, /battle-ready:alertEmails: "not-an-address" is not an e-mail/],
      [{ certificateArn: "my-cert" }, /battle-ready:certificateArn: must be an ACM certificate ARN/],
      [{ imageTag: "latest" }, /battle-ready:imageTag: must be a Docker tag other than latest/],
      [{ availabilityZones: '["eu-west-1a"]' }, /battle-ready:availabilityZones: must list exactly 2 zones/],
      [{ awsEndpoint: "localhost" }, /battle-ready:awsEndpoint: must be a base URL/],
    ];
    for (const [values, message] of cases)
      assert.throws(() => parse(values), message, JSON.stringify(values));
  });

  it("a stack file whose config no longer evaluates fails the program with the key named", async () => {
    await assert.rejects(
      runStack("dev", { "battle-ready:fleetMaxInstances": "0", "battle-ready:imageTag": "ci-1" }),
      /config battle-ready:fleetMaxInstances: must be between 1 and 100/,
    );
  });
});
