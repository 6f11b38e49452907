import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { bash, root, shownLines } from "./doc-shell";
import { markdownFiles, parseMarkdown } from "./markdown-checker";

/**
 * A doc line whose search, run, finds lines its text says it leaves out: the test passes while the
 * doc still shows it and it still does exactly this, and fails once the doc is fixed (remove the
 * entry then). Listed here because the docs are not this test's to change.
 */
const REQUEST = "docs-req-1";
const now = Date.parse("2026-11-21T10:00:00Z");
/** What `.local/logs/` holds after a run: pino lines of services, wrapped lines of servers, runner events. */
const LOGS: Record<string, Record<string, unknown>[]> = {
  todo: [
    { level: 30, time: now, service: "todo", reqId: REQUEST, msg: "todo pino info" },
    { level: 40, time: now + 1, service: "todo", msg: "todo pino warn" },
    { level: 50, time: now + 2, service: "todo", reqId: REQUEST, msg: "todo pino error" },
    { level: 60, time: now + 4, service: "todo", msg: "todo pino fatal" },
  ],
  "order-api": [
    { level: 30, time: now, service: "order-api", reqId: REQUEST, msg: "order-api pino info" },
    { level: 50, time: now + 3, service: "order-api", reqId: "another", msg: "order-api pino error" },
  ],
  mysql: [
    {
      time: "2026-11-21T10:00:00.000Z",
      level: "info",
      service: "mysql",
      stream: "stderr",
      msg: "mysql wrapped info",
    },
    {
      time: "2026-11-21T10:00:01.000Z",
      level: "warn",
      service: "mysql",
      stream: "stderr",
      msg: "mysql wrapped warn",
    },
    {
      time: "2026-11-21T10:00:02.000Z",
      level: "error",
      service: "mysql",
      stream: "stderr",
      msg: "mysql wrapped error",
    },
  ],
};
const msgs = (keep: (l: Record<string, unknown>) => boolean) =>
  Object.values(LOGS)
    .flat()
    .filter(keep)
    .map((l) => String(l.msg))
    .sort();
const found = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => String((JSON.parse(l) as { msg: unknown }).msg))
    .sort();
const isNumber = (level: unknown): level is number => typeof level === "number";
const WARN_OR_WORSE = (l: Record<string, unknown>) =>
  isNumber(l.level) ? l.level >= 40 : ["warn", "error", "fatal"].includes(String(l.level));
const ERROR_OR_WORSE = (l: Record<string, unknown>) =>
  isNumber(l.level) ? l.level >= 50 : ["error", "fatal"].includes(String(l.level));

/** Every grep/jq line over `.local/logs/*.log` the docs show, as written (comment included). */
function shownSearches(): { at: string; text: string }[] {
  return markdownFiles(root).flatMap((file) =>
    parseMarkdown(readFileSync(file, "utf8")).fences.flatMap((fence) =>
      fence.lines.flatMap((line, i) =>
        /^\s*(grep|jq) .*\.local\/logs\/\*\.log/.test(line)
          ? [{ at: `${relative(root, file)}:${fence.startLine + i}`, text: line.trim() }]
          : [],
      ),
    ),
  );
}

describe("docs: the grep/jq log searches shown, on sample .local/logs lines", () => {
  const dir = mkdtempSync(join(tmpdir(), "docs-log-searches-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  before(() => {
    mkdirSync(join(dir, ".local", "logs"), { recursive: true });
    for (const [name, lines] of Object.entries(LOGS))
      writeFileSync(
        join(dir, ".local", "logs", `${name}.log`),
        `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
      );
  });

  it("each search finds what it says it finds", async () => {
    const searches = shownSearches();
    assert.ok(searches.length >= 4, `the docs show grep and jq searches: ${JSON.stringify(searches)}`);
    for (const { at, text } of searches) {
      const { stdout } = await bash(text.replaceAll("<x-request-id>", REQUEST), { cwd: dir });
      const expected = text.includes(`"reqId":"<x-request-id>"`)
        ? msgs((l) => l.reqId === REQUEST)
        : text.startsWith("grep ") && text.includes(`"level":(50|60|"error"|"fatal")`)
          ? msgs(ERROR_OR_WORSE)
          : text.startsWith("jq ") && text.includes("$l >= 40")
            ? msgs(WARN_OR_WORSE)
            : assert.fail(`${at}: a log search this test does not know what to expect of: ${text}`);
      assert.deepEqual(found(stdout), expected, `${at}: ${text}`);
    }
  });

  it("`rm -rf .local` (Instructions.md, resetting) removes the state directory", async () => {
    const reset = shownLines("Instructions.md", "rm -rf .local");
    assert.equal(reset, "rm -rf .local");
    assert.ok(existsSync(join(dir, ".local", "logs")));
    await bash(reset, { cwd: dir });
    assert.equal(existsSync(join(dir, ".local")), false);
  });
});
