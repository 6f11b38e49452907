/**
 * The service catalog's types: one description of every service, from which the local runner,
 * the AWS and Kubernetes realizations, dashboards, alerts and docs are all derived.
 */

/** The kinds of backing store or broker a service can depend on. */
export type DependencyKind = "mysql" | "redis" | "activemq" | "dynamodb";

/** How a service runs: a long-lived HTTP service, a worker (still serves health and metrics), or a one-off job. */
export type ServiceKind = "service" | "worker" | "job";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A route reachable from outside the platform (through the load balancer or Ingress). */
export interface PublicRoute {
  method: HttpMethod;
  /** Express-style path, e.g. `/orders/:id`. */
  path: string;
}

/**
 * Where one environment variable's value comes from. Realizations resolve each reference to a
 * concrete value: the local runner to the processes it started, AWS to RDS/ElastiCache/MQ
 * endpoints and Secrets Manager references, Kubernetes to Service DNS names and Secret refs.
 */
export type EnvSource =
  | { from: "literal"; value: string }
  | { from: "mysql"; field: "host" | "port" | "user" | "password" | "database" | "tlsCa" }
  | { from: "redis"; field: "hosts" | "password" | "tls" }
  | { from: "activemq"; field: "host" | "port" | "user" | "password" | "tls" }
  | { from: "dynamodb"; field: "endpoint" | "region" }
  /** Base URL (`http://host:port`) of another service in the catalog. */
  | { from: "service"; service: string; field: "url" | "srv" }
  /** A secret generated per deployment (random, stored encrypted); `name` is unique in the catalog. */
  | { from: "secret"; name: string; optionalLocally?: boolean }
  /** Supplied by the realization: the port to listen on, the log level, the deployment environment. */
  | { from: "platform"; field: "port" | "logLevel" | "environment" };

/** Environment fields that carry credentials and must be injected by reference, never as plain values. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(["password"]);

export function isSecretSource(source: EnvSource): boolean {
  return source.from === "secret" || ("field" in source && SECRET_FIELDS.has(source.field));
}

export interface DynamoTable {
  name: string;
  hashKey: string;
  /** Read/write capacity when the stack uses provisioned mode. */
  readCapacity: number;
  writeCapacity: number;
  /**
   * The attribute holding an item's expiry (unix seconds): DynamoDB's TTL deletes expired items
   * in the background (typically within two days), at no cost. Readers still treat them as absent.
   */
  ttlAttribute?: string;
}

/** What a service needs from each dependency. */
export interface DependencyUse {
  mysql?: { database: string; tls?: boolean };
  redis?: { cache: true };
  activemq?: { destinations: string[] };
  dynamodb?: { tables: DynamoTable[] };
}

export interface ScalingBounds {
  min: number;
  max: number;
  /** Target average CPU utilisation, in percent. */
  cpuTarget: number;
  /** Target requests per instance per minute (ALB request count per target); omit for workers. */
  requestsPerTarget?: number;
  /**
   * Scale on the depth of a queue the service consumes: the realizations track messages waiting
   * per running instance (AWS: Amazon MQ `QueueSize` ÷ running tasks; Kubernetes: the external
   * metric `activemq_queue_size` averaged over the pods), alongside CPU. For bursty consumers.
   */
  queue?: {
    /** A `/queue/...` destination listed in the service's `uses.activemq.destinations`. */
    destination: string;
    /** Messages waiting per instance above which more instances are added; must be > 0. */
    targetDepthPerInstance: number;
  };
}

/** What every catalog entry has, whatever its kind. */
interface CatalogEntry {
  /** DNS-safe unique name, e.g. `buffs-server`. */
  name: string;
  /** The family the service belongs to, e.g. `buffs`; dashboards are drawn per system. */
  system: string;
  kind: ServiceKind;
  description: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  /** Routes reachable from outside; an empty list keeps the service internal. */
  publicRoutes: PublicRoute[];
  /** Path prefix the load balancer / Ingress routes to this service, when it has public routes. */
  ingressPrefix?: string;
  env: Record<string, EnvSource>;
  uses: DependencyUse;
  /** Other catalog services this one calls (network policy and service discovery follow it). */
  calls: string[];
  scaling: ScalingBounds;
  /** Container size: CPU in millicores and memory in MiB. */
  resources: { cpu: number; memory: number };
}

/** A service or a worker: a long-lived process that serves health and metrics over HTTP. */
export interface ServingSpec extends CatalogEntry {
  kind: "service" | "worker";
  /** Port the service listens on (its container port; the local runner's default). */
  port: number;
  health: { liveness: string; readiness: string };
  metricsPath: string;
  args?: undefined;
}

/**
 * A one-off job: runs to completion and serves no HTTP, so it has no port, no health paths and no
 * metrics path (the validation refuses them); the realizations give it no probes, health check or
 * port mapping.
 */
export interface JobSpec extends CatalogEntry {
  kind: "job";
  port?: undefined;
  health?: undefined;
  metricsPath?: undefined;
  /** Arguments the deployed job runs with (after its entry / the image's entrypoint). @default [] */
  args?: string[];
}

export type ServiceSpec = ServingSpec | JobSpec;

/** Whether an entry is a service or a worker (has a port, health and metrics paths). */
export function isServing(spec: ServiceSpec): spec is ServingSpec {
  return spec.kind !== "job";
}

export type Catalog = readonly ServiceSpec[];
