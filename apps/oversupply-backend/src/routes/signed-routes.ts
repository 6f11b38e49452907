import type { FastifyInstance } from "fastify";
import { HttpError, parseJsonBody } from "../../../../lib/service-kit";
import { verifySignature } from "../../../oversupply-protocol/src/signature";

/**
 * Registers routes whose callers must sign the raw body (see the protocol's signature module).
 * The body is kept as text until the signature is verified, so an unauthenticated caller learns
 * nothing about the parser, then parsed as JSON for the handler.
 */
export function registerSignedRoutes(
  app: FastifyInstance,
  secret: string,
  register: (scope: FastifyInstance) => void,
): void {
  app.register(async (scope) => {
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) =>
      done(null, body),
    );
    scope.addHook("preHandler", async (request) => {
      const raw = typeof request.body === "string" ? request.body : "";
      const check = verifySignature(secret, raw, request.headers);
      if (!check.ok) throw new HttpError(401, `invalid signature: ${check.reason}`);
      request.body = parseJsonBody(raw);
    });
    register(scope);
  });
}
