import type { ServiceSpec } from "../types";

const broker = {
  ACTIVEMQ_HOST: { from: "activemq", field: "host" },
  ACTIVEMQ_PORT: { from: "activemq", field: "port" },
  ACTIVEMQ_USER: { from: "activemq", field: "user" },
  ACTIVEMQ_PASSWORD: { from: "activemq", field: "password" },
  ACTIVEMQ_TLS: { from: "activemq", field: "tls" },
} as const satisfies ServiceSpec["env"];

const common = {
  PORT: { from: "platform", field: "port" },
  LOG_LEVEL: { from: "platform", field: "logLevel" },
} as const satisfies ServiceSpec["env"];

/** Signs matcher → backend callbacks and cruncher → backend weights updates (HMAC-SHA256). */
const CALLBACK_SECRET = { from: "secret", name: "oversupply-callback-secret" } as const;
const MATCH_REQUESTS = "/queue/oversupply.match-requests";
const WEIGHTS = "/topic/oversupply.weights";
const health = { liveness: "/healthz", readiness: "/readyz" };

/**
 * The oversupply system (SPRK): partners register surplus food, an asynchronous matcher recommends
 * a demand partner, and a cruncher re-tunes the matcher's weights from the outcomes.
 */
export const oversupplyServices: ServiceSpec[] = [
  {
    name: "oversupply-frontend",
    system: "oversupply",
    kind: "service",
    description:
      "Serves the page where partners register oversupply and see the recommended match arrive; forwards the page's /api calls to the backend.",
    entry: "apps/oversupply-frontend/src/main.ts",
    port: 8100,
    health,
    metricsPath: "/metrics",
    publicRoutes: [
      { method: "GET", path: "/" },
      { method: "GET", path: "/app.js" },
      { method: "GET", path: "/app.css" },
      { method: "GET", path: "/api/oversupply/options" },
      { method: "POST", path: "/api/oversupply" },
      { method: "GET", path: "/api/oversupply/:id" },
      { method: "POST", path: "/api/oversupply/:id/outcome" },
    ],
    env: { ...common, BACKEND_URL: { from: "service", service: "oversupply-backend", field: "url" } },
    uses: {},
    calls: ["oversupply-backend"],
    scaling: { min: 2, max: 4, cpuTarget: 60, requestsPerTarget: 1200 },
    resources: { cpu: 128, memory: 128 },
  },
  {
    name: "oversupply-backend",
    system: "oversupply",
    kind: "service",
    description:
      "Stores oversupply registrations in MySQL and publishes match requests through a transactional outbox; receives signed, idempotent recommendations and outcomes; keeps the weights history.",
    entry: "apps/oversupply-backend/src/main.ts",
    port: 8101,
    health,
    metricsPath: "/metrics",
    // Internal: partners reach it through the frontend; callbacks, outcomes and weights stay private.
    publicRoutes: [],
    env: {
      ...common,
      MYSQL_HOST: { from: "mysql", field: "host" },
      MYSQL_PORT: { from: "mysql", field: "port" },
      MYSQL_USER: { from: "mysql", field: "user" },
      MYSQL_PASSWORD: { from: "mysql", field: "password" },
      MYSQL_DATABASE: { from: "mysql", field: "database" },
      // TLS only, the certificate verified against the CA and matched to MYSQL_HOST (RDS refuses plain text).
      MYSQL_TLS_MODE: { from: "literal", value: "verify-identity" },
      MYSQL_TLS_CA: { from: "mysql", field: "tlsCa" },
      ...broker,
      CALLBACK_SECRET,
      OUTBOX_POLL_MS: { from: "literal", value: "1000" },
    },
    uses: { mysql: { database: "oversupply", tls: true }, activemq: { destinations: [MATCH_REQUESTS] } },
    calls: [],
    scaling: { min: 2, max: 6, cpuTarget: 60, requestsPerTarget: 1500 },
    resources: { cpu: 256, memory: 256 },
  },
  {
    name: "oversupply-matcher",
    system: "oversupply",
    kind: "worker",
    description:
      "Consumes match requests, scores the shipped demand partners with the current weighted model and posts the recommendation to the backend's signed callback, retrying with backoff.",
    entry: "apps/oversupply-matcher/src/main.ts",
    port: 8102,
    health,
    metricsPath: "/metrics",
    publicRoutes: [],
    env: {
      ...common,
      ...broker,
      BACKEND_URL: { from: "service", service: "oversupply-backend", field: "url" },
      CALLBACK_SECRET,
      MATCHER_PREFETCH: { from: "literal", value: "4" },
      CALLBACK_MAX_ATTEMPTS: { from: "literal", value: "10" },
      CALLBACK_RETRY_BASE_MS: { from: "literal", value: "250" },
      CALLBACK_RETRY_MAX_MS: { from: "literal", value: "30000" },
      WEIGHTS_REFRESH_MS: { from: "literal", value: "60000" },
    },
    uses: { activemq: { destinations: [MATCH_REQUESTS, WEIGHTS] } },
    calls: ["oversupply-backend"],
    // Bursts (mornings, evenings) queue up on the broker; more matchers drain them faster, so the
    // queue's depth per matcher drives scaling (a matcher waiting on callbacks uses little CPU).
    scaling: {
      min: 1,
      max: 6,
      cpuTarget: 70,
      queue: { destination: MATCH_REQUESTS, targetDepthPerInstance: 20 },
    },
    resources: { cpu: 256, memory: 192 },
  },
  {
    name: "oversupply-cruncher",
    system: "oversupply",
    kind: "worker",
    description:
      "Every few minutes recomputes the matcher's weights from the outcomes the backend recorded (delta rule), stores the new version in the backend and publishes it to every matcher.",
    entry: "apps/oversupply-cruncher/src/main.ts",
    port: 8103,
    health,
    metricsPath: "/metrics",
    publicRoutes: [],
    env: {
      ...common,
      ...broker,
      BACKEND_URL: { from: "service", service: "oversupply-backend", field: "url" },
      CALLBACK_SECRET,
      CRUNCH_INTERVAL_MS: { from: "literal", value: "300000" },
      LEARNING_RATE: { from: "literal", value: "0.5" },
      MIN_OUTCOMES: { from: "literal", value: "5" },
    },
    uses: { activemq: { destinations: [WEIGHTS] } },
    calls: ["oversupply-backend"],
    // One is enough; a second one is safe (the backend refuses a version computed from a stale one).
    scaling: { min: 1, max: 1, cpuTarget: 80 },
    resources: { cpu: 128, memory: 128 },
  },
];
