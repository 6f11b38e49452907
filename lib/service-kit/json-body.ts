import type { FastifyInstance } from "fastify";
import { HttpError } from "./errors";

const FORBIDDEN_KEY = /"(?:__proto__|constructor)"\s*:/;

function rejectPrototypeKeys(key: string, value: unknown): unknown {
  if (key === "__proto__") throw new HttpError(400, "malformed JSON: the key __proto__ is not allowed");
  if (key === "constructor" && value !== null && typeof value === "object" && "prototype" in value)
    throw new HttpError(400, "malformed JSON: constructor.prototype is not allowed");
  return value;
}

/** Parses a JSON request body, answering 400 with the parser's reason instead of a generic message. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0)
    throw new HttpError(400, "request body is empty but content-type is application/json");
  try {
    // The reviver costs time, so it runs only when a suspicious key is present.
    return FORBIDDEN_KEY.test(text) ? JSON.parse(text, rejectPrototypeKeys) : JSON.parse(text);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, `malformed JSON: ${reason.slice(0, 200)}`);
  }
}

/**
 * JSON is the only body type a kit service accepts by default: any other content type on a
 * request with a body answers 415. A service that needs another type adds its own parser.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
