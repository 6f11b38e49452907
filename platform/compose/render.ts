import { stringify } from "yaml";
import type { Catalog, EnvSource, ServiceSpec } from "../../catalog/types";

/**
 * docker-compose.yml from the catalog, for people who develop with Docker: every service built
 * from its Dockerfile (context: the repository root) plus the dependencies the catalog uses, on
 * pinned images. Credentials are development defaults, overridable from the shell or a `.env`.
 */

export const DEPENDENCY_IMAGES = {
  mysql: "mariadb:11.4.4",
  redis: "redis:7.4.1-alpine",
  activemq: "apache/activemq-classic:5.18.6",
  dynamodb: "amazon/dynamodb-local:2.5.3",
} as const;

const MYSQL_USER = "battleready";
const MQ_USER = "battleready";
const dev = (variable: string, fallback: string) => `\${${variable}:-${fallback}}`;
const MYSQL_PASSWORD = dev("MYSQL_PASSWORD", "dev-only-mysql");
const REDIS_PASSWORD = dev("REDIS_PASSWORD", "dev-only-redis");
const MQ_PASSWORD = dev("ACTIVEMQ_PASSWORD", "dev-only-activemq");
/** Where the todo service finds the CA of MariaDB's TLS certificate (docs/localstack.md says how to make it). */
const TLS_DIR = "./.local/compose-tls";

function envValue(source: EnvSource, spec: ServiceSpec, catalog: Catalog): string | undefined {
  switch (source.from) {
    case "literal":
      return source.value;
    case "platform":
      return source.field === "port" ? String(spec.port) : source.field === "logLevel" ? "info" : "compose";
    case "mysql":
      return {
        host: "mysql",
        port: "3306",
        user: MYSQL_USER,
        password: MYSQL_PASSWORD,
        database: spec.uses.mysql?.database ?? "",
        tlsCa: "/run/tls/ca.pem",
      }[source.field];
    case "redis":
      return { hosts: "redis:6379", password: REDIS_PASSWORD, tls: "false" }[source.field];
    case "activemq":
      return { host: "activemq", port: "61613", user: MQ_USER, password: MQ_PASSWORD, tls: "false" }[
        source.field
      ];
    case "dynamodb":
      return source.field === "endpoint" ? "http://dynamodb:8000" : "us-east-1";
    case "service": {
      if (source.field === "srv") return "";
      const target = catalog.find((s) => s.name === source.service);
      return `http://${source.service}:${target?.port}`;
    }
    case "secret":
      return dev(`SECRET_${source.name.toUpperCase().replace(/-/g, "_")}`, `dev-only-${source.name}`);
  }
}

function serviceEntry(spec: ServiceSpec, catalog: Catalog): Record<string, unknown> {
  const environment: Record<string, string> = {};
  for (const [variable, source] of Object.entries(spec.env)) {
    const value = envValue(source, spec, catalog);
    if (value !== undefined) environment[variable] = value;
  }
  if (spec.uses.dynamodb) {
    // DynamoDB Local accepts any credentials, but the SDK insists on having some.
    environment.AWS_ACCESS_KEY_ID = "local";
    environment.AWS_SECRET_ACCESS_KEY = "local";
  }
  const dependsOn = [
    ...(spec.uses.mysql ? ["mysql"] : []),
    ...(spec.uses.redis ? ["redis"] : []),
    ...(spec.uses.activemq ? ["activemq"] : []),
    ...(spec.uses.dynamodb ? ["dynamodb"] : []),
    ...spec.calls,
  ];
  const appDir = spec.entry.split("/").slice(0, 2).join("/");
  return {
    build: { context: ".", dockerfile: `${appDir}/Dockerfile` },
    image: `battle-ready/${spec.name}:dev`,
    // A job runs with its catalog args (`docker compose run` arguments replace them) and no port.
    ...(spec.kind === "job"
      ? { profiles: ["jobs"], ...(spec.args?.length ? { command: spec.args } : {}) }
      : {}),
    ...(spec.kind !== "job" ? { ports: [`${spec.port}:${spec.port}`] } : {}),
    environment,
    ...(spec.uses.mysql?.tls ? { volumes: [`${TLS_DIR}:/run/tls:ro`] } : {}),
    ...(dependsOn.length > 0 ? { depends_on: dependsOn } : {}),
    read_only: true,
    tmpfs: ["/tmp"],
    user: "1000:1000",
    cap_drop: ["ALL"],
    security_opt: ["no-new-privileges:true"],
    restart: spec.kind === "job" ? "no" : "unless-stopped",
  };
}

