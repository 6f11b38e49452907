import { parseArgs } from "node:util";
import { runnerConfig } from "../../local/runner/config";
import { formatEntry, LEVELS, type Level, type LogFilter, parseTime, searchLogs } from "./search";

const USAGE = `usage: npm run logs -- [options] [text]
  -s, --service <name>    only these services (repeat or comma-separate)
  -l, --level <level>     this level and above: ${LEVELS.join(", ")}
      --since <time>      15m, 2h, 1d or an ISO date (default: everything)
      --until <time>
  -r, --request-id <id>   one request across every service and the queue
  -n, --limit <n>         the last n matches
      --json              the raw JSON lines
  --dir <logs dir>        default .local/logs`;

export function parseLogArgs(
  args: string[],
  now = new Date(),
): { filter: LogFilter; json: boolean; dir?: string; help?: boolean } {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      service: { type: "string", short: "s", multiple: true },
      level: { type: "string", short: "l" },
      since: { type: "string" },
      until: { type: "string" },
      "request-id": { type: "string", short: "r" },
      limit: { type: "string", short: "n" },
      json: { type: "boolean", default: false },
      dir: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return { filter: {}, json: false, help: true };
  if (values.level && !(LEVELS as readonly string[]).includes(values.level))
    throw new Error(`--level must be one of ${LEVELS.join(", ")} (got ${values.level})`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new Error(`--limit must be a positive integer (got ${values.limit})`);
  return {
    filter: {
      services: values.service?.flatMap((s) => s.split(",").map((x) => x.trim())).filter(Boolean),
      minLevel: values.level as Level | undefined,
      since: values.since ? parseTime(values.since, now) : undefined,
      until: values.until ? parseTime(values.until, now) : undefined,
      requestId: values["request-id"],
      text: positionals.length ? positionals.join(" ") : undefined,
      limit,
    },
    json: values.json,
    dir: values.dir,
  };
}

async function main(): Promise<void> {
  const { filter, json, dir, help } = parseLogArgs(process.argv.slice(2));
  if (help) return console.log(USAGE);
  const entries = await searchLogs(dir ?? runnerConfig().logsDir, filter);
  const color = process.stdout.isTTY && !process.env.NO_COLOR;
  for (const entry of entries) console.log(json ? JSON.stringify(entry.raw) : formatEntry(entry, color));
  if (!json) console.error(`${entries.length} line(s)`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(2);
  });
}
