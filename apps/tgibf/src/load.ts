import { readFileSync } from "node:fs";
import { EventFactory, type GeneratedEvent, type Random } from "./event-mix";
import type { TgibfOptions } from "./options";
import { eventsInRound, nextRound, PAUSE_BETWEEN_ROUNDS_MS } from "./rounds";
import { Sender } from "./sender";
import { Tally } from "./tally";
import { checkTarget, TargetError } from "./target";

export interface RoundResult {
  round: number;
  events: number;
  ok: number;
  errors: number;
}

export interface Progress {
  elapsedMs: number;
  tally: Tally;
  inFlight: number;
  round?: number;
}

export interface LoadHooks {
  /** Called for every event answered 200. */
  onAck?: (event: GeneratedEvent) => void;
  onProgress?: (progress: Progress) => void;
  progressEveryMs?: number;
  /** Stops the run early (the report covers what was sent). */
  signal?: AbortSignal;
  random?: Random;
}

export interface LoadRun {
  /** The URL the events went to. */
  target: string;
  tally: Tally;
  elapsedMs: number;
  rounds: RoundResult[];
}

/** Runs one bounded load against the webhook: in count (`maxRequests`) and in time (`durationMs`). */
export async function runLoad(options: TgibfOptions, hooks: LoadHooks = {}): Promise<LoadRun> {
  const url = checkTarget(options.webhook, options.allowRemote);
  const sender = new Sender(url, { ...options, ca: readCa(options.caFile) });
  const factory = new EventFactory(hooks.random);
  const tally = new Tally();
  const rounds: RoundResult[] = [];
  const started = performance.now();
  const deadline = started + options.durationMs;
  let inFlight = 0;
  let currentRound: number | undefined;
  let lastCompletion = started;

  const stopped = () =>
    hooks.signal?.aborted === true || performance.now() >= deadline || tally.sent >= options.maxRequests;

  async function sendOne(): Promise<void> {
    const event = factory.next();
    tally.sent += 1;
    inFlight += 1;
    const t0 = performance.now();
    const outcome = await sender.post(JSON.stringify(event));
    lastCompletion = performance.now();
    inFlight -= 1;
    tally.record(outcome, lastCompletion - t0);
    if ("status" in outcome && outcome.status === 200) hooks.onAck?.(event);
  }

  const progressTimer =
    hooks.onProgress && (hooks.progressEveryMs ?? 0) > 0
      ? setInterval(() => {
          const progress: Progress = { elapsedMs: performance.now() - started, tally, inFlight };
          if (currentRound !== undefined) progress.round = currentRound;
          hooks.onProgress?.(progress);
        }, hooks.progressEveryMs)
      : undefined;

  try {
    if (options.mode === "burst") {
      let round = 1;
      for (let done = 0; done < options.maxRounds && !stopped(); done++) {
        currentRound = round;
        const events = Math.min(eventsInRound(round), options.maxRequests - tally.sent);
        const okBefore = tally.ok;
        const errorsBefore = tally.errors;
        await Promise.all(Array.from({ length: events }, () => sendOne()));
        const errors = tally.errors - errorsBefore;
        rounds.push({ round, events, ok: tally.ok - okBefore, errors });
        round = nextRound(round, errors > 0);
        if (done + 1 < options.maxRounds) await pause(PAUSE_BETWEEN_ROUNDS_MS, deadline, hooks.signal);
      }
    } else if (options.mode === "concurrency") {
      const worker = async () => {
        while (!stopped()) await sendOne();
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
    } else {
      await constantRate(options, stopped, () => inFlight, sendOne, started);
    }
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    sender.close();
  }
  return { target: url.href, tally, elapsedMs: lastCompletion - started, rounds };
}

/**
 * Open-loop pacing: every tick, sends the requests that are due by the clock (start + n / rate),
 * as long as fewer than `concurrency` are in flight; resolves when stopped and all have answered.
 */
async function constantRate(
  options: TgibfOptions,
  stopped: () => boolean,
  inFlight: () => number,
  sendOne: () => Promise<void>,
  started: number,
): Promise<void> {
  const pending = new Set<Promise<void>>();
  let scheduled = 0;
  while (!stopped()) {
    const due = Math.floor(((performance.now() - started) * options.rate) / 1000);
    while (scheduled < due && inFlight() < options.concurrency && !stopped()) {
      scheduled += 1;
      const p = sendOne().finally(() => pending.delete(p));
      pending.add(p);
    }
    await sleep(Math.min(10, Math.max(1, 1000 / options.rate)));
  }
  await Promise.all(pending);
}

/** The PEM of --ca, or a TargetError (exit 2, nothing sent) when it cannot be read. */
function readCa(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    const pem = readFileSync(file, "utf8");
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new Error("no PEM certificate in it");
    return pem;
  } catch (error) {
    throw new TargetError(`--ca ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits `ms`, but not past the deadline and not after an abort. */
async function pause(ms: number, deadline: number, signal?: AbortSignal): Promise<void> {
  const until = Math.min(performance.now() + ms, deadline);
  while (performance.now() < until && !signal?.aborted) {
    await sleep(Math.min(100, until - performance.now()));
  }
}
