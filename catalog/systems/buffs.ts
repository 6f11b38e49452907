import type { ServiceSpec } from "../types";

const broker = {
  MQHOST: { from: "activemq", field: "host" },
  MQPORT: { from: "activemq", field: "port" },
  MQUSERNAME: { from: "activemq", field: "user" },
  MQPASSWORD: { from: "activemq", field: "password" },
  MQTLSENABLE: { from: "activemq", field: "tls" },
} as const satisfies ServiceSpec["env"];

/** The buffs system (SportBuff): questions posted on a dashboard, queued, stored and served. */
export const buffsServices: ServiceSpec[] = [
  {
    name: "buffs-dashboard",
    system: "buffs",
    kind: "service",
    description:
      "Accepts Buffs (a question with its answers) on POST /buff, validates them and publishes them to the buffs queue.",
    entry: "apps/buffs-dashboard/src/main.ts",
    port: 8080,
    health: { liveness: "/healthz", readiness: "/readyz" },
    metricsPath: "/metrics",
    publicRoutes: [{ method: "POST", path: "/buff" }],
    ingressPrefix: "/buff",
    env: {
      PORT: { from: "platform", field: "port" },
      LOG_LEVEL: { from: "platform", field: "logLevel" },
      ...broker,
      DASHBOARD_TOKEN: { from: "secret", name: "buffs-dashboard-token", optionalLocally: true },
    },
    uses: { activemq: { destinations: ["/queue/buffs"] } },
    calls: [],
    scaling: { min: 1, max: 3, cpuTarget: 60, requestsPerTarget: 3000 },
    resources: { cpu: 256, memory: 256 },
  },
  {
    name: "buffs-server",
    system: "buffs",
    kind: "service",
    description:
      "Consumes Buffs from the queue into MySQL exactly once, dead-letters poison messages, and serves GET /buffs through a Redis cache.",
    entry: "apps/buffs-server/src/main.ts",
    port: 8081,
    health: { liveness: "/healthz", readiness: "/readyz" },
    metricsPath: "/metrics",
    publicRoutes: [{ method: "GET", path: "/buffs" }],
    ingressPrefix: "/buffs",
    env: {
      PORT: { from: "platform", field: "port" },
      LOG_LEVEL: { from: "platform", field: "logLevel" },
      ...broker,
      DBHOST: { from: "mysql", field: "host" },
      DBPORT: { from: "mysql", field: "port" },
      DBNAME: { from: "mysql", field: "database" },
      DBUSER: { from: "mysql", field: "user" },
      DBPASS: { from: "mysql", field: "password" },
      // TLS only, the certificate verified against the CA and matched to DBHOST (RDS refuses plain text).
      DBTLSMODE: { from: "literal", value: "verify-identity" },
      DBTLSCA: { from: "mysql", field: "tlsCa" },
      REDISHOSTS: { from: "redis", field: "hosts" },
      REDISPASSWORD: { from: "redis", field: "password" },
      REDISTLSENABLE: { from: "redis", field: "tls" },
    },
    uses: {
      mysql: { database: "buffs", tls: true },
      redis: { cache: true },
      activemq: { destinations: ["/queue/buffs", "/queue/DLQ.buffs"] },
    },
    calls: [],
    scaling: { min: 1, max: 4, cpuTarget: 60, requestsPerTarget: 6000 },
    resources: { cpu: 256, memory: 256 },
  },
];
