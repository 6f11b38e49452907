import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DependencyKind, EnvSource, ServiceSpec } from "./types";

/** Thrown when the catalog is malformed; the message names the offending field. */
export class CatalogError extends Error {
  override name = "CatalogError";
}

const NAME = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const KINDS = new Set(["service", "worker", "job"]);
const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);
const DEPENDENCIES: readonly DependencyKind[] = ["mysql", "redis", "activemq", "dynamodb"];
/** The fields each env source offers (catalog/types.ts `EnvSource`). */
const SOURCE_FIELDS: Record<string, readonly string[]> = {
  mysql: ["host", "port", "user", "password", "database", "tlsCa"],
  redis: ["hosts", "password", "tls"],
  activemq: ["host", "port", "user", "password", "tls"],
  dynamodb: ["endpoint", "region"],
  service: ["url", "srv"],
  platform: ["port", "logLevel", "environment"],
};

/**
 * Checks every entry and the relations between entries. Returns the catalog unchanged, or throws
 * a CatalogError such as `catalog: order-api.scaling.min: must be at most scaling.max (3 > 2)`.
 */
export function validateCatalog(services: readonly ServiceSpec[], repoRoot?: string): readonly ServiceSpec[] {
  const names = new Set<string>();
  const ports = new Map<number, string>();
  const secretOwners = new Map<string, string>();
  services.forEach((s, index) => {
    const at = (field: string) =>
      `catalog: ${typeof s?.name === "string" ? s.name : `services[${index}]`}.${field}`;
    const fail = (field: string, problem: string): never => {
      throw new CatalogError(`${at(field)}: ${problem}`);
    };
    if (typeof s !== "object" || s === null)
      throw new CatalogError(`catalog: services[${index}]: must be an object`);
    if (typeof s.name !== "string" || !NAME.test(s.name)) {
      fail("name", `must be 3-40 lowercase letters, digits or dashes (got ${JSON.stringify(s.name)})`);
    }
    if (names.has(s.name)) fail("name", "is used by another service");
    names.add(s.name);
    if (typeof s.system !== "string" || !NAME.test(s.system))
      fail("system", "must be a lowercase DNS-safe name");
    if (!KINDS.has(s.kind))
      fail("kind", `must be one of ${[...KINDS].join(", ")} (got ${JSON.stringify(s.kind)})`);
    if (typeof s.description !== "string" || s.description.length < 10)
      fail("description", "must say what the service does");
    if (typeof s.entry !== "string" || !s.entry.endsWith(".ts")) fail("entry", "must be a .ts file path");
    if (repoRoot && !existsSync(join(repoRoot, s.entry))) fail("entry", `file ${s.entry} does not exist`);
    if (s.kind === "job") {
      // A job runs to completion and serves no HTTP: nothing may probe, scrape or route to it.
      for (const field of ["port", "health", "metricsPath"] as const)
        if (s[field] !== undefined)
          fail(field, "a job serves no HTTP: it has no port, health paths or metrics path (remove it)");
      if (s.args !== undefined) {
        if (!Array.isArray(s.args)) fail("args", "must be an array of strings");
        s.args.forEach((arg, i) => {
          if (typeof arg !== "string" || arg.length === 0) fail(`args[${i}]`, "must be a non-empty string");
        });
      }
    } else {
      const port = s.port;
      if (!Number.isInteger(port) || port < 1024 || port > 65535)
        fail("port", `must be an integer in 1024-65535 (got ${port})`);
      const owner = ports.get(port);
      if (owner) fail("port", `${port} is already used by ${owner}`);
      ports.set(port, s.name);
      for (const probe of ["liveness", "readiness"] as const) {
        if (typeof s.health?.[probe] !== "string" || !s.health[probe].startsWith("/"))
          fail(`health.${probe}`, "must be a path starting with /");
      }
      if (typeof s.metricsPath !== "string" || !s.metricsPath.startsWith("/"))
        fail("metricsPath", "must be a path starting with /");
      if ((s as { args?: unknown }).args !== undefined)
        fail("args", "only a job takes args (a service or worker runs its entry as is)");
    }
    if (!Array.isArray(s.publicRoutes)) fail("publicRoutes", "must be an array");
    s.publicRoutes.forEach((r, i) => {
      if (typeof r !== "object" || r === null) fail(`publicRoutes[${i}]`, "must be {method, path}");
      if (!METHODS.has(r.method))
        fail(`publicRoutes[${i}].method`, `must be one of ${[...METHODS].join(", ")}`);
      if (typeof r.path !== "string" || !r.path.startsWith("/"))
        fail(`publicRoutes[${i}].path`, "must start with /");
    });
    if (s.publicRoutes.length > 0 && s.kind === "job")
      fail("publicRoutes", "a job cannot have public routes");
    if (s.ingressPrefix !== undefined && !/^\/[a-z0-9-/]*$/.test(s.ingressPrefix))
      fail("ingressPrefix", "must be a path such as /orders");
    const b = s.scaling;
    if (typeof b !== "object" || b === null) fail("scaling", "is required");
    if (!Number.isInteger(b.min) || b.min < 0)
      fail("scaling.min", `must be a whole number ≥ 0 (got ${b.min})`);
    if (!Number.isInteger(b.max) || b.max < 1)
      fail("scaling.max", `must be a whole number ≥ 1 (got ${b.max})`);
    if (b.min > b.max) fail("scaling.min", `must be at most scaling.max (${b.min} > ${b.max})`);
    if (!(b.cpuTarget > 0 && b.cpuTarget <= 100))
      fail("scaling.cpuTarget", `must be a percentage in (0, 100] (got ${b.cpuTarget})`);
    if (b.requestsPerTarget !== undefined && !(b.requestsPerTarget > 0))
      fail("scaling.requestsPerTarget", "must be positive");
    if (b.queue !== undefined) {
      const destinations = s.uses?.activemq?.destinations ?? [];
      if (!destinations.includes(b.queue.destination))
        fail(
          "scaling.queue.destination",
          `must be one of uses.activemq.destinations (${destinations.join(", ") || "none"}; got ${JSON.stringify(b.queue.destination)})`,
        );
      if (!b.queue.destination.startsWith("/queue/"))
        fail("scaling.queue.destination", "must be a /queue/ destination (a topic has no depth)");
      if (!(b.queue.targetDepthPerInstance > 0))
        fail(
          "scaling.queue.targetDepthPerInstance",
          `must be a positive number (got ${b.queue.targetDepthPerInstance})`,
        );
    }
    if (!(s.resources?.cpu >= 64) || !(s.resources?.memory >= 64))
      fail("resources", "cpu (millicores) and memory (MiB) must each be ≥ 64");
    if (typeof s.uses !== "object" || s.uses === null) fail("uses", "is required (use {} for none)");
    for (const key of Object.keys(s.uses)) {
      if (!DEPENDENCIES.includes(key as DependencyKind))
        fail(`uses.${key}`, `unknown dependency; known: ${DEPENDENCIES.join(", ")}`);
    }
    if (s.uses.dynamodb && !Array.isArray(s.uses.dynamodb.tables))
      fail("uses.dynamodb.tables", "must be an array of tables");
    if (s.uses.activemq) {
      const destinations = s.uses.activemq.destinations;
      if (!Array.isArray(destinations) || destinations.length === 0)
        fail("uses.activemq.destinations", "must list the /queue/ or /topic/ destinations the service uses");
      destinations.forEach((d, i) => {
        if (typeof d !== "string" || !/^\/(queue|topic)\/[A-Za-z0-9._-]+$/.test(d))
          fail(
            `uses.activemq.destinations[${i}]`,
            `must be /queue/<name> or /topic/<name> (got ${JSON.stringify(d)})`,
          );
      });
    }
    s.uses.dynamodb?.tables.forEach((t, i) => {
      if (typeof t !== "object" || t === null) fail(`uses.dynamodb.tables[${i}]`, "must be a table");
      if (typeof t.hashKey !== "string" || t.hashKey === "")
        fail(`uses.dynamodb.tables[${i}].hashKey`, "is required");
      if (!/^[A-Za-z0-9_.-]{3,255}$/.test(t.name))
        fail(`uses.dynamodb.tables[${i}].name`, "is not a valid table name");
      if (!(t.readCapacity >= 1 && t.writeCapacity >= 1))
        fail(`uses.dynamodb.tables[${i}]`, "read and write capacity must be ≥ 1");
      if (t.ttlAttribute !== undefined && !/^[A-Za-z0-9_.-]{1,255}$/.test(t.ttlAttribute))
        fail(`uses.dynamodb.tables[${i}].ttlAttribute`, "is not a valid attribute name");
      if (t.ttlAttribute === t.hashKey)
        fail(`uses.dynamodb.tables[${i}].ttlAttribute`, "cannot be the hash key");
    });
    if (typeof s.env !== "object" || s.env === null || Array.isArray(s.env))
      fail("env", "is required (use {} for none)");
    if (s.uses.mysql) {
      // RDS runs with require_secure_transport=1 and creates every account REQUIRE SSL (as the
      // Kubernetes and local realizations serve TLS): a MySQL user connects over verified TLS only.
      if (s.uses.mysql.tls !== true)
        fail(
          "uses.mysql.tls",
          'must be true: MySQL is reached over verified TLS only (RDS refuses plain text); set it and give the service the CA with {from: "mysql", field: "tlsCa"} and its TLS mode',
        );
      if (!Object.values(s.env ?? {}).some((e) => e?.from === "mysql" && e.field === "tlsCa"))
        fail(
          "env",
          'a MySQL user must be given the server\'s CA: add a variable {from: "mysql", field: "tlsCa"} (and its TLS mode)',
        );
    }
    if (!Array.isArray(s.calls)) fail("calls", "must be an array of service names");
    if (s.calls.includes(s.name)) fail("calls", "a service does not call itself over the network");
    for (const [variable, source] of Object.entries(s.env ?? {})) {
      if (!ENV_NAME.test(variable)) fail(`env.${variable}`, "must be an UPPER_SNAKE_CASE name");
      checkSource(source, s, (problem) => fail(`env.${variable}`, problem));
      if (source.from === "secret") {
        const other = secretOwners.get(source.name);
        if (other && other !== s.system)
          fail(`env.${variable}`, `secret ${source.name} already belongs to system ${other}`);
        secretOwners.set(source.name, s.system);
      }
    }
  });
  const jobs = new Set(services.filter((s) => s.kind === "job").map((s) => s.name));
  for (const s of services) {
    for (const target of s.calls) {
      if (!names.has(target))
        throw new CatalogError(`catalog: ${s.name}.calls: unknown service ${JSON.stringify(target)}`);
      if (jobs.has(target))
        throw new CatalogError(`catalog: ${s.name}.calls: ${target} is a job, which serves nothing to call`);
    }
    for (const [variable, source] of Object.entries(s.env)) {
      if (source.from === "service" && !names.has(source.service)) {
        throw new CatalogError(
          `catalog: ${s.name}.env.${variable}: unknown service ${JSON.stringify(source.service)}`,
        );
      }
      if (source.from === "service" && !s.calls.includes(source.service)) {
        throw new CatalogError(
          `catalog: ${s.name}.env.${variable}: ${source.service} must also be listed in calls`,
        );
      }
    }
  }
  return services;
}

