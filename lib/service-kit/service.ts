import type { AddressInfo } from "node:net";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { readEnv } from "./env";
import { defaultErrorBody, type ErrorBody, errorHandler } from "./errors";
import { READINESS_CHECK_TIMEOUT_MS, type ReadinessCheck, registerHealthRoutes } from "./health";
import { installJsonBodyParser } from "./json-body";
import { loggerOptions, parseLogLevel } from "./logger";
import { installRouteFallback } from "./method-not-allowed";
import { createServiceMetrics, HttpMetrics, type ServiceMetrics, UNMATCHED_ROUTE } from "./metrics";
import { REQUEST_ID_HEADER, requestContext, requestIdFor } from "./request-id";
import { exitGracefullyOnSignals, logUnhandledRejections } from "./shutdown";

export interface ServiceOptions {
  /** Service name, on every log line and as the `service` label of every metric. */
  name: string;
  /** @default env PORT, else 0 (a random free port) */
  port?: number;
  /** @default "0.0.0.0" */
  host?: string;
  /** Largest accepted request body in bytes; larger ones get 413. @default 65536 */
  bodyLimit?: number;
  /** Paths of the built-in endpoints; `false` leaves one out. @default /healthz, /readyz, /metrics */
  health?: { liveness?: string | false; readiness?: string | false; metrics?: string | false };
  /** Shape of every error answer. @default (status, message) => ({ error: message }) */
  errorBody?: ErrorBody;
  /** Named readiness checks; a throw (or a timeout) makes the readiness endpoint answer 503. */
  readiness?: Record<string, ReadinessCheck>;
  /** Time each readiness check may take. @default 2000 */
  readinessTimeoutMs?: number;
  /** How long in-flight requests may run on shutdown before their connections are cut. @default 10000 */
  shutdownTimeoutMs?: number;
  /** @default env LOG_LEVEL, else "info" */
  logLevel?: string;
  /** Where log lines go. @default stdout */
  logStream?: NodeJS.WritableStream;
}

export interface Service {
  /** Register routes here. JSON bodies are parsed, errors mapped, requests logged and measured. */
  app: FastifyInstance;
  log: FastifyBaseLogger;
  metrics: ServiceMetrics;
  /** Runs `fn` on close, after in-flight requests finished; hooks run in reverse order of registration. */
  onClose(fn: () => Promise<void> | void): void;
  /** Starts listening, installs SIGINT/SIGTERM graceful shutdown, returns the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, drains in-flight requests (up to the shutdown timeout), runs the close hooks. */
  close(): Promise<void>;
}

/** Requests to these routes are logged at debug level: probes and scrapes would drown the log. */
function quietRoutes(health: ServiceOptions["health"]): Set<string> {
  const paths = [
    health?.liveness ?? "/healthz",
    health?.readiness ?? "/readyz",
    health?.metrics ?? "/metrics",
  ];
  return new Set(paths.filter((path): path is string => path !== false));
}

export function baseUrlOf(address: AddressInfo): string {
  const { address: host, port } = address;
  if (host === "0.0.0.0" || host === "::") return `http://127.0.0.1:${port}`;
  return host.includes(":") ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

export function createService(opts: ServiceOptions): Service {
  const env = readEnv();
  const port = opts.port ?? env.int("PORT", 0, { min: 0, max: 65535 });
  const host = opts.host ?? "0.0.0.0";
  const bodyLimit = opts.bodyLimit ?? 64 * 1024;
  const errorBody = opts.errorBody ?? defaultErrorBody;
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 10_000;
  const logLevel = parseLogLevel(opts.logLevel ?? env.optional("LOG_LEVEL"));

  const app = Fastify({
    logger: loggerOptions(opts.name, logLevel, opts.logStream),
    bodyLimit,
    genReqId: requestIdFor,
    // The kit logs one line per completed request itself (onResponse), with the route pattern.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "reqId" }),
    // Longer than a load balancer's idle timeout (60 s on AWS), so the balancer, not the service,
    // closes idle connections and never sends a request on a socket the service is closing.
    keepAliveTimeout: 65_000,
  });

  const metrics = createServiceMetrics(opts.name);
  const httpMetrics = new HttpMetrics(metrics);
  const quiet = quietRoutes(opts.health);
  let draining = false;

  installJsonBodyParser(app);
  installRouteFallback(app, errorBody);
  app.setErrorHandler(errorHandler(errorBody, bodyLimit));

  app.addHook("onRequest", (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    requestContext.run(request.id, done);
  });

  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const durationMs = reply.elapsedTime;
    httpMetrics.record(request.method, route, reply.statusCode, durationMs);
    const fields = {
      method: request.method,
      route,
      status: reply.statusCode,
      durationMs: Math.round(durationMs * 100) / 100,
    };
    if (quiet.has(route)) request.log.debug(fields, "request completed");
    else request.log.info(fields, "request completed");
    done();
  });

  registerHealthRoutes(app, {
    liveness: opts.health?.liveness ?? "/healthz",
    readiness: opts.health?.readiness ?? "/readyz",
    checks: opts.readiness ?? {},
    checkTimeoutMs: opts.readinessTimeoutMs ?? READINESS_CHECK_TIMEOUT_MS,
    isDraining: () => draining,
  });
  const metricsPath = opts.health?.metrics ?? "/metrics";
  if (metricsPath !== false) {
    app.get(metricsPath, async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    });
  }

  const closeHooks: Array<() => Promise<void> | void> = [];
  let removeSignalHandlers: (() => void) | undefined;
  let closing: Promise<void> | undefined;

  async function drainHttp(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"deadline">((resolve) => {
      timer = setTimeout(() => resolve("deadline"), shutdownTimeoutMs);
    });
    const closed = app.close().then(() => "closed" as const);
    // A keep-alive connection whose request finishes during the drain would otherwise stay open
    // until its idle timeout: close connections as soon as they become idle.
    const idleSweeper = setInterval(() => app.server.closeIdleConnections(), 50);
    const first = await Promise.race([closed, deadline]);
    clearTimeout(timer);
    clearInterval(idleSweeper);
    if (first === "deadline") {
      app.log.warn(
        { shutdownTimeoutMs },
        "in-flight requests did not finish in time: closing their connections",
      );
      app.server.closeAllConnections();
      await closed;
    }
  }

  async function close(): Promise<void> {
    draining = true;
    removeSignalHandlers?.();
    await drainHttp();
    for (const hook of [...closeHooks].reverse()) {
      try {
        await hook();
      } catch (error) {
        app.log.error({ err: error }, "close hook failed");
      }
    }
  }

  const service: Service = {
    app,
    log: app.log,
    metrics,
    onClose(fn) {
      closeHooks.push(fn);
    },
    async listen() {
      await app.listen({ port, host });
      const url = baseUrlOf(app.server.address() as AddressInfo);
      removeSignalHandlers = exitGracefullyOnSignals(
        app.log,
        () => service.close(),
        shutdownTimeoutMs + 5_000,
      );
      logUnhandledRejections(app.log);
      app.log.info({ url, port: (app.server.address() as AddressInfo).port }, "listening");
      return url;
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
  return service;
}
