import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";

/**
 * An error whose status and message are meant for the client. Throw it from a handler:
 * `throw new HttpError(400, "answers must be an array of strings")`.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new RangeError(`HttpError status must be 4xx or 5xx (got ${status})`);
  }
}

export type ErrorBody = (status: number, message: string) => unknown;

export const defaultErrorBody: ErrorBody = (_status, message) => ({ error: message });

export const INTERNAL_ERROR_MESSAGE = "internal error";

interface ClientFacing {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/**
 * What the client is told about an error. `HttpError`s are told as they are; errors the framework
 * marks as the client's fault (4xx: body too large, unsupported media type, schema validation) are
 * told with a clearer message; anything else is an internal error whose details stay in the log.
 */
export function clientFacing(error: unknown, bodyLimit: number): ClientFacing {
  if (error instanceof HttpError)
    return { status: error.status, message: error.message, headers: error.headers };
  const fastifyError = error as Partial<FastifyError> | undefined;
  const status = fastifyError?.statusCode;
  if (typeof status !== "number" || status < 400 || status > 499) {
    return { status: 500, message: INTERNAL_ERROR_MESSAGE };
  }
  switch (fastifyError?.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status, message: `request body is larger than the limit of ${bodyLimit} bytes` };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status, message: "unsupported content type: send the body as application/json" };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { status, message: "request body length does not match its content-length header" };
    default:
      return { status, message: fastifyError?.message ?? "bad request" };
  }
}

/** The fastify error handler: maps any error to a JSON answer; logs internal errors with the request id. */
export function errorHandler(errorBody: ErrorBody, bodyLimit: number) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const answer = clientFacing(error, bodyLimit);
    if (answer.status >= 500) {
      if (error instanceof HttpError) request.log.warn({ status: answer.status }, answer.message);
      else request.log.error({ err: error }, "request failed");
    }
    if (answer.headers) reply.headers(answer.headers);
    return reply
      .code(answer.status)
      .type("application/json; charset=utf-8")
      .send(errorBody(answer.status, answer.message));
  };
}
