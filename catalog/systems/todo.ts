import type { ServiceSpec } from "../types";

/** The todo system's services. */
export const todoServices: ServiceSpec[] = [
  {
    name: "todo",
    system: "todo",
    kind: "service",
    description:
      "TODO application: a REST API for tasks and the web page that uses it, on MySQL over verified TLS.",
    entry: "apps/todo/src/main.ts",
    port: 3000,
    health: { liveness: "/healthz", readiness: "/readyz" },
    metricsPath: "/metrics",
    publicRoutes: [
      { method: "GET", path: "/" },
      { method: "GET", path: "/todos" },
      { method: "POST", path: "/todos" },
      { method: "GET", path: "/todos/:id" },
      { method: "PATCH", path: "/todos/:id" },
      { method: "DELETE", path: "/todos/:id" },
    ],
    env: {
      PORT: { from: "platform", field: "port" },
      LOG_LEVEL: { from: "platform", field: "logLevel" },
      DB_HOST: { from: "mysql", field: "host" },
      DB_PORT: { from: "mysql", field: "port" },
      DB_USER: { from: "mysql", field: "user" },
      DB_PASSWORD: { from: "mysql", field: "password" },
      DB_NAME: { from: "mysql", field: "database" },
      // TLS only, the certificate verified against the CA and matched to DB_HOST.
      DB_TLS_MODE: { from: "literal", value: "verify-identity" },
      DB_TLS_CA: { from: "mysql", field: "tlsCa" },
      // Connections per task: scaling.max × this must stay well under the instance's max_connections.
      DB_POOL_SIZE: { from: "literal", value: "5" },
    },
    uses: { mysql: { database: "todo", tls: true } },
    calls: [],
    // requestsPerTarget is per minute: 3000 = 50 req/s per task (docs/plans/todo-growing-traffic.md).
    scaling: { min: 2, max: 6, cpuTarget: 60, requestsPerTarget: 3000 },
    resources: { cpu: 256, memory: 256 },
  },
];
