import assert from "node:assert/strict";
import { AwsBackupPlan } from "../../components/backup-plan";
import { runUnderMocks, single } from "../harness/pulumi-mocks";

const resources = [
  "arn:aws:rds:eu-west-1:123456789012:db:mysql",
  "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
];

describe("BackupPlan (aws)", () => {
  it("backs up RDS and DynamoDB daily into a vault, with the retention given", async () => {
    const run = await runUnderMocks(
      () =>
        void new AwsBackupPlan("backup", {
          resourceArns: resources,
          retentionDays: 35,
          namePrefix: "br-prod",
        }),
    );
    const types = new Set(run.resources.filter((r) => r.custom).map((r) => r.type));
    assert.deepEqual(
      types,
      new Set([
        "aws:backup/vault:Vault",
        "aws:iam/role:Role",
        "aws:backup/plan:Plan",
        "aws:backup/selection:Selection",
      ]),
    );
    const [rule] = single(run.resources, "aws:backup/plan:Plan").inputs.rules as Record<string, unknown>[];
    assert.deepEqual(rule?.lifecycle, { deleteAfter: 35 });
    assert.equal(rule?.schedule, "cron(0 3 * * ? *)");
    assert.equal(rule?.targetVaultName, "br-prod-vault");
    assert.deepEqual(single(run.resources, "aws:backup/selection:Selection").inputs.resources, resources);
    const role = single(run.resources, "aws:iam/role:Role").inputs;
    assert.match(String(role.assumeRolePolicy), /backup\.amazonaws\.com/);
  });

  it("rejects impossible args synchronously", () => {
    assert.throws(() => new AwsBackupPlan("b", { resourceArns: [] }), /nothing to back up/);
    assert.throws(
      () => new AwsBackupPlan("b", { resourceArns: resources, continuousBackup: true, retentionDays: 90 }),
      /at most 35 days/,
    );
    assert.throws(() => new AwsBackupPlan("b", { resourceArns: resources, schedule: "daily" }), /cron/);
  });
});
