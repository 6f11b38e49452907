import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findCommand } from "../local/deps/system";
import type { LocalSystemContext } from "../local/runner/context";
import type { ExtraCommand, ExtraProcess } from "../local/runner/extras";
import { writePrometheusRules } from "./alerts/rules-file";
import { queuesOf } from "./exporters/activemq-exporter";
import { alertmanagerConfigYaml } from "./monitoring/alertmanager-config";
import { OPS_PORTS, type OpsProcess, opsPort } from "./monitoring/ports";
import { prometheusConfigYaml } from "./monitoring/prometheus-config";

const monitoringDir = (context: LocalSystemContext) => join(context.config.stateDir, "monitoring");
const address = (context: LocalSystemContext, name: OpsProcess) =>
  `127.0.0.1:${opsPort(context.config, name)}`;

/** A TypeScript program of ours, run with the project's Node like the services. */
function tsProgram(entry: string, env: Record<string, string>): ExtraCommand {
  return { command: process.execPath, args: ["--import", "tsx", entry], env };
}

const missing = (command: string, pkg: string) => () =>
  findCommand(command) ? undefined : `${command} is not installed (Debian package ${pkg})`;

/** `skip` runs before the dependencies start: ask the catalog whether a service will use one. */
const unused = (context: LocalSystemContext, kind: "mysql" | "redis" | "activemq" | "dynamodb") =>
  context.services.some((s) => s.uses[kind]) ? undefined : `no service uses ${kind}`;

export function backupRoot(context: LocalSystemContext): string {
  return join(context.config.stateDir, "backups");
}

/** The exporters that will run, by Prometheus job name. */
function exporterTargets(context: LocalSystemContext): Record<string, string> {
  const { mysql, redis, activemq } = context.dependencies;
  return {
    ...(mysql && findCommand("prometheus-mysqld-exporter")
      ? { mysql: address(context, "mysqld-exporter") }
      : {}),
    ...(redis && findCommand("prometheus-redis-exporter")
      ? { redis: address(context, "redis-exporter") }
      : {}),
    ...(activemq ? { activemq: address(context, "activemq-exporter") } : {}),
    ops: address(context, "ops-exporter"),
  };
}

/**
 * BATTLE_READY_MONITORING=0 turns the monitoring stack off; it is also off for a catalog other
 * than the real one (BATTLE_READY_CATALOG, e.g. the runner's own test) unless set to 1.
 */
export function monitoringOff(
  context: LocalSystemContext,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const setting = env.BATTLE_READY_MONITORING?.trim();
  if (setting === "0") return "monitoring off (BATTLE_READY_MONITORING=0)";
  if (context.config.catalogModule && setting !== "1")
    return "monitoring off for a custom catalog (BATTLE_READY_MONITORING=1 turns it on)";
  return undefined;
}

const switchable = (extra: ExtraProcess): ExtraProcess => ({
  ...extra,
  skip: (context) => monitoringOff(context) ?? extra.skip?.(context),
});

/**
 * The local monitoring stack `npm start` adds after the services: exporters, Prometheus,
 * Alertmanager, the alert webhook receiver and the status page (docs/operations/monitoring.md).
 */
