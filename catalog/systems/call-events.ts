import type { ServiceSpec } from "../types";

/**
 * The call-events system: call-webhook stores every call event a telephony provider posts (one
 * group-commit transaction per batch of concurrent events) and answers how many arrived in the last
 * 30 minutes; tgibf is the Black Friday load generator, run as a job against it.
 */
export const callEventsServices: ServiceSpec[] = [
  {
    name: "call-webhook",
    system: "call-events",
    kind: "service",
    description:
      "Telephony webhook: validates call events, answers 200 only after the event is committed in MySQL (group commit), 503 + Retry-After when the database is down or the backlog full; counts the last 30 minutes.",
    entry: "apps/call-webhook/src/main.ts",
    port: 8090,
    health: { liveness: "/healthz", readiness: "/readyz" },
    metricsPath: "/metrics",
    publicRoutes: [
      { method: "POST", path: "/webhook" },
      { method: "GET", path: "/webhook/last-30-minutes" },
    ],
    ingressPrefix: "/webhook",
    env: {
      PORT: { from: "platform", field: "port" },
      LOG_LEVEL: { from: "platform", field: "logLevel" },
      MYSQL_HOST: { from: "mysql", field: "host" },
      MYSQL_PORT: { from: "mysql", field: "port" },
      MYSQL_USER: { from: "mysql", field: "user" },
      MYSQL_PASSWORD: { from: "mysql", field: "password" },
      MYSQL_DATABASE: { from: "mysql", field: "database" },
      // TLS only, the certificate verified against the CA and matched to MYSQL_HOST (RDS refuses plain text).
      MYSQL_TLS_MODE: { from: "literal", value: "verify-identity" },
      MYSQL_TLS_CA: { from: "mysql", field: "tlsCa" },
      MYSQL_POOL_SIZE: { from: "literal", value: "10" },
      BATCH_MAX_SIZE: { from: "literal", value: "500" },
      BATCH_MAX_IN_FLIGHT: { from: "literal", value: "2" },
      MAX_BACKLOG: { from: "literal", value: "5000" },
    },
    uses: { mysql: { database: "call_events", tls: true } },
    calls: [],
    // Writes are bounded by the database's commits, not by CPU: a few replicas absorb the bursts.
    scaling: { min: 2, max: 6, cpuTarget: 60, requestsPerTarget: 60_000 },
    resources: { cpu: 256, memory: 256 },
  },
  {
    name: "tgibf",
    system: "call-events",
    kind: "job",
    description:
      "TGIBF (Thank God It's Black Friday): load generator that posts bursts or a constant rate of call events to call-webhook and reports statuses and latency.",
    entry: "apps/tgibf/src/main.ts",
    // A deployed run: a target is never loopback in a cluster, so --allow-remote; a constant,
    // bounded rate with reused connections (the Dockerfile's example), and a JSON report in the logs.
    args: ["--allow-remote", "--mode", "rate", "--rate", "300", "--duration", "5m", "--keep-alive", "--json"],
    publicRoutes: [],
    env: {
      // The original's variable. A base URL (as resolved here) is completed with /webhook. On AWS
      // a job runs outside Service Connect: it gets call-webhook's public URL (the load balancer).
      WEBHOOK: { from: "service", service: "call-webhook", field: "url" },
    },
    uses: {},
    calls: ["call-webhook"],
    scaling: { min: 0, max: 1, cpuTarget: 80 },
    resources: { cpu: 512, memory: 256 },
  },
];
