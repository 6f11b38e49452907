import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyRequest } from "fastify";

/** The header that carries a request id in and out of every service, and on queue messages. */
export const REQUEST_ID_HEADER = "x-request-id";

/** An incoming id is kept only when it is short and plain, so it cannot inject into logs or headers. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** fastify `genReqId`: the caller's id when acceptable, else a fresh UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  if (typeof incoming === "string" && ACCEPTABLE_REQUEST_ID.test(incoming)) return incoming;
  return randomUUID();
}

export function isAcceptableRequestId(value: string): boolean {
  return ACCEPTABLE_REQUEST_ID.test(value);
}

/** The request id of a request, to put on outgoing calls and queue messages. */
export function requestIdOf(request: FastifyRequest): string {
  return request.id;
}

export const requestContext = new AsyncLocalStorage<string>();

/**
 * The id of the request being handled in the current async context (set by the kit before any
 * handler runs), or undefined outside a request (startup, a queue consumer, a timer).
 */
export function currentRequestId(): string | undefined {
  return requestContext.getStore();
}

/**
 * Runs `fn` with `id` as the current request id, for work that does not start with an HTTP
 * request: a queue consumer handling a message that carries `x-request-id`, so the calls it makes
 * (`requestIdHeaders()`) and the messages it sends carry the same id. Without an id, a new one.
 */
export function runWithRequestId<T>(id: string | undefined, fn: () => T): T {
  const usable = id !== undefined && ACCEPTABLE_REQUEST_ID.test(id) ? id : randomUUID();
  return requestContext.run(usable, fn);
}

/** Headers to put on an outgoing call so the next service logs the same request id. */
export function requestIdHeaders(id: string | undefined = currentRequestId()): Record<string, string> {
  return id === undefined ? {} : { [REQUEST_ID_HEADER]: id };
}
