/** Command line and environment of tgibf. Every run is bounded in time and in request count. */

export type LoadMode = "burst" | "rate" | "concurrency";
const MODES: readonly LoadMode[] = ["burst", "rate", "concurrency"];

export interface TgibfOptions {
  /** Target URL: env WEBHOOK (like the original) or --webhook. */
  webhook: string;
  mode: LoadMode;
  /** Events per second in `rate` mode. */
  rate: number;
  /** Workers in `concurrency` mode; the cap of requests in flight in `rate` mode. */
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  /** Last round of `burst` mode. */
  maxRounds: number;
  keepAlive: boolean;
  /** Sockets per host with --keep-alive. */
  maxSockets: number;
  timeoutMs: number;
  json: boolean;
  allowRemote: boolean;
  /** A PEM file of CAs to trust for an https:// target, besides Node's bundled roots. */
  caFile?: string;
  /** A file that receives the call_id of every event answered 200, one per line. */
  ackLog?: string;
  /** Progress line interval; 0 turns progress off. */
  progressEveryMs?: number;
}

export const LIMITS = {
  durationMs: 24 * 60 * 60 * 1000,
  maxRequests: 100_000_000,
  rate: 100_000,
  concurrency: 20_000,
  maxRounds: 1000,
} as const;

export const USAGE = `tgibf: "Thank God It's Black Friday", a load generator for the call-events webhook

Usage: WEBHOOK=http://127.0.0.1:8090/webhook tgibf [options]
       (an https:// WEBHOOK works the same; certificates are always verified)

Modes:
  --mode burst          (default) the original: round n posts n×1000 events at once, 2 s pause,
                        a round with network errors steps back (next round = n − 1)
  --mode rate           a constant rate: --rate events per second (at most --concurrency in flight)
  --mode concurrency    --concurrency workers, each posting back to back

Options:
  --webhook URL         target (default: env WEBHOOK)
  --rate N              events per second in rate mode (default 200)
  --concurrency N       workers / in-flight cap (default 100)
  --duration D          stop after D (e.g. 90s, 2m, 1h; default 60s)
  --requests N          stop after N requests (default 1000000)
  --max-rounds N        stop after round N in burst mode (default 20)
  --keep-alive          reuse connections (node:http / node:https Agent, keepAlive)
  --max-sockets N       connections with --keep-alive (default: --concurrency)
  --timeout D           per-request timeout (default 30s)
  --ack-log FILE        write the call_id of every event answered 200 to FILE
  --progress D          progress interval (default 1s on a terminal, 10s otherwise; 0 = off)
  --json                print the final report as JSON on stdout (progress goes to stderr)
  --allow-remote        allow a target that is not a loopback address
  --ca FILE             also trust the CA certificates (PEM) in FILE for an https:// target
                        (NODE_EXTRA_CA_CERTS works too)
  -h, --help            this text`;

export class UsageError extends Error {
  override name = "UsageError";
}

/** "90s", "2m", "1h", "500ms" or a plain number of seconds, in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`not a duration: ${JSON.stringify(text)} (use e.g. 90s, 2m, 1h)`);
  const value = Number(match[1]);
  const unit = match[2] ?? "s";
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit] ?? 1000;
  return Math.round(value * factor);
}

function positiveInt(flag: string, text: string | undefined, max: number): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 1 || value > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max} (got ${JSON.stringify(text)})`);
  }
  return value;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): TgibfOptions | "help" {
  const options: TgibfOptions = {
    webhook: env.WEBHOOK ?? "",
    mode: "burst",
    rate: 200,
    concurrency: 100,
    durationMs: 60_000,
    maxRequests: 1_000_000,
    maxRounds: 20,
    keepAlive: false,
    maxSockets: 0,
    timeoutMs: 30_000,
    json: false,
    allowRemote: false,
  };
  const args = [...argv];
  const value = (flag: string): string => {
    const next = args.shift();
    if (next === undefined) throw new UsageError(`${flag} needs a value`);
    return next;
  };
  while (args.length > 0) {
    const arg = args.shift()!;
    switch (arg) {
      case "-h":
      case "--help":
        return "help";
      case "--webhook":
        options.webhook = value(arg);
        break;
      case "--mode": {
        const mode = value(arg);
        if (!MODES.includes(mode as LoadMode))
          throw new UsageError(`--mode must be one of ${MODES.join(", ")}`);
        options.mode = mode as LoadMode;
        break;
      }
      case "--rate":
        options.rate = positiveInt(arg, value(arg), LIMITS.rate);
        break;
      case "--concurrency":
        options.concurrency = positiveInt(arg, value(arg), LIMITS.concurrency);
        break;
      case "--duration":
        options.durationMs = parseDuration(value(arg));
        if (options.durationMs < 1 || options.durationMs > LIMITS.durationMs)
          throw new UsageError("--duration must be between 1 ms and 24 h");
        break;
      case "--requests":
        options.maxRequests = positiveInt(arg, value(arg), LIMITS.maxRequests);
        break;
      case "--max-rounds":
        options.maxRounds = positiveInt(arg, value(arg), LIMITS.maxRounds);
        break;
      case "--keep-alive":
        options.keepAlive = true;
        break;
      case "--max-sockets":
        options.maxSockets = positiveInt(arg, value(arg), LIMITS.concurrency);
        break;
      case "--timeout":
        options.timeoutMs = parseDuration(value(arg));
        break;
      case "--ack-log":
        options.ackLog = value(arg);
        break;
      case "--progress":
        options.progressEveryMs = parseDuration(value(arg));
        break;
      case "--json":
        options.json = true;
        break;
      case "--allow-remote":
        options.allowRemote = true;
        break;
      case "--ca":
        options.caFile = value(arg);
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(arg)} (see --help)`);
    }
  }
  if (!options.webhook) throw new UsageError("set WEBHOOK (or --webhook) to the webhook URL");
  if (options.maxSockets === 0) options.maxSockets = options.concurrency;
  return options;
}
