import type { FastifyServerOptions } from "fastify";
import { EnvError } from "./env";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value.trim() === "") return "info";
  const level = value.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new EnvError(
    "LOG_LEVEL",
    `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got ${JSON.stringify(value)})`,
  );
}

/** Headers and fields that must never reach a log line, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  "password",
  "passcode",
  "*.password",
  "*.passcode",
];

/**
 * pino options for JSON lines on stdout (or `stream`): `time` as ISO 8601, `level` as a label, the service name
 * and pid on every line; fastify adds `reqId` to every line logged for a request.
 */
export function loggerOptions(service: string, level: LogLevel, stream?: NodeJS.WritableStream) {
  return {
    level,
    base: { service, pid: process.pid },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    // process.stdout writes synchronously to files and pipes on Linux, so lines keep their order
    // and none is lost when the process exits (pino's default async stream can reorder or drop
    // the last lines on process.exit).
    stream: stream ?? process.stdout,
  } satisfies FastifyServerOptions["logger"];
}
