import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Catalog, isServing } from "../../catalog/types";
import { validateCatalog } from "../../catalog/validate";
import { waitUntil } from "../deps";
import { acceptsTcp, answers200 } from "../deps/probes";
import {
  DEPENDENCY_PORT_VARIABLES,
  type DependencyName,
  extraPortVariable,
  localPort,
  type RunnerConfig,
} from "./config";
import type { LocalSystemContext, RunningDependencies } from "./context";
import { DEPENDENCY_LABELS, dependencyUrl, startDependency, stopDependencies } from "./dependencies";
import { resolveServiceEnv, secretVariable } from "./env";
import { type ExtraProcess, extraProcesses } from "./extras";
import { formatEcho, type Level, LogCollector, WARNINGS_AND_ERRORS } from "./logs";
import { checkPorts } from "./port-check";
import type { Progress } from "./progress";
import { mysqlAccount, provisionService } from "./provision";
import { type ServiceHooks, serviceHooks } from "./setup-hooks";
import { RunnerState } from "./state";
import { claimStateDir, releaseStateDir } from "./state-lock";
import { Supervisor } from "./supervisor";

const DEPENDENCY_ORDER: readonly DependencyName[] = ["mysql", "redis", "activemq", "dynamodb"];

export type EntryStatus = "ready" | "not ready" | "failed" | "skipped";

export interface Entry {
  name: string;
  kind: "dependency" | "service" | "worker" | "extra";
  url: string;
  status: EntryStatus;
  detail?: string;
}

export interface LocalSystem {
  /** Everything started (and what failed or was skipped), in start order. */
  entries: Entry[];
  /** `{ name: baseUrl }` of what runs, as written to endpoints.json. */
  endpoints: Record<string, string>;
  /** Stops services and extras, then dependencies. Safe to call twice. */
  stop(): Promise<void>;
}

export interface RunnerOptions {
  config: RunnerConfig;
  progress: Progress;
  /** Prints a line for the user (warnings, crashes). */
  say(line: string): void;
  /** Where the running set is described; defaults to the real catalog. */
  catalog?: Catalog;
  extras?: readonly ExtraProcess[];
  hooks?: Record<string, ServiceHooks>;
  /** Aborting (Ctrl-C during start-up) stops what was started and rejects with an InterruptedError. */
  signal?: AbortSignal;
}

/** Start-up was interrupted (SIGINT/SIGTERM); everything started has been stopped. */
export class InterruptedError extends Error {
  override name = "InterruptedError";
}

/** Thrown when the local system cannot start; everything started so far has been stopped. */
export class RunnerError extends Error {
  override name = "RunnerError";
}

/** The catalog to run: BATTLE_READY_CATALOG's module when set (tests), else the real one. */
export function loadCatalog(config: RunnerConfig): Catalog {
  // Loaded on demand, so a broken real catalog does not stop a run of another one.
  const loaded = require(config.catalogModule ?? "../../catalog") as { catalog?: Catalog };
  if (!Array.isArray(loaded.catalog))
    throw new RunnerError(`${config.catalogModule} does not export a catalog`);
  return validateCatalog(loaded.catalog, config.repoRoot);
}

/**
 * Brings the local system up: the dependencies the services use, their databases, accounts and
 * tables, every service and worker of the catalog (supervised), then the extra processes. Waits
 * until each answers, writes endpoints.json and returns. On a fatal problem (a port in use, a
 * dependency that does not start) it stops what it started and throws a RunnerError.
 */
