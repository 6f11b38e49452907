import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { alertRuleTests, promtoolTestYaml } from "../../ops/alerts/rule-tests";
import { prometheusRulesYaml, writePrometheusRules } from "../../ops/alerts/rules-file";
import { alertDefinitions } from "../../platform/alerts/definitions";
import { renderPrometheusRules } from "../../platform/alerts/prometheus-rules";

function promtool(...args: string[]) {
  const result = spawnSync("promtool", args, { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("alert rules for Prometheus, from platform/alerts/definitions.ts", () => {
  const dir = mkdtempSync(join(tmpdir(), "ops-alerts-"));
  const rulesFile = writePrometheusRules(join(dir, "rules.yml"));

  it("renders one rule per definition with a PromQL expression, with severity and runbook link", () => {
    const [group] = renderPrometheusRules();
    const withRule = alertDefinitions.filter((d) => d.prometheus);
    assert.deepEqual(
      group?.rules.map((r) => r.alert),
      withRule.map((d) => d.id),
    );
    const down = group?.rules.find((r) => r.alert === "ServiceDown");
    assert.equal(down?.labels.severity, "critical");
    assert.equal(down?.annotations.runbook_url, "docs/operations/alerts.md#servicedown");
    const parsed = parse(prometheusRulesYaml({ labels: { environment: "prod" } }));
    assert.equal(parsed.groups[0].rules[0].labels.environment, "prod");
  });

  it("covers every required signal", () => {
    const ids = new Set(renderPrometheusRules()[0]?.rules.map((r) => r.alert));
    for (const id of [
      "ServiceDown",
      "HighErrorRatio",
      "HighLatencyP95",
      "QueueDepthGrowing",
      "QueueNoConsumers",
      "DatabaseDown",
      "DatabaseConnectionsNearMax",
      "DatabaseFreeStorageLow",
      "RedisDown",
      "RedisNearMaxMemory",
      "BackupOlderThanRpo",
    ]) {
      assert.ok(ids.has(id), `no Prometheus rule for ${id}`);
    }
  });

  it("passes promtool check rules", () => {
    const { status, output } = promtool("check", "rules", rulesFile);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS: \d+ rules found/);
  });

  it("passes promtool test rules: every alert fires when it should and stays quiet when it should", () => {
    const testFile = join(dir, "tests.yml");
    writeFileSync(testFile, promtoolTestYaml(rulesFile));
    const { status, output } = promtool("test", "rules", testFile);
    assert.equal(status, 0, output);
    const tested = Object.keys(alertRuleTests);
    for (const d of alertDefinitions.filter((d) => d.prometheus)) assert.ok(tested.includes(d.id), d.id);
  });

  it("promtool test rules: BackupOlderThanRpo fires for a store never backed up (the ops exporter's 0)", () => {
    const backupAlert = alertDefinitions.filter((d) => d.id === "BackupOlderThanRpo");
    const series = (store: string, completedAt: number) => ({
      series: `battle_ready_backup_last_success_timestamp_seconds{job="ops",store="${store}"}`,
      values: `${completedAt}x1500`,
    });
    // promtool's clock starts at 0, so the exporter's "never" (0) is only 25 h old at 25 h; on a
    // real clock it is decades old. MySQL was backed up 30 minutes before; DynamoDB never.
    const neverBackedUp = {
      fires: {
        series: [series("mysql", 88_200), series("dynamodb", 0)],
        evalTime: "25h",
        expect: [
          {
            labels: { job: "ops", store: "dynamodb" },
            description: "The last successful dynamodb backup is 1d 1h 0m 0s old.",
          },
        ],
      },
      quiet: { series: [series("mysql", 88_200), series("dynamodb", 88_200)], evalTime: "25h", expect: [] },
    };
    const testFile = join(dir, "never-backed-up.yml");
    writeFileSync(testFile, promtoolTestYaml(rulesFile, backupAlert, { BackupOlderThanRpo: neverBackedUp }));
    const { status, output } = promtool("test", "rules", testFile);
    assert.equal(status, 0, output);
  });

  it("promtool test rules fails when an expectation is wrong (the tests can fail)", () => {
    const wrong = structuredClone(alertRuleTests);
    // expect the quiet scenario of DatabaseDown to fire
    wrong.DatabaseDown!.quiet.expect = wrong.DatabaseDown!.fires.expect;
    const testFile = join(dir, "wrong.yml");
    writeFileSync(testFile, promtoolTestYaml(rulesFile, alertDefinitions, wrong));
    const { status, output } = promtool("test", "rules", testFile);
    assert.notEqual(status, 0);
    assert.match(output, /DatabaseDown/);
  });

  it("refuses to build the tests when an alert has no test", () => {
    const { RedisDown: _dropped, ...rest } = alertRuleTests;
    assert.throws(
      () => promtoolTestYaml(rulesFile, alertDefinitions, rest),
      /RedisDown has no promtool test/,
    );
  });
});
