import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "../../../lib/service-kit";

const TIMEOUT_MS = 10_000;

/**
 * The page's API: each route forwards to the same route of the backend. Only the partner-facing
 * routes are forwarded; the backend's internal ones (callbacks, weights, outcomes feed) are not
 * reachable through the frontend.
 */
export function registerBackendProxy(app: FastifyInstance, backendUrl: string): void {
  const forward = async (request: FastifyRequest, reply: FastifyReply, path: string) => {
    let response: Response;
    try {
      response = await fetch(new URL(path, backendUrl), {
        method: request.method,
        headers: {
          "x-request-id": request.id,
          ...(typeof request.headers["idempotency-key"] === "string"
            ? { "idempotency-key": request.headers["idempotency-key"] }
            : {}),
          ...(request.body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      request.log.warn({ err: error }, "backend unreachable");
      throw new HttpError(503, "the oversupply backend is unavailable, retry later", { "retry-after": "5" });
    }
    const retryAfter = response.headers.get("retry-after");
    if (retryAfter) reply.header("retry-after", retryAfter);
    return reply
      .code(response.status)
      .type(response.headers.get("content-type") ?? "application/json")
      .header("cache-control", "no-store")
      .send(await response.text());
  };
  const id = (request: FastifyRequest) => encodeURIComponent((request.params as { id: string }).id);

  app.get("/api/oversupply/options", (request, reply) => forward(request, reply, "/oversupply/options"));
  app.post("/api/oversupply", (request, reply) => forward(request, reply, "/oversupply"));
  app.get("/api/oversupply/:id", (request, reply) => forward(request, reply, `/oversupply/${id(request)}`));
  app.post("/api/oversupply/:id/outcome", (request, reply) =>
    forward(request, reply, `/oversupply/${id(request)}/outcome`),
  );
}