export async function startLocalSystem(options: RunnerOptions): Promise<LocalSystem> {
  const { config, progress, say, signal } = options;
  const checkpoint = () => {
    if (signal?.aborted) throw new InterruptedError("start-up interrupted");
  };
  const catalog = options.catalog ?? loadCatalog(config);
  const extras = options.extras ?? extraProcesses;
  const hooks = options.hooks ?? serviceHooks;
  const services = catalog.filter(isServing);
  const needed = DEPENDENCY_ORDER.filter((d) => services.some((s) => s.uses[d] !== undefined));
  mkdirSync(config.stateDir, { recursive: true });
  try {
    claimStateDir(config.stateDir);
  } catch (error) {
    throw new RunnerError(message(error));
  }

  const logs = new LogCollector(config.logsDir, ({ name, level, text }) =>
    say(formatEcho(name, level, text)),
  );
  const runnerLog = (message: string, level: Level = "info", fields: Record<string, unknown> = {}) =>
    logs.event("runner", level, message, fields);
  const state = new RunnerState(config.stateDir);
  const dependencies: RunningDependencies = {};
  const supervisors: Supervisor[] = [];
  const entries: Entry[] = [];
  const endpoints: Record<string, string> = {};
  const resolvedEnv = new Map<string, Record<string, string>>();
  const servicePort = (name: string) => {
    const service = services.find((s) => s.name === name);
    if (!service)
      throw new RunnerError(`no service or worker named ${name} in the catalog (a job has no port)`);
    return localPort(config, service.port);
  };
  const extraPort = (extra: ExtraProcess) => {
    const override = process.env[extraPortVariable(extra.name)];
    return override ? Number(override) : localPort(config, extra.port);
  };
  const context: LocalSystemContext = {
    config,
    catalog,
    services,
    dependencies,
    endpoints,
    servicePort,
    serviceEnv: (name) => resolvedEnv.get(name) ?? {},
    log: (message) => {
      say(message);
      runnerLog(message);
    },
  };

  let stopped: Promise<void> | undefined;
  const dependencyRestarts: Partial<Record<DependencyName, number>> = {};
  const stop = () => {
    stopped ??= (async () => {
      runnerLog("stopping");
      await Promise.all(supervisors.map((s) => s.stop()));
      await stopDependencies(dependencies);
      rmSync(join(config.stateDir, "endpoints.json"), { force: true });
      runnerLog("stopped");
      await logs.close();
      releaseStateDir(config.stateDir);
    })();
    return stopped;
  };
  const writeProcesses = () =>
    writeJson(join(config.stateDir, "processes.json"), {
      runner: process.pid,
      processes: [
        ...DEPENDENCY_ORDER.flatMap((d) => {
          const pid = dependencies[d]?.pid;
          return pid ? [{ name: d, kind: "dependency", pid, restarts: dependencyRestarts[d] ?? 0 }] : [];
        }),
        ...supervisors.map((s) => ({
          name: s.name,
          kind: extras.some((e) => e.name === s.name) ? "extra" : "service",
          pid: s.pid,
          restarts: s.restarts,
        })),
      ],
    });

  try {
    runnerLog("starting", "info", { services: services.map((s) => s.name), dependencies: needed });
    for (const d of needed) progress.add(d, "dependency");
    for (const s of services) progress.add(s.name, s.kind);
    const enabledExtras = extras.filter((extra) => {
      const reason = extra.skip?.(context);
      if (reason) {
        progress.add(extra.name, "extra");
        progress.set(extra.name, "skipped", reason);
        entries.push({ name: extra.name, kind: "extra", url: "", status: "skipped", detail: reason });
      }
      return !reason;
    });
    for (const extra of enabledExtras) progress.add(extra.name, "extra");

    await checkPorts([
      ...needed.map((d) => ({
        port: config.dependencyPorts[d],
        wantedBy: DEPENDENCY_LABELS[d],
        variable: DEPENDENCY_PORT_VARIABLES[d],
      })),
      ...services.map((s) => ({
        port: servicePort(s.name),
        wantedBy: `service ${s.name}`,
        variable: "BATTLE_READY_PORT_OFFSET",
      })),
      ...enabledExtras.map((e) => ({
        port: extraPort(e),
        wantedBy: `extra process ${e.name}`,
        variable: extraPortVariable(e.name),
      })),
    ]);

    // Dependencies, in parallel.
    const started = await Promise.allSettled(
      needed.map(async (d) => {
        progress.set(d, "starting", `port ${config.dependencyPorts[d]}`);
        try {
          await startDependency(d, config, state, logs, dependencies);
        } catch (error) {
          progress.set(d, "failed", firstLine(error));
          throw new RunnerError(
            `${DEPENDENCY_LABELS[d]} did not start: ${message(error)}\n(full log: ${logs.fileOf(d)})`,
          );
        }
        const url = dependencyUrl(d, dependencies)!;
        endpoints[d] = url;
        entries.push({ name: d, kind: "dependency", url, status: "ready" });
        progress.set(d, "ready", url);
        superviseDependency(d);
      }),
    );
    const failure = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) throw failure.reason;
    writeProcesses();
    checkpoint();

    // Databases, accounts and tables, then each service's environment.
    for (const service of services) {
      try {
        await provisionService(service, dependencies, state);
      } catch (error) {
        throw new RunnerError(`could not prepare ${service.name}'s data stores: ${message(error)}`);
      }
      const { env, unset } = resolveServiceEnv(service, {
        mysql: dependencies.mysql && {
          host: dependencies.mysql.host,
          port: dependencies.mysql.port,
          caFile: dependencies.mysql.tls?.caFile,
        },
        mysqlAccount: (s) => mysqlAccount(state, s),
        redis: dependencies.redis,
        activemq: dependencies.activemq && {
          host: dependencies.activemq.host,
          port: dependencies.activemq.stompPort,
          user: dependencies.activemq.user,
          password: dependencies.activemq.password,
        },
        dynamodb: dependencies.dynamodb,
        servicePort,
        secret: (name, variable, optional) => {
          const supplied = process.env[secretVariable(name)] ?? process.env[variable];
          if (supplied !== undefined) return supplied;
          return optional ? undefined : state.password(`secret.${name}`);
        },
        logLevel: config.logLevel,
      });
      resolvedEnv.set(service.name, env);
      writeEnvFile(join(config.stateDir, "env", `${service.name}.env`), env);
      if (unset.length > 0) runnerLog(`${service.name}: left unset locally: ${unset.join(", ")}`);
    }

    checkpoint();
    // Services and workers, supervised, all at once; then wait for each to be ready.
    const readiness = services.map(async (service) => {
      const url = `http://127.0.0.1:${servicePort(service.name)}`;
      const entry: Entry = {
        name: service.name,
        kind: service.kind === "worker" ? "worker" : "service",
        url,
        status: "not ready",
      };
      entries.push(entry);
      const hookContext = { ...context, service, env: resolvedEnv.get(service.name)!, url };
      progress.set(service.name, "starting", url);
      try {
        await hooks[service.name]?.beforeStart?.(hookContext);
      } catch (error) {
        entry.status = "failed";
        entry.detail = `setup hook failed: ${message(error)}`;
        progress.set(service.name, "failed", entry.detail);
        say(`✖ ${service.name}: ${entry.detail}`);
        return;
      }
      const supervisor = supervise(service.name, {
        command: process.execPath,
        args: ["--import", "tsx", service.entry],
        env: { ...baseEnv(), ...resolvedEnv.get(service.name) },
      });
      supervisor.start();
      writeProcesses();
      try {
        await waitUntil(() => answers200(`${url}${service.health.readiness}`), {
          what: `${service.name} (${url}${service.health.readiness})`,
          timeoutMs: config.readyTimeoutMs,
          intervalMs: 250,
          signal,
        });
      } catch {
        if (signal?.aborted) return;
        entry.detail = `not ready after ${config.readyTimeoutMs / 1000} s; see ${logs.fileOf(service.name)}`;
        progress.set(service.name, "failed", entry.detail);
        return;
      }
      endpoints[service.name] = url;
      entry.status = "ready";
      progress.set(service.name, "ready", url);
      try {
        await hooks[service.name]?.afterReady?.(hookContext);
      } catch (error) {
        entry.detail = `afterReady hook failed: ${message(error)}`;
        say(`⚠ ${service.name}: ${entry.detail}`);
      }
    });

    // Extra processes start once every service has been launched (their ports are known).
    const extrasReady = enabledExtras.map(async (extra) => {
      const port = extraPort(extra);
      const url = extra.url?.(port) ?? `http://127.0.0.1:${port}`;
      const entry: Entry = { name: extra.name, kind: "extra", url, status: "not ready" };
      entries.push(entry);
      progress.set(extra.name, "starting", url);
      try {
        const command = await extra.command(context, port);
        const supervisor = supervise(extra.name, {
          command: command.command,
          args: command.args,
          cwd: command.cwd,
          env: { ...baseEnv(), ...command.env },
        });
        supervisor.start();
        writeProcesses();
        const probe = extra.readinessPath
          ? () => answers200(`http://127.0.0.1:${port}${extra.readinessPath}`)
          : () => acceptsTcp(port);
        await waitUntil(probe, {
          what: extra.name,
          timeoutMs: config.readyTimeoutMs,
          intervalMs: 250,
          process: supervisor.process,
          signal,
        });
      } catch (error) {
        entry.status = "failed";
        entry.detail = firstLine(error);
        progress.set(extra.name, "failed", entry.detail);
        say(`✖ ${extra.name}: ${message(error)}`);
        return;
      }
      endpoints[extra.name] = url;
      entry.status = "ready";
      progress.set(extra.name, "ready", url);
    });

    await Promise.all([...readiness, ...extrasReady]);
    checkpoint();
    const order = [...needed, ...services.map((s) => s.name), ...extras.map((e) => e.name)] as string[];
    entries.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    const ordered = Object.fromEntries(
      Object.entries(endpoints).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)),
    );
    for (const key of Object.keys(endpoints)) delete endpoints[key];
    Object.assign(endpoints, ordered);
    writeJson(join(config.stateDir, "endpoints.json"), endpoints);
    writeProcesses();
    runnerLog("ready", "info", { endpoints });
  } catch (error) {
    progress.finish();
    await stop();
    if (signal?.aborted) throw new InterruptedError("start-up interrupted");
    throw error instanceof RunnerError ? error : new RunnerError(message(error));
  }
  return { entries, endpoints, stop };

  /**
   * A dependency that dies while the system runs is reported and started again on its port with
   * its data (as an orchestrator would), after 1 s, 2 s, 4 s … 30 s between failed attempts.
   */
  function superviseDependency(d: DependencyName): void {
    const server = dependencies[d]!;
    let restarting = false;
    server.onExit((code, exitSignal) => {
      if (stopped || restarting) return;
      restarting = true;
      const how = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${code}`;
      say(`\x1b[31m✖ ${DEPENDENCY_LABELS[d]} ${how}; starting it again (its clients fail meanwhile)\x1b[0m`);
      runnerLog(`${d} ${how}`, "error");
      void (async () => {
        for (let attempt = 0; !stopped; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** attempt, 30_000)));
          if (stopped) return;
          try {
            await server.restart();
            dependencyRestarts[d] = (dependencyRestarts[d] ?? 0) + 1;
            say(`\x1b[32m✔ ${DEPENDENCY_LABELS[d]} is back\x1b[0m`);
            runnerLog(`${d} restarted`, "warn");
            writeProcesses();
            return;
          } catch (error) {
            runnerLog(`${d} restart failed: ${message(error)}`, "error");
            say(`\x1b[31m✖ ${DEPENDENCY_LABELS[d]} did not come back: ${firstLine(error)}\x1b[0m`);
          } finally {
            restarting = false;
          }
        }
      })();
    });
  }

  function supervise(
    name: string,
    spec: { command: string; args: string[]; cwd?: string; env: NodeJS.ProcessEnv },
  ): Supervisor {
    const supervisor = new Supervisor(
      { name, ...spec, cwd: spec.cwd ?? config.repoRoot, onLine: logs.sink(name, WARNINGS_AND_ERRORS) },
      {
        onCrash: ({ code, signal, restarts, delayMs, tail }) => {
          const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
          say(
            `\x1b[31m✖ ${name} ${how}; restarting in ${delayMs / 1000} s (restarts so far: ${restarts})\x1b[0m${tail ? `\n${indent(tail)}` : ""}`,
          );
          runnerLog(`${name} ${how}; restarting in ${delayMs} ms`, "error");
        },
        onRestart: ({ restarts }) => {
          runnerLog(`${name} restarted (restart #${restarts})`, "warn");
          writeProcesses();
        },
      },
    );
    supervisors.push(supervisor);
    return supervisor;
  }
}

/** Only a minimal environment is inherited: services read what the catalog gives them. */
function baseEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "USER", "LANG", "LC_ALL", "TZ", "TMPDIR", "NODE_EXTRA_CA_CERTS"];
  return Object.fromEntries(
    keep.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]!]])),
  );
}

/** Written whole and renamed into place, so a reader never sees a half-written file. */
function writeJson(file: string, value: unknown): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(partial, file);
}

/** `.local/env/<service>.env`: to run a service by hand with `node --env-file`. Holds secrets: mode 600. */
function writeEnvFile(file: string, env: Record<string, string>): void {
  mkdirSync(join(file, ".."), { recursive: true });
  const lines = Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o600 });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(error: unknown): string {
  return message(error).split("\n")[0] ?? "";
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
