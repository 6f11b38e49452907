/**
 * For the tests that run what the docs show: the exact text of a doc's shell lines (taken from
 * the Markdown, so a change in the doc changes what runs), and bash to run it in.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { commandsOf, markdownFiles, parseMarkdown } from "./markdown-checker";

export const root = join(__dirname, "..", "..");

/** The project's Node and tools first on PATH, as `npm run` has them. */
export const toolEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: [join(process.execPath, ".."), join(root, "node_modules", ".bin"), process.env.PATH].join(":"),
  NO_COLOR: "1",
  ...extra,
});

/**
 * The lines of a fenced block in `doc` (relative to the root), from the first line containing
 * `from` to the first line after it containing `to` (inclusive), indentation of the block removed.
 * Throws when the doc has no such lines: the test then says which doc changed.
 */
export function shownLines(doc: string, from: string, to = from): string {
  for (const fence of parseMarkdown(readFileSync(join(root, doc), "utf8")).fences) {
    const start = fence.lines.findIndex((l) => l.includes(from));
    if (start < 0) continue;
    const end = fence.lines.findIndex((l, i) => i >= start && l.includes(to));
    if (end < 0) continue;
    const lines = fence.lines.slice(start, end + 1);
    const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
    return lines.map((l) => l.slice(indent)).join("\n");
  }
  throw new Error(`${doc} shows no lines from ${JSON.stringify(from)} to ${JSON.stringify(to)}`);
}

/** Every `npm run <script> …` command the docs show, as words (`npm run -s` included). */
export function shownNpmRuns(script: string): string[][] {
  return markdownFiles(root).flatMap((file) =>
    commandsOf(readFileSync(file, "utf8"))
      .map((c) => c.words)
      .filter(
        (w) => w[0] === "npm" && w[1] === "run" && w.slice(2).find((x) => !x.startsWith("-")) === script,
      ),
  );
}

const execFileAsync = promisify(execFile);

/** Runs `script` with `bash -eo pipefail`; rejects (with its output) when it exits non-zero. */
export function bash(
  script: string,
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync("bash", ["-eo", "pipefail", "-c", script], {
    cwd: options.cwd,
    env: options.env ?? toolEnv(),
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}
