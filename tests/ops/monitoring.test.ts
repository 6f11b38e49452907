import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { catalog } from "../../catalog";
import { StompClient } from "../../lib/stomp";
import { type ManagedProcess, sharedDependencies } from "../../local/deps";
import { startAlertReceiver } from "../../ops/alert-receiver/main";
import { writePrometheusRules } from "../../ops/alerts/rules-file";
import { collectBrokerMetrics, queuesOf } from "../../ops/exporters/activemq-exporter";
import { exposition, type MetricFamily } from "../../ops/exporters/exposition";
import { collectOpsMetrics } from "../../ops/exporters/ops-exporter";
import { alertmanagerConfigYaml } from "../../ops/monitoring/alertmanager-config";
import { prometheusConfigYaml } from "../../ops/monitoring/prometheus-config";
import { eventually, freePort, prometheusQuery, startServer } from "./helpers";

const run = (command: string, ...args: string[]) => {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

describe("local monitoring stack", () => {
  const dir = mkdtempSync(join(tmpdir(), "ops-monitoring-"));
  const servers: ManagedProcess[] = [];
  let receiver: Server | undefined;
  after(async () => {
    await Promise.all(servers.map((s) => s.stop(5000)));
    receiver?.close();
  });

  it("renders a Prometheus config for every catalog service that promtool check config accepts", () => {
    const rules = writePrometheusRules(join(dir, "rules.yml"));
    const running = catalog.filter((s) => s.kind !== "job");
    const config = join(dir, "prometheus.yml");
    const yaml = prometheusConfigYaml({
      services: running.map((s) => ({
        name: s.name,
        system: s.system,
        address: `127.0.0.1:${s.port}`,
        metricsPath: s.metricsPath,
      })),
      exporters: {
        mysql: "127.0.0.1:19104",
        redis: "127.0.0.1:19121",
        activemq: "127.0.0.1:19161",
        ops: "127.0.0.1:19100",
      },
      alertmanager: "127.0.0.1:19093",
      ruleFiles: [rules],
    });
    writeFileSync(config, yaml);
    for (const s of running) assert.ok(yaml.includes(`service: ${s.name}`), `${s.name} is not scraped`);
    const { status, output } = run("promtool", "check", "config", config);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS: \d+ rules found/);
  });

  it("renders an Alertmanager config that amtool check-config accepts", () => {
    const config = join(dir, "alertmanager.yml");
    writeFileSync(config, alertmanagerConfigYaml("http://127.0.0.1:19095/alerts"));
    const { status, output } = run("amtool", "check-config", config);
    assert.equal(status, 0, output);
    assert.match(output, /1 receivers/);
  });

  it("exports ActiveMQ queue depth, consumers and DLQ depth read from the statistics plugin", async () => {
    const { activemq } = await sharedDependencies();
    const queue = `ops-exporter-${Date.now()}`;
    const bus = new StompClient({
      host: activemq.host,
      port: activemq.stompPort,
      login: activemq.user,
      passcode: activemq.password,
    });
    bus.start();
    await bus.whenConnected(10_000);
    await bus.send(`/queue/${queue}`, "one");
    await bus.send(`/queue/${queue}`, "two");
    await bus.close();
    const families = await collectBrokerMetrics(activemq, [queue]);
    const text = exposition(families);
    assert.match(text, /^activemq_up 1$/m);
    assert.match(text, new RegExp(`^activemq_queue_size\\{queue="${queue}"\\} 2$`, "m"));
    assert.match(text, new RegExp(`^activemq_queue_consumer_count\\{queue="${queue}"\\} 0$`, "m"));
    assert.match(text, new RegExp(`^activemq_dlq_size\\{queue="${queue}"\\} 0$`, "m"));
    const down = exposition(
      await collectBrokerMetrics({ ...activemq, stompPort: await freePort() }, [queue], 1000),
    );
    assert.match(down, /^activemq_up 0$/m);
    assert.doesNotMatch(down, /^activemq_queue_size\{/m);
  });

  it("takes the queues from catalog destinations (no topics, no DLQs)", () => {
    assert.deepEqual(queuesOf(catalog.flatMap((s) => s.uses.activemq?.destinations ?? [])), [
      "buffs",
      "oversupply.match-requests",
    ]);
  });

  it("exports storage headroom, backup age and whether dynalite answers", async () => {
    const backups = mkdtempSync(join(tmpdir(), "ops-backups-"));
    writeFileSync(
      join(backups, "status.json"),
      JSON.stringify({ mysql: { completedAt: 1700000000, bytes: 42, location: "x" } }),
    );
    const { dynamodb } = await sharedDependencies();
    const text = exposition(await collectOpsMetrics(dir, backups, dynamodb.endpoint));
    assert.match(text, /^battle_ready_dynamodb_up 1$/m);
    const down = exposition(await collectOpsMetrics(dir, backups, `http://127.0.0.1:${await freePort()}`));
    assert.match(down, /^battle_ready_dynamodb_up 0$/m);
    assert.match(text, /^battle_ready_mysql_free_storage_ratio 0\.\d+$/m);
    assert.match(text, /^battle_ready_backup_last_success_timestamp_seconds\{store="mysql"\} 1700000000$/m);
    // dynalite runs but was never backed up: 0, so BackupOlderThanRpo fires for it
    assert.match(text, /^battle_ready_backup_last_success_timestamp_seconds\{store="dynamodb"\} 0$/m);
  });

  it("exports 0 as the last backup of every store the system runs when there never was a backup", async () => {
    const none = mkdtempSync(join(tmpdir(), "ops-no-backups-"));
    const stores = (families: MetricFamily[]) =>
      families
        .find((f) => f.name === "battle_ready_backup_last_success_timestamp_seconds")
        ?.samples.map((s) => `${s.labels?.store}=${s.value}`);
    const closed = `http://127.0.0.1:${await freePort()}`;
    assert.deepEqual(stores(await collectOpsMetrics(dir, none, closed)), ["dynamodb=0", "mysql=0"]);
    // a store the runner does not run is not expected; one backed up earlier stays reported
    assert.deepEqual(stores(await collectOpsMetrics(undefined, none, closed)), ["dynamodb=0"]);
    writeFileSync(
      join(none, "status.json"),
      JSON.stringify({ mysql: { completedAt: 1700000000, bytes: 42, location: "x" } }),
    );
    assert.deepEqual(stores(await collectOpsMetrics(undefined, none)), ["mysql=1700000000"]);
    const text = exposition(await collectOpsMetrics(dir, none, closed));
    assert.match(text, /^battle_ready_backup_last_success_timestamp_seconds\{store="dynamodb"\} 0$/m);
  });

  it("routes a firing alert from Prometheus through Alertmanager to the webhook receiver's log", async () => {
    const [promPort, amPort, receiverPort] = [await freePort(), await freePort(), await freePort()];
    const lines: string[] = [];
    receiver = await startAlertReceiver(receiverPort, (line) => lines.push(line));
    const amConfig = join(dir, "am-live.yml");
    writeFileSync(amConfig, alertmanagerConfigYaml(`http://127.0.0.1:${receiverPort}/alerts`));
    servers.push(
      await startServer(
        "alertmanager",
        "prometheus-alertmanager",
        [
          `--config.file=${amConfig}`,
          `--storage.path=${join(dir, "am-data")}`,
          `--web.listen-address=127.0.0.1:${amPort}`,
          "--cluster.listen-address=",
        ],
        `http://127.0.0.1:${amPort}/-/ready`,
      ),
    );
    // A rule that is true at once stands in for a real outage (whose `for:` takes minutes).
    const rules = join(dir, "always.yml");
    writeFileSync(
      rules,
      stringify({
        groups: [
          {
            name: "t",
            rules: [
              {
                alert: "DrillAlwaysFiring",
                expr: "vector(1)",
                labels: { severity: "critical" },
                annotations: { summary: "a drill" },
              },
            ],
          },
        ],
      }),
    );
    const config = join(dir, "prom-live.yml");
    writeFileSync(
      config,
      prometheusConfigYaml({
        services: [],
        exporters: {},
        alertmanager: `127.0.0.1:${amPort}`,
        ruleFiles: [rules],
        scrapeInterval: "1s",
      }),
    );
    servers.push(
      await startServer(
        "prometheus",
        "prometheus",
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${join(dir, "prom-data")}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          // an alert evaluated before Alertmanager is discovered is dropped and resent after this delay
          "--rules.alert.resend-delay=1s",
        ],
        `http://127.0.0.1:${promPort}/-/ready`,
      ),
    );
    await eventually(
      "ALERTS in Prometheus",
      async () =>
        (await prometheusQuery(`http://127.0.0.1:${promPort}`, 'ALERTS{alertstate="firing"}')).length > 0,
    );
    const line = await eventually(
      "the alert in the receiver's log",
      async () => lines.find((l) => l.includes("DrillAlwaysFiring")),
      40_000,
    ).catch(async (error) => {
      const inAlertmanager = await (await fetch(`http://127.0.0.1:${amPort}/api/v2/alerts`)).text();
      throw new Error(
        `${error.message}; Alertmanager holds ${inAlertmanager}; its output: ${servers[0]?.tailText(10)} ${servers[1]?.tailText(10)}`,
      );
    });
    const parsed = JSON.parse(line);
    assert.equal(parsed.level, "error");
    assert.equal(parsed.status, "firing");
    assert.match(parsed.msg, /ALERT FIRING DrillAlwaysFiring \[critical\]: a drill/);
  });

  it("the receiver answers 400 to a body that is not an Alertmanager webhook", async () => {
    const port = await freePort();
    const server = await startAlertReceiver(port, () => {});
    try {
      const bad = await fetch(`http://127.0.0.1:${port}/alerts`, { method: "POST", body: "{}" });
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).error, /alerts is missing/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/alerts`, { method: "DELETE" })).status, 405);
    } finally {
      server.close();
    }
  });
});
