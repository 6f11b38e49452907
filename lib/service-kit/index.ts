export { EnvError, type EnvReader, type IntRange, readEnv } from "./env";
export { clientFacing, defaultErrorBody, type ErrorBody, HttpError, INTERNAL_ERROR_MESSAGE } from "./errors";
export { type ReadinessCheck, type ReadinessReport, runReadinessChecks } from "./health";
export { parseJsonBody } from "./json-body";
export { LOG_LEVELS, type LogLevel, parseLogLevel } from "./logger";
export { RouteMethods, routePatternToRegExp } from "./method-not-allowed";
export { createServiceMetrics, HTTP_DURATION_BUCKETS, type ServiceMetrics, UNMATCHED_ROUTE } from "./metrics";
export {
  currentRequestId,
  isAcceptableRequestId,
  REQUEST_ID_HEADER,
  requestIdHeaders,
  requestIdOf,
  runWithRequestId,
} from "./request-id";
export { baseUrlOf, createService, type Service, type ServiceOptions } from "./service";
