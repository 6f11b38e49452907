import { createService, type Service } from "../../../lib/service-kit";
import { registerBackendProxy } from "./backend-proxy";
import { APP_JS } from "./page/app-script";
import { APP_CSS } from "./page/app-styles";
import { INDEX_HTML } from "./page/index-html";

export interface FrontendConfig {
  port: number;
  backendUrl: string;
}

export interface RunningFrontend {
  url: string;
  service: Service;
  close(): Promise<void>;
}

/** Everything the page loads comes from this service: no inline code, no other origin. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export async function startFrontend(config: FrontendConfig): Promise<RunningFrontend> {
  const service = createService({ name: "oversupply-frontend", port: config.port });
  const app = service.app;
  const asset = (type: string, body: string) => (_request: unknown, reply: import("fastify").FastifyReply) =>
    reply.type(type).headers(SECURITY_HEADERS).header("cache-control", "no-cache").send(body);
  app.get("/", asset("text/html; charset=utf-8", INDEX_HTML));
  app.get("/app.js", asset("text/javascript; charset=utf-8", APP_JS));
  app.get("/app.css", asset("text/css; charset=utf-8", APP_CSS));
  registerBackendProxy(app, config.backendUrl);
  const url = await service.listen();
  return { url, service, close: () => service.close() };
}
