import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { HttpError } from "../../../lib/service-kit";

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * A fastify hook that admits a request only with `Authorization: Bearer <token>`. Both sides are
 * hashed first, so the comparison is constant-time whatever the lengths, and reveals nothing
 * about the token through timing.
 */
export function requireBearerToken(token: string, realm: string) {
  const expected = digest(token);
  const challenge = (error?: string) => ({
    "www-authenticate": error ? `Bearer realm="${realm}", error="${error}"` : `Bearer realm="${realm}"`,
  });
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (header === undefined) throw new HttpError(401, "a bearer token is required", challenge());
    const presented = /^Bearer +([^\s]+) *$/i.exec(header)?.[1];
    if (presented === undefined)
      throw new HttpError(401, "authorization must be: Bearer <token>", challenge("invalid_request"));
    if (!timingSafeEqual(digest(presented), expected))
      throw new HttpError(401, "the bearer token is not valid", challenge("invalid_token"));
  };
}
