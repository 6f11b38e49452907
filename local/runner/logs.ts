import { mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { LineSink } from "../deps";
import { openLog } from "../deps/process";

export type Level = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

/** pino's numeric levels. */
const PINO_LEVELS: Record<number, Level> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/** Picks the level of a line: pino JSON's `level`, else words servers print (ERROR, [Warning], …). */
export function levelOf(line: string, json: boolean): Level {
  if (json) {
    const match = /"level":\s*(\d+|"[a-zA-Z]+")/.exec(line);
    if (match?.[1]) {
      const raw = match[1];
      if (raw.startsWith('"')) return normaliseLevel(raw.slice(1, -1));
      return PINO_LEVELS[Number(raw)] ?? "info";
    }
    return "info";
  }
  if (/\b(FATAL|PANIC)\b/.test(line)) return "fatal";
  if (/\bERROR\b|\[ERROR\]|\bError:/.test(line)) return "error";
  if (/\bWARN(ING)?\b|\[Warning\]|# WARNING/i.test(line)) return "warn";
  return "info";
}

function normaliseLevel(raw: string): Level {
  const lower = raw.toLowerCase();
  if (lower === "warning") return "warn";
  return (["trace", "debug", "info", "warn", "error", "fatal"] as const).find((l) => l === lower) ?? "info";
}

/** A line as it is kept: JSON as the process printed it, anything else wrapped into a JSON object. */
export function toJsonLine(
  name: string,
  stream: "stdout" | "stderr",
  line: string,
): { text: string; level: Level } {
  const trimmed = line.trim();
  const json = trimmed.startsWith("{") && trimmed.endsWith("}");
  const level = levelOf(trimmed, json);
  if (json) return { text: trimmed, level };
  const wrapped = { time: new Date().toISOString(), level, service: name, stream, msg: line };
  return { text: JSON.stringify(wrapped), level };
}

export interface EchoedLine {
  name: string;
  level: Level;
  text: string;
}

/**
 * `.local/logs/<name>.log`: every process's output as JSON lines, one file per process, so one
 * `grep`/`jq` over the folder searches everything. Warnings and errors can be echoed.
 */
export class LogCollector {
  private readonly files = new Map<string, WriteStream>();

  constructor(
    readonly dir: string,
    private readonly echo?: (line: EchoedLine) => void,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  fileOf(name: string): string {
    return join(this.dir, `${name}.log`);
  }

  /** A LineSink for one process; `echoLevels` are the levels shown on the console. */
  sink(name: string, echoLevels: ReadonlySet<Level> = new Set()): LineSink {
    return ({ stream, line }) => {
      if (line.trim() === "") return;
      const { text, level } = toJsonLine(name, stream, line);
      this.write(name, text);
      if (echoLevels.has(level)) this.echo?.({ name, level, text });
    };
  }

  /** Writes one of the runner's own events into `<name>.log` (e.g. `runner`). */
  event(name: string, level: Level, msg: string, fields: Record<string, unknown> = {}): void {
    this.write(
      name,
      JSON.stringify({ time: new Date().toISOString(), level, service: name, msg, ...fields }),
    );
  }

  private write(name: string, text: string): void {
    let file = this.files.get(name);
    if (!file) {
      file = openLog(this.fileOf(name));
      this.files.set(name, file);
    }
    file.write(`${text}\n`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.files.values()].map((f) => new Promise<void>((resolve) => f.end(resolve))));
    this.files.clear();
  }
}

export const WARNINGS_AND_ERRORS: ReadonlySet<Level> = new Set(["warn", "error", "fatal"]);

/** A warning or error line of a process, for the console: `todo WARN message`, tinted. */
export function formatEcho(name: string, level: string, text: string): string {
  let msg = text;
  try {
    const parsed = JSON.parse(text) as { msg?: unknown; message?: unknown; err?: { message?: unknown } };
    msg = String(parsed.msg ?? parsed.message ?? text);
    if (parsed.err?.message && !msg.includes(String(parsed.err.message))) msg += `: ${parsed.err.message}`;
  } catch {
    // not JSON: show as is
  }
  const tint = level === "warn" ? 33 : 31;
  return `\x1b[${tint}m${name} ${level.toUpperCase()}\x1b[0m ${msg}`;
}
