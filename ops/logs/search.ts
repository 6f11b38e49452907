import { createReadStream, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type Level = (typeof LEVELS)[number];
const PINO: Record<number, Level> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

export interface LogFilter {
  services?: string[];
  /** The lowest level shown: `warn` shows warn, error and fatal. */
  minLevel?: Level;
  since?: Date;
  until?: Date;
  requestId?: string;
  /** Case-insensitive substring of the whole line. */
  text?: string;
  limit?: number;
}

export interface LogEntry {
  time: Date;
  service: string;
  level: Level;
  msg: string;
  reqId?: string;
  raw: Record<string, unknown>;
}

/** `15m`, `2h`, `1d`, `30s` before `now`, or any date `Date` parses (ISO 8601). */
export function parseTime(text: string, now = new Date()): Date {
  const relative = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (relative) {
    const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[relative[2] as "s" | "m" | "h" | "d"];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new Error(`not a time: ${JSON.stringify(text)} (use 15m, 2h, 1d or an ISO 8601 date)`);
  return date;
}

export function levelOf(value: unknown): Level {
  if (typeof value === "number") return PINO[value] ?? "info";
  const lower = String(value ?? "info").toLowerCase();
  if (lower === "warning") return "warn";
  return (LEVELS as readonly string[]).includes(lower) ? (lower as Level) : "info";
}

/** One line of `.local/logs/<name>.log` as an entry (the runner keeps every line as JSON). */
export function parseLine(line: string, fileService: string): LogEntry | undefined {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const time = new Date(typeof raw.time === "number" || typeof raw.time === "string" ? raw.time : Number.NaN);
  const reqId = raw.reqId ?? raw.requestId ?? raw["x-request-id"];
  return {
    time: Number.isNaN(time.getTime()) ? new Date(0) : time,
    service: typeof raw.service === "string" ? raw.service : fileService,
    level: levelOf(raw.level),
    msg: String(raw.msg ?? raw.message ?? ""),
    reqId: typeof reqId === "string" ? reqId : undefined,
    raw,
  };
}

export function matches(entry: LogEntry, line: string, filter: LogFilter): boolean {
  if (filter.services?.length && !filter.services.includes(entry.service)) return false;
  if (filter.minLevel && LEVELS.indexOf(entry.level) < LEVELS.indexOf(filter.minLevel)) return false;
  if (filter.since && entry.time < filter.since) return false;
  if (filter.until && entry.time > filter.until) return false;
  if (filter.requestId && entry.reqId !== filter.requestId && !line.includes(filter.requestId)) return false;
  if (filter.text && !line.toLowerCase().includes(filter.text.toLowerCase())) return false;
  return true;
}

/** Every matching line of every process's log in `logsDir` (rotated `.log.1` files too), oldest first. */
export async function searchLogs(logsDir: string, filter: LogFilter): Promise<LogEntry[]> {
  if (!existsSync(logsDir)) throw new Error(`no logs in ${logsDir}: has npm start run here?`);
  const files = readdirSync(logsDir).filter((f) => /\.log(\.1)?$/.test(f));
  const found: LogEntry[] = [];
  for (const file of files) {
    const service = file.replace(/\.log(\.1)?$/, "");
    if (filter.services?.length && !filter.services.includes(service)) continue; // one file per process
    const lines = createInterface({
      input: createReadStream(join(logsDir, file)),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) {
      if (filter.text && !line.toLowerCase().includes(filter.text.toLowerCase())) continue;
      if (filter.requestId && !line.includes(filter.requestId)) continue;
      const entry = parseLine(line, service);
      if (entry && matches(entry, line, filter)) found.push(entry);
    }
  }
  found.sort((a, b) => a.time.getTime() - b.time.getTime());
  return filter.limit ? found.slice(-filter.limit) : found;
}

const OMIT = new Set(["time", "level", "service", "msg", "message", "reqId", "pid", "hostname"]);
const TINT: Partial<Record<Level, number>> = { warn: 33, error: 31, fatal: 31, debug: 90, trace: 90 };

/** `2026-11-21T10:31:56.327Z buffs-server INFO [e39b…] request completed route=/buffs status=200` */
export function formatEntry(entry: LogEntry, color: boolean): string {
  const extra = Object.entries(entry.raw)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  const level = entry.level.toUpperCase().padEnd(5);
  const tinted = color && TINT[entry.level] ? `\x1b[${TINT[entry.level]}m${level}\x1b[0m` : level;
  return [
    entry.time.toISOString(),
    entry.service.padEnd(20),
    tinted,
    entry.reqId ? `[${entry.reqId}]` : "",
    entry.msg,
    extra,
  ]
    .filter(Boolean)
    .join(" ");
}