function dependencies(catalog: Catalog): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const databases = [
    ...new Set(catalog.flatMap((s) => (s.uses.mysql ? [s.uses.mysql.database] : []))),
  ].sort();
  if (databases.length > 0) {
    const tls = catalog.some((s) => s.uses.mysql?.tls);
    out.mysql = {
      image: DEPENDENCY_IMAGES.mysql,
      environment: {
        MARIADB_ROOT_PASSWORD: dev("MYSQL_ROOT_PASSWORD", "dev-only-root"),
        MARIADB_USER: MYSQL_USER,
        MARIADB_PASSWORD: MYSQL_PASSWORD,
      },
      configs: [{ source: "mysql-databases", target: "/docker-entrypoint-initdb.d/10-databases.sql" }],
      ...(tls
        ? {
            command: [
              "--ssl-ca=/run/tls/ca.pem",
              "--ssl-cert=/run/tls/server.pem",
              "--ssl-key=/run/tls/server-key.pem",
            ],
          }
        : {}),
      volumes: ["mysql-data:/var/lib/mysql", ...(tls ? [`${TLS_DIR}:/run/tls:ro`] : [])],
      ports: ["3306:3306"],
      healthcheck: {
        test: ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"],
        interval: "5s",
        timeout: "5s",
        retries: 20,
      },
    };
  }
  if (catalog.some((s) => s.uses.redis)) {
    out.redis = {
      image: DEPENDENCY_IMAGES.redis,
      command: ["redis-server", "--requirepass", REDIS_PASSWORD, "--appendonly", "yes"],
      volumes: ["redis-data:/data"],
      ports: ["6379:6379"],
    };
  }
  if (catalog.some((s) => s.uses.activemq)) {
    out.activemq = {
      image: DEPENDENCY_IMAGES.activemq,
      environment: { ACTIVEMQ_CONNECTION_USER: MQ_USER, ACTIVEMQ_CONNECTION_PASSWORD: MQ_PASSWORD },
      volumes: ["activemq-data:/opt/apache-activemq/data"],
      ports: ["61613:61613", "8161:8161"],
    };
  }
  if (catalog.some((s) => s.uses.dynamodb)) {
    out.dynamodb = {
      image: DEPENDENCY_IMAGES.dynamodb,
      command: ["-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "/home/dynamodblocal/data"],
      volumes: ["dynamodb-data:/home/dynamodblocal/data"],
      // Host port 18000: 8000 is order-api's.
      ports: ["18000:8000"],
    };
  }
  return out;
}

export function renderCompose(catalog: Catalog): string {
  const deps = dependencies(catalog);
  const databases = [
    ...new Set(catalog.flatMap((s) => (s.uses.mysql ? [s.uses.mysql.database] : []))),
  ].sort();
  const services: Record<string, unknown> = { ...deps };
  for (const spec of catalog) {
    const entry = serviceEntry(spec, catalog);
    // Wait for MariaDB to be healthy; the other dependencies accept connections once started.
    if (Array.isArray(entry.depends_on) && "mysql" in deps) {
      entry.depends_on = Object.fromEntries(
        (entry.depends_on as string[]).map((d) => [
          d,
          { condition: d === "mysql" ? "service_healthy" : "service_started" },
        ]),
      );
    }
    services[spec.name] = entry;
  }
  const document: Record<string, unknown> = {
    name: "battle-ready",
    services,
    ...(Object.keys(deps).length > 0
      ? { volumes: Object.fromEntries(Object.keys(deps).map((d) => [`${d}-data`, {}])) }
      : {}),
    ...(databases.length > 0
      ? {
          configs: {
            "mysql-databases": {
              content: databases
                .map(
                  (db) =>
                    `CREATE DATABASE IF NOT EXISTS \`${db}\`;\nGRANT ALL ON \`${db}\`.* TO '${MYSQL_USER}'@'%';`,
                )
                .join("\n"),
            },
          },
        }
      : {}),
  };
  const header = [
    "# Generated from the service catalog by scripts/generate-compose.ts - do not edit by hand;",
    "# run `npm run generate:compose` after changing catalog/. Local development only: the",
    "# credentials are development defaults (override them in your shell or a .env file).",
    "",
  ].join("\n");
  return header + stringify(document, { lineWidth: 0 });
}
