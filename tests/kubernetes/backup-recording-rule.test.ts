import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { kubernetesRecordingRules } from "../../components/observability-stack/kubernetes";
import { renderPrometheusRules } from "../../platform/alerts/prometheus-rules";

/** promtool's clock starts at 0, so the CronJob is created at 0 and timestamps are seconds since. */
function promtoolTest(
  series: { series: string; values: string }[],
  expected: { at: string; fires: boolean }[],
) {
  const dir = mkdtempSync(join(tmpdir(), "k8s-backup-rule-"));
  const backupAlert = renderPrometheusRules()[0]!.rules.filter((r) => r.alert === "BackupOlderThanRpo");
  const groups = [
    ...kubernetesRecordingRules({ claim: "data-mysql-0", backupCronJob: "mysql-backup" }),
    { name: "alerts", rules: backupAlert },
  ];
  writeFileSync(join(dir, "rules.yml"), stringify({ groups }));
  const tests = {
    rule_files: ["rules.yml"],
    evaluation_interval: "1m",
    tests: [
      {
        interval: "1m",
        input_series: series,
        alert_rule_test: expected.map(({ at, fires }) => ({
          eval_time: at,
          alertname: "BackupOlderThanRpo",
          exp_alerts: fires
            ? [
                {
                  exp_labels: { severity: "critical", store: "mysql", cronjob: "mysql-backup" },
                  // Both cases are checked 25 h after the backup (or the CronJob) they measure from.
                  exp_annotations: {
                    ...backupAlert[0]!.annotations,
                    description: "The last successful mysql backup is 1d 1h 0m 0s old.",
                  },
                },
              ]
            : [],
        })),
      },
    ],
  };
  writeFileSync(join(dir, "tests.yml"), stringify(tests));
  const result = spawnSync("promtool", ["test", "rules", "tests.yml"], { cwd: dir, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const created = { series: 'kube_cronjob_created{cronjob="mysql-backup"}', values: "0+0x1800" };

describe("kubernetes: the backup age the RPO alert reads, from kube-state-metrics", () => {
  it("fires one RPO after the CronJob appeared when it never succeeded (no last-success series yet)", () => {
    const { status, output } = promtoolTest(
      [created],
      [
        { at: "20h", fires: false },
        { at: "25h", fires: true },
      ],
    );
    assert.equal(status, 0, output);
  });

  it("follows the last success once there is one", () => {
    const lastSuccess = {
      series: 'kube_cronjob_status_last_successful_time{cronjob="mysql-backup"}',
      values: "_x119 7200+0x1700", // succeeded at 2 h, never again
    };
    const { status, output } = promtoolTest(
      [created, lastSuccess],
      [
        { at: "25h", fires: false },
        { at: "27h", fires: true },
      ],
    );
    assert.equal(status, 0, output);
  });
});