export const opsExtraProcesses: ExtraProcess[] = (
  [
    {
      name: "alert-receiver",
      port: OPS_PORTS["alert-receiver"],
      command: (_context, port) => tsProgram("ops/alert-receiver/main.ts", { PORT: String(port) }),
      readinessPath: "/healthz",
    },
    {
      name: "mysqld-exporter",
      port: OPS_PORTS["mysqld-exporter"],
      skip: (context) =>
        unused(context, "mysql") ?? missing("prometheus-mysqld-exporter", "prometheus-mysqld-exporter")(),
      command: async (context, port) => {
        const mysql = context.dependencies.mysql!;
        const password = randomBytes(18).toString("base64url");
        // A least-privilege account of its own, its password renewed on every start.
        await mysql.query("CREATE USER IF NOT EXISTS 'exporter'@'127.0.0.1' IDENTIFIED BY ?", [password]);
        await mysql.query("ALTER USER 'exporter'@'127.0.0.1' IDENTIFIED BY ? WITH MAX_USER_CONNECTIONS 3", [
          password,
        ]);
        await mysql.query("GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO 'exporter'@'127.0.0.1'");
        return {
          command: "prometheus-mysqld-exporter",
          args: [`--web.listen-address=127.0.0.1:${port}`],
          env: { DATA_SOURCE_NAME: `exporter:${password}@(127.0.0.1:${mysql.port})/` },
        };
      },
      readinessPath: "/metrics",
    },
    {
      name: "redis-exporter",
      port: OPS_PORTS["redis-exporter"],
      skip: (context) =>
        unused(context, "redis") ?? missing("prometheus-redis-exporter", "prometheus-redis-exporter")(),
      command: (context, port) => {
        const redis = context.dependencies.redis!;
        return {
          command: "prometheus-redis-exporter",
          args: [`-redis.addr=redis://127.0.0.1:${redis.port}`, `-web.listen-address=127.0.0.1:${port}`],
          env: { REDIS_PASSWORD: redis.password ?? "" },
        };
      },
      readinessPath: "/metrics",
    },
    {
      name: "activemq-exporter",
      port: OPS_PORTS["activemq-exporter"],
      skip: (context) => unused(context, "activemq"),
      command: (context, port) => {
        const broker = context.dependencies.activemq!;
        const queues = queuesOf(context.services.flatMap((s) => s.uses.activemq?.destinations ?? []));
        return tsProgram("ops/exporters/activemq-exporter.ts", {
          PORT: String(port),
          ACTIVEMQ_HOST: broker.host,
          ACTIVEMQ_STOMP_PORT: String(broker.stompPort),
          ACTIVEMQ_USER: broker.user,
          ACTIVEMQ_PASSWORD: broker.password,
          ACTIVEMQ_QUEUES: queues.join(","),
        });
      },
      readinessPath: "/healthz",
    },
    {
      name: "ops-exporter",
      port: OPS_PORTS["ops-exporter"],
      command: (context, port) =>
        tsProgram("ops/exporters/ops-exporter.ts", {
          PORT: String(port),
          BACKUP_ROOT: backupRoot(context),
          ...(context.dependencies.mysql ? { MYSQL_DATA_DIR: context.dependencies.mysql.dataDir } : {}),
          ...(context.dependencies.dynamodb
            ? { DYNAMODB_ENDPOINT: context.dependencies.dynamodb.endpoint }
            : {}),
        }),
      readinessPath: "/healthz",
    },
    {
      name: "alertmanager",
      port: OPS_PORTS.alertmanager,
      skip: missing("prometheus-alertmanager", "prometheus-alertmanager"),
      command: (context, port) => {
        const dir = join(monitoringDir(context), "alertmanager");
        mkdirSync(dir, { recursive: true });
        const config = join(dir, "alertmanager.yml");
        writeFileSync(config, alertmanagerConfigYaml(`http://${address(context, "alert-receiver")}/alerts`));
        return {
          command: "prometheus-alertmanager",
          args: [
            `--config.file=${config}`,
            `--storage.path=${join(dir, "data")}`,
            `--web.listen-address=127.0.0.1:${port}`,
            "--cluster.listen-address=",
          ],
        };
      },
      readinessPath: "/-/ready",
    },
    {
      name: "prometheus",
      port: OPS_PORTS.prometheus,
      skip: missing("prometheus", "prometheus"),
      command: (context, port) => {
        const dir = monitoringDir(context);
        const rules = writePrometheusRules(join(dir, "rules.yml"));
        const config = join(dir, "prometheus.yml");
        writeFileSync(
          config,
          prometheusConfigYaml({
            services: context.services.map((s) => ({
              name: s.name,
              system: s.system,
              address: `127.0.0.1:${context.servicePort(s.name)}`,
              metricsPath: s.metricsPath,
            })),
            exporters: exporterTargets(context),
            alertmanager: findCommand("prometheus-alertmanager")
              ? address(context, "alertmanager")
              : undefined,
            ruleFiles: [rules],
          }),
        );
        return {
          command: "prometheus",
          args: [
            `--config.file=${config}`,
            `--storage.tsdb.path=${join(dir, "prometheus-data")}`,
            "--storage.tsdb.retention.time=7d",
            "--rules.alert.resend-delay=15s",
            `--web.listen-address=127.0.0.1:${port}`,
          ],
        };
      },
      readinessPath: "/-/ready",
    },
    {
      name: "status-page",
      port: OPS_PORTS["status-page"],
      skip: missing("prometheus", "prometheus"),
      command: (context, port) =>
        tsProgram("ops/status-page/main.ts", {
          PORT: String(port),
          PROMETHEUS_URL: `http://${address(context, "prometheus")}`,
          STATUS_SERVICES: context.services.map((s) => `${s.name}:${s.system}`).join(","),
        }),
      readinessPath: "/healthz",
    },
  ] satisfies ExtraProcess[]
).map(switchable);
