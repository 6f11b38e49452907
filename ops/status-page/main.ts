import { createServer, type Server } from "node:http";
import { PrometheusClient } from "./prometheus-client";
import { renderStatusPage } from "./render";
import { collectStatus } from "./status";

export interface StatusPageOptions {
  port: number;
  prometheusUrl: string;
  services: { name: string; system: string }[];
  /** What the charts cover. Default 30 minutes. */
  windowSeconds?: number;
}

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** The local status page: `/` (HTML), `/api/status` (the same as JSON), `/healthz`. */
export function startStatusPage(options: StatusPageOptions): Promise<Server> {
  const prometheus = new PrometheusClient(options.prometheusUrl);
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD", "content-type": "application/json" });
      return response.end(JSON.stringify({ error: `method ${request.method} not allowed` }));
    }
    if (path === "/healthz") {
      response.writeHead(200, { "content-type": "application/json" });
      return response.end('{"status":"ok"}');
    }
    if (path !== "/" && path !== "/api/status") {
      response.writeHead(404, { "content-type": "application/json" });
      return response.end(JSON.stringify({ error: `no route for GET ${path}` }));
    }
    const status = await collectStatus(prometheus, options.services, options.windowSeconds);
    if (path === "/api/status") {
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(JSON.stringify(status));
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS });
    response.end(renderStatusPage(status));
  });
  return new Promise((resolve) => server.listen(options.port, "127.0.0.1", () => resolve(server)));
}

if (require.main === module) {
  const services = (process.env.STATUS_SERVICES ?? "")
    .split(",")
    .filter(Boolean)
    .map((entry) => {
      const [name = "", system = ""] = entry.split(":");
      return { name, system };
    });
  void startStatusPage({
    port: Number(process.env.PORT),
    prometheusUrl: process.env.PROMETHEUS_URL ?? "",
    services,
  }).then((server) => {
    const stop = () => server.close(() => process.exit(0));
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
