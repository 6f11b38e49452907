import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { catalog, isServing } from "../../catalog";
import type { ActiveMq, Redis } from "../../local/deps";
import { localPort, runnerConfig } from "../../local/runner/config";
import type { LocalSystemContext, RunningDependencies } from "../../local/runner/context";
import { extraProcesses } from "../../local/runner/extras";
import { monitoringOff } from "../../ops/local-extras";

function contextFor(
  services = catalog.filter(isServing),
  dependencies: RunningDependencies = {},
): LocalSystemContext {
  const config = runnerConfig({
    BATTLE_READY_STATE_DIR: mkdtempSync(join(tmpdir(), "ops-extras-")),
    BATTLE_READY_PORT_OFFSET: "1000",
  });
  return {
    config,
    catalog,
    services,
    dependencies,
    endpoints: {},
    servicePort: (name) => localPort(config, catalog.filter(isServing).find((s) => s.name === name)!.port),
    serviceEnv: () => ({}),
    log: () => {},
  };
}

describe("npm start's monitoring extras (local/runner/extras.ts)", () => {
  it("registers Prometheus, Alertmanager, the exporters, the alert receiver and the status page", () => {
    assert.deepEqual(extraProcesses.map((e) => e.name).sort(), [
      "activemq-exporter",
      "alert-receiver",
      "alertmanager",
      "mysqld-exporter",
      "ops-exporter",
      "prometheus",
      "redis-exporter",
      "status-page",
    ]);
  });

  it("can be turned off, and is off for a custom catalog (the runner's own test) unless turned on", () => {
    const real = contextFor();
    const custom = {
      ...real,
      config: { ...real.config, catalogModule: "tests/local/fixtures/runner-catalog.ts" },
    };
    assert.equal(monitoringOff(real, {}), undefined);
    assert.match(monitoringOff(real, { BATTLE_READY_MONITORING: "0" }) ?? "", /monitoring off/);
    assert.match(monitoringOff(custom, {}) ?? "", /custom catalog/);
    assert.equal(monitoringOff(custom, { BATTLE_READY_MONITORING: "1" }), undefined);
    assert.match(extraProcesses.find((e) => e.name === "prometheus")?.skip?.(custom) ?? "", /custom catalog/);
  });

  it("skips an exporter whose dependency no service uses, decided from the catalog before dependencies start", () => {
    const todoOnly = contextFor(catalog.filter(isServing).filter((s) => s.name === "todo"));
    const skip = (name: string, context: LocalSystemContext) =>
      extraProcesses.find((e) => e.name === name)?.skip?.(context);
    assert.equal(skip("redis-exporter", todoOnly), "no service uses redis");
    assert.equal(skip("activemq-exporter", todoOnly), "no service uses activemq");
    assert.equal(skip("mysqld-exporter", todoOnly), undefined);
    assert.equal(skip("redis-exporter", contextFor()), undefined);
  });

  it("writes a Prometheus config (every service, every exporter, the offset applied) that promtool accepts", async () => {
    const dependencies = {
      redis: { port: 17379, password: "x" } as unknown as Redis,
      activemq: { host: "127.0.0.1", stompPort: 17613, user: "battle", password: "x" } as unknown as ActiveMq,
    };
    const context = contextFor(undefined, dependencies);
    const prometheus = extraProcesses.find((e) => e.name === "prometheus")!;
    const command = await prometheus.command(context, 20090);
    assert.ok(command.args.includes("--web.listen-address=127.0.0.1:20090"));
    const configFile = command.args.find((a) => a.startsWith("--config.file="))!.split("=")[1]!;
    const config = parse(readFileSync(configFile, "utf8"));
    const targets = config.scrape_configs.flatMap(
      (job: { job_name: string; static_configs: { targets: string[] }[] }) =>
        job.static_configs.flatMap((c) => c.targets.map((t) => `${job.job_name} ${t}`)),
    );
    assert.ok(targets.includes("services 127.0.0.1:4000"), "todo (3000) with the offset of 1000");
    assert.ok(targets.includes("redis 127.0.0.1:20121"));
    assert.ok(targets.includes("activemq 127.0.0.1:20161"));
    assert.ok(targets.includes("ops 127.0.0.1:20100"));
    assert.ok(
      !targets.some((t: string) => t.startsWith("mysql ")),
      "no MySQL running: no mysqld exporter target",
    );
    assert.equal(config.alerting.alertmanagers[0].static_configs[0].targets[0], "127.0.0.1:20093");
    const check = spawnSync("promtool", ["check", "config", configFile], { encoding: "utf8" });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  });
});
