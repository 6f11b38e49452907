/** One request of the load: its HTTP status (0: no answer) and, when acknowledged, the id of what was stored. */
export interface Attempt {
  status: number;
  id?: string;
}

/** A dependency to kill under a service's load, and how to check what the service acknowledged. */
export interface FaultTarget {
  /** e.g. `MariaDB (todo)` */
  name: string;
  attempt(i: number): Promise<Attempt>;
  /** The ids really stored (read from the store, or served back by the service). */
  storedIds(): Promise<Set<string>>;
  kill(): Promise<void>;
  /** Brings the dependency back on the same port with the same data; resolves when it answers. */
  restart(): Promise<void>;
  /** A cache: serving 2xx while it is down is correct (the service falls back to the database). */
  servesDuringOutage?: boolean;
}

export interface FaultReport {
  fault: string;
  requests: number;
  acknowledged: number;
  stored: number;
  lost: string[];
  /** Count per HTTP status (0: no answer at all). */
  statuses: Record<string, number>;
  /** Answers that are neither 2xx nor 503: a crash, a 500, a timeout. */
  unexpected: number;
  /** 2xx answers to requests sent after the kill and answered before the restart began. */
  okWhileDown: number;
  /** 503s while the dependency was dead. */
  unavailableWhileDown: number;
  /** From the kill until the dependency answered again (our restart). */
  outageMs: number;
  /** From the dependency answering again until the service's first 2xx after it. */
  recoverMs: number;
}

export interface FaultOptions {
  concurrency?: number;
  warmupMs?: number;
  /** How long the dependency stays dead. */
  downMs?: number;
  /** How long the service may take to serve again once the dependency is back. */
  recoverTimeoutMs?: number;
  /** How long stored data may take to catch up with acknowledgements (queues). */
  settleTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs load against the service, kills the dependency, brings it back, and keeps the load on
 * until the service answers 2xx again; then compares what was acknowledged with what is stored.
 */
export async function runFault(target: FaultTarget, options: FaultOptions = {}): Promise<FaultReport> {
  const {
    concurrency = 4,
    warmupMs = 1000,
    downMs = 3000,
    recoverTimeoutMs = 60_000,
    settleTimeoutMs = 30_000,
  } = options;
  type Outcome = Attempt & { startedAt: number; endedAt: number };
  const outcomes: Outcome[] = [];
  let stop = false;
  let next = 0;
  let killedAt = Number.POSITIVE_INFINITY;
  let backAt = Number.POSITIVE_INFINITY;
  let recoveredAt: number | undefined;
  const worker = async () => {
    while (!stop) {
      const startedAt = Date.now();
      let outcome: Attempt;
      try {
        outcome = await target.attempt(next++);
      } catch {
        outcome = { status: 0 };
      }
      const endedAt = Date.now();
      outcomes.push({ ...outcome, startedAt, endedAt });
      if (recoveredAt === undefined && startedAt >= backAt && outcome.status >= 200 && outcome.status < 300)
        recoveredAt = endedAt;
      if (outcome.status === 503 || outcome.status === 0) await sleep(20); // as a client honouring Retry-After would, briefly
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await sleep(warmupMs);
  const killStartedAt = Date.now();
  await target.kill();
  killedAt = Date.now();
  await sleep(downMs);
  const restartStartedAt = Date.now();
  await target.restart();
  backAt = Date.now();
  const deadline = backAt + recoverTimeoutMs;
  while (recoveredAt === undefined && Date.now() < deadline) await sleep(50);
  await sleep(500); // some load after recovery too
  stop = true;
  await Promise.all(workers);

  const acknowledged = outcomes.flatMap((o) => (o.id !== undefined ? [o.id] : []));
  let stored = await target.storedIds();
  const settleDeadline = Date.now() + settleTimeoutMs;
  while (acknowledged.some((id) => !stored.has(id)) && Date.now() < settleDeadline) {
    await sleep(250);
    stored = await target.storedIds();
  }
  const statuses: Record<string, number> = {};
  for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
  // "while down": sent once the process was dead, answered before we began to start it again
  // (a restarted server may accept connections a little before restart() sees it ready)
  const whileDown = outcomes.filter((o) => o.startedAt > killedAt && o.endedAt < restartStartedAt);
  return {
    fault: target.name,
    requests: outcomes.length,
    acknowledged: acknowledged.length,
    stored: acknowledged.filter((id) => stored.has(id)).length,
    lost: acknowledged.filter((id) => !stored.has(id)),
    statuses,
    unexpected: outcomes.filter((o) => !(o.status === 503 || (o.status >= 200 && o.status < 300))).length,
    okWhileDown: whileDown.filter((o) => o.status >= 200 && o.status < 300).length,
    unavailableWhileDown: whileDown.filter((o) => o.status === 503).length,
    outageMs: backAt - killStartedAt,
    recoverMs: recoveredAt === undefined ? Number.NaN : recoveredAt - backAt,
  };
}

/** The table printed per fault. */
export function faultTable(report: FaultReport): Record<string, string | number> {
  return {
    "requests sent": report.requests,
    acknowledged: report.acknowledged,
    "acknowledged and stored": report.stored,
    lost: report.lost.length,
    "answers by status": Object.entries(report.statuses)
      .map(([status, n]) => `${status === "0" ? "no answer" : status}: ${n}`)
      .join(", "),
    "errors seen (503 while down)": report.unavailableWhileDown,
    "unexpected answers (not 2xx/503)": report.unexpected,
    "2xx while down": report.okWhileDown,
    "dependency down (ms)": report.outageMs,
    "time to recover after it is back (ms)": Number.isNaN(report.recoverMs) ? "never" : report.recoverMs,
  };
}