function checkSource(source: EnvSource, s: ServiceSpec, fail: (problem: string) => never): void {
  if (typeof source !== "object" || source === null || typeof source.from !== "string")
    fail("must be an env source object");
  const fields = SOURCE_FIELDS[source.from];
  const field = (source as { field?: unknown }).field;
  if (fields && !fields.includes(field as string))
    fail(`${source.from} has no field ${JSON.stringify(field)}; it offers ${fields.join(", ")}`);
  switch (source.from) {
    case "literal":
      if (typeof source.value !== "string") fail("literal value must be a string");
      return;
    case "mysql":
    case "redis":
    case "activemq":
    case "dynamodb":
      if (!s.uses[source.from])
        fail(`reads ${source.from} but the service does not declare uses.${source.from}`);
      if (source.from === "mysql" && source.field === "tlsCa" && !s.uses.mysql?.tls)
        fail("tlsCa needs uses.mysql.tls = true");
      return;
    case "platform":
      if (source.field === "port" && s.kind === "job") fail("a job has no port (it serves no HTTP)");
      return;
    case "service":
      return;
    case "secret":
      if (!NAME.test(source.name)) fail("secret name must be a lowercase DNS-safe name");
      return;
    default:
      fail(`unknown source ${JSON.stringify((source as { from: unknown }).from)}`);
  }
}
