import type { FastifyInstance } from "fastify";

export type ReadinessCheck = () => Promise<unknown>;

export interface ReadinessReport {
  ready: boolean;
  /** "ok" per passing check, the error message per failing one. */
  checks: Record<string, string>;
}

/** Default time a readiness check may take before it counts as failed. */
export const READINESS_CHECK_TIMEOUT_MS = 2000;

async function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(check), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every named check at once, each bounded by `timeoutMs`; a throw or timeout fails that check. */
export async function runReadinessChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = READINESS_CHECK_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const outcomes = await Promise.allSettled(names.map((name) => withTimeout(checks[name]!, timeoutMs)));
  const report: ReadinessReport = { ready: true, checks: {} };
  outcomes.forEach((outcome, i) => {
    const name = names[i]!;
    if (outcome.status === "fulfilled") {
      report.checks[name] = "ok";
    } else {
      report.ready = false;
      const reason = outcome.reason;
      report.checks[name] = reason instanceof Error ? reason.message || reason.name : String(reason);
    }
  });
  return report;
}

export interface HealthRoutes {
  liveness: string | false;
  readiness: string | false;
  checks: Record<string, ReadinessCheck>;
  checkTimeoutMs: number;
  /** True once shutdown began: readiness then fails, so load balancers stop sending traffic. */
  isDraining: () => boolean;
}

export function registerHealthRoutes(app: FastifyInstance, routes: HealthRoutes): void {
  if (routes.liveness !== false) {
    app.get(routes.liveness, async () => ({ status: "ok" }));
  }
  if (routes.readiness !== false) {
    app.get(routes.readiness, async (_request, reply) => {
      const report = await runReadinessChecks(routes.checks, routes.checkTimeoutMs);
      if (routes.isDraining()) {
        report.ready = false;
        report.checks.shutdown = "shutting down";
      }
      if (report.ready) return { status: "ready", checks: report.checks };
      return reply.code(503).send({ status: "not ready", checks: report.checks });
    });
  }
}
