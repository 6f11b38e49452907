/**
 * The docs check: every relative link of a Markdown file resolves (file, and heading anchor when
 * it has a #fragment, with GitHub's slug rules), and every command shown in a ```sh / ```bash /
 * ```shell / ```console block names a known tool, an npm script that exists with flags it
 * accepts, or a file that exists. Pure functions over a repository root; used by docs.test.ts.
 */
import { existsSync, globSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export interface Problem {
  file: string;
  line: number;
  message: string;
}

/** Tools a doc may show besides npm scripts and repository files. */
export const KNOWN_TOOLS = new Set([
  // the platform's own CLIs and clouds
  "pulumi",
  "aws",
  "kubectl",
  "minikube",
  "kind",
  "helm",
  "docker",
  "localstack",
  "awslocal",
  "gh",
  // the project's toolchain
  "npm",
  "npx",
  "node",
  "tsx",
  "mocha",
  "tsc",
  "biome",
  // servers and their clients (Debian packages the project installs)
  "mariadb",
  "mysql",
  "mariadb-dump",
  "mysqldump",
  "mariadb-backup",
  "redis-cli",
  "promtool",
  "amtool",
  "activemq",
  "openssl",
  "curl",
  "jq",
  // system and shell
  "git",
  "sudo",
  "apt-get",
  "export",
  "unset",
  "cd",
  "mkdir",
  "rm",
  "cp",
  "mv",
  "ls",
  "cat",
  "grep",
  "printf",
  "echo",
  "chmod",
  "kill",
  "ps",
  "uptime",
  "head",
  "tail",
  "sed",
  "awk",
  "sort",
  "wc",
  "date",
  "tar",
  "gzip",
  "gunzip",
  "zcat",
  "tee",
  "env",
  "ss",
  "lsof",
  "base64",
  "xargs",
  "watch",
  "sleep",
  "test",
  "true",
  "false",
  "source",
  "eval",
  "open",
  "xdg-open",
  "set",
  "read",
  "which",
  "command",
  "diff",
  "du",
  "df",
  "sha256sum",
  "sha1sum",
  "md5sum",
  "zstd",
  "xz",
  "find",
  "timeout",
  "nc",
  "dig",
  "nslookup",
  "systemctl",
  "journalctl",
  "id",
  "whoami",
  "pgrep",
  "top",
  "free",
  "stat",
  "touch",
  "ln",
  "python3",
  "yq",
  "gpg",
  "tr",
  "cut",
  "uniq",
  "basename",
  "dirname",
  "realpath",
  "seq",
  "nohup",
  "wait",
  "trap",
  "exit",
  "local",
  "declare",
  "pushd",
  "popd",
  "flock",
  "prometheus",
  "prometheus-alertmanager",
  "redis-server",
  "mariadbd",
  "mariadb-install-db",
  "mariadb-admin",
  "mysqladmin",
  "java",
  "chromium",
  "unzip",
  "zip",
  "rsync",
  "scp",
  "ssh",
  "less",
  "tac",
  "column",
  "envsubst",
  "install",
  "kubectx",
  "stern",
  "eksctl",
  "session-manager-plugin",
]);

/** `pulumi` subcommands that exist (pulumi 3.x). */
export const PULUMI_SUBCOMMANDS = new Set([
  "stack",
  "config",
  "preview",
  "up",
  "destroy",
  "login",
  "logout",
  "refresh",
  "import",
  "state",
  "logs",
  "plugin",
  "whoami",
  "cancel",
  "new",
  "about",
  "org",
  "policy",
  "env",
  "version",
  "watch",
]);

const SHELL_KEYWORDS = new Set(["do", "then", "else", "elif", "!", "time"]);
const SHELL_BLOCK_OPENERS = /^(for|while|until|if|case|done|fi|esac)\b/;
const COMMAND_FENCES = new Set(["sh", "bash", "shell", "console", "zsh"]);

// ---------------------------------------------------------------- Markdown structure

interface Fence {
  lang: string;
  /** 1-based line number of the first line inside the fence. */
  startLine: number;
  lines: string[];
}

interface ParsedMarkdown {
  fences: Fence[];
  /** Lines outside fenced code, with their 1-based numbers. */
  prose: { line: number; text: string }[];
}

export function parseMarkdown(content: string): ParsedMarkdown {
  const fences: Fence[] = [];
  const prose: { line: number; text: string }[] = [];
  const lines = content.split(/\r?\n/);
  let open: { marker: string; fence: Fence } | undefined;
  lines.forEach((text, index) => {
    const match =
      /^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)/.exec(text) ?? /^\s*(`{3,}|~{3,})\s*([\w+-]*)/.exec(text);
    if (open) {
      if (match && match[1]!.startsWith(open.marker) && text.trim() === match[1]) open = undefined;
      else open.fence.lines.push(text);
      return;
    }
    if (match) {
      const fence = { lang: (match[2] ?? "").toLowerCase(), startLine: index + 2, lines: [] };
      fences.push(fence);
      open = { marker: match[1]!, fence };
      return;
    }
    prose.push({ line: index + 1, text });
  });
  return { fences, prose };
}

// ---------------------------------------------------------------- headings and slugs

/** The anchor GitHub gives a heading's text (before de-duplication). */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/<[^>]+>/g, "") // inline HTML tags
    .replace(/`/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** Every anchor a Markdown file offers: its headings' slugs (duplicates get -1, -2…) and HTML ids. */
export function anchorsOf(content: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of parseMarkdown(content).prose) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
    if (heading) {
      const base = githubSlug(heading[1]!);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const id of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(id[1]!);
  }
  return anchors;
}

// ---------------------------------------------------------------- links

export interface Link {
  line: number;
  target: string;
}

/** Inline links and images, and reference definitions, outside code (fenced or inline). */
export function linksOf(content: string): Link[] {
  const links: Link[] = [];
  for (const { line, text } of parseMarkdown(content).prose) {
    const withoutCode = text.replace(/(`+)[\s\S]*?\1/g, (m) => " ".repeat(m.length));
    for (const m of withoutCode.matchAll(
      /!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    ))
      links.push({ line, target: m[1]!.replace(/^<|>$/g, "") });
    const definition = /^\s{0,3}\[[^\]]+\]:\s*(\S+)/.exec(withoutCode);
    if (definition) links.push({ line, target: definition[1]! });
  }
  return links;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");

export function checkLinks(root: string, file: string, content: string): Problem[] {
  const problems: Problem[] = [];
  const at = relative(root, file);
  for (const { line, target } of linksOf(content)) {
    if (isExternal(target)) continue;
    const [pathPart = "", fragment] = target.split("#", 2) as [string, string | undefined];
    const path = decodeURIComponent(pathPart.split("?")[0]!);
    const resolved =
      path === "" ? file : path.startsWith("/") ? join(root, path) : resolve(dirname(file), path);
    if (!existsSync(resolved)) {
      problems.push({
        file: at,
        line,
        message: `broken link ${target}: ${relative(root, resolved)} does not exist`,
      });
      continue;
    }
    if (fragment && resolved.endsWith(".md") && statSync(resolved).isFile()) {
      const anchors = anchorsOf(readFileSync(resolved, "utf8"));
      if (!anchors.has(decodeURIComponent(fragment).toLowerCase()))
        problems.push({
          file: at,
          line,
          message: `broken link ${target}: no heading #${fragment} in ${relative(root, resolved)}`,
        });
    }
  }
  return problems;
}

// ---------------------------------------------------------------- commands

export interface ShownCommand {
  line: number;
  /** Index of the code block it is in (a `cd` holds until the block ends). */
  block: number;
  /**
   * From a ```sh/bash/shell/console block: an unknown tool is an error. From a block without a
   * language (which may hold a diagram or output), only lines that start with a known tool count.
   */
  strict: boolean;
  /** The simple command's words, quotes removed. */
  words: string[];
}

/** Splits a shell line into simple commands (on `&&`, `||`, `;`, `|`), each into words. */
export function splitCommands(text: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  const endWord = () => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (c === "#" && !inWord) {
      break; // a comment
    } else if (c === "&" && text[i + 1] === "&") {
      endCommand();
      i++;
    } else if (c === "|" || c === ";") {
      if (text[i + 1] === "|") i++;
      endCommand();
    } else if (c === "&") {
      endCommand();
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

/** Whether a shell line leaves a quoted string open (it then goes on on the next line). */
function endsInsideQuotes(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "\\") i++;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) return false;
  }
  return quote !== undefined;
}

/** The commands of a Markdown file's shell blocks (console blocks: only the `$ ` lines). */
export function commandsOf(content: string): ShownCommand[] {
  const shown: ShownCommand[] = [];
  parseMarkdown(content).fences.forEach((fence, block) => {
    const strict = COMMAND_FENCES.has(fence.lang);
    if (!strict && fence.lang !== "") return;
    let heredoc: string | undefined;
    let pending: { line: number; text: string } | undefined;
    fence.lines.forEach((raw, index) => {
      const line = fence.startLine + index;
      if (heredoc !== undefined) {
        if (raw.trim() === heredoc) heredoc = undefined;
        return;
      }
      let text = raw;
      if (fence.lang === "console") {
        if (pending) text = raw;
        else if (/^\s*\$ /.test(raw)) text = raw.replace(/^\s*\$ /, "");
        else return;
      }
      if (pending) text = `${pending.text} ${text.trim()}`;
      const startLine = pending?.line ?? line;
      if (/\\\s*$/.test(text)) {
        pending = { line: startLine, text: text.replace(/\\\s*$/, "") };
        return;
      }
      if (endsInsideQuotes(text)) {
        pending = { line: startLine, text };
        return;
      }
      pending = undefined;
      const doc = /<<-?\s*['"]?(\w+)['"]?/.exec(text);
      if (doc) heredoc = doc[1];
      for (const words of splitCommands(text.trim())) shown.push({ line: startLine, block, strict, words });
    });
  });
  return shown;
}

export interface RepoFacts {
  root: string;
  scripts: Record<string, string>;
  /** Stack names with a Pulumi.<stack>.yaml. */
  stacks: Set<string>;
  /** Benchmarks `npm run bench -- <name>` accepts. */
  benchmarks: Set<string>;
}

export function repoFacts(root: string): RepoFacts {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  const stacks = new Set(
    readdirSync(root)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined),
  );
  const benchDir = join(root, "bench");
  const benchmarks = new Set(
    existsSync(benchDir)
      ? readdirSync(benchDir)
          .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
          .map((f) => f.slice(0, -3))
      : [],
  );
  return { root, scripts: pkg.scripts ?? {}, stacks, benchmarks };
}

const isPlaceholder = (word: string) => /[<>$*{}…]|\.\.\./.test(word);

interface CliOptions {
  long: Map<string, "string" | "boolean">;
  short: Map<string, string>;
  positionals: boolean;
}

/** The options a TypeScript CLI declares with node:util parseArgs, or undefined if it has none. */
export function cliOptionsOf(source: string): CliOptions | undefined {
  const start = source.indexOf("parseArgs({");
  if (start < 0) return undefined;
  const optionsAt = source.indexOf("options:", start);
  if (optionsAt < 0) return undefined;
  // the options object: from its "{" to the matching "}"
  const open = source.indexOf("{", optionsAt);
  let depth = 0;
  let end = open;
  for (; end < source.length; end++) {
    if (source[end] === "{") depth++;
    else if (source[end] === "}" && --depth === 0) break;
  }
  const body = source.slice(open + 1, end);
  const long = new Map<string, "string" | "boolean">();
  const short = new Map<string, string>();
  for (const m of body.matchAll(/(?:"([\w-]+)"|([\w]+)):\s*\{([^}]*)\}/g)) {
    const name = (m[1] ?? m[2])!;
    const spec = m[3]!;
    long.set(name, /type:\s*"boolean"/.test(spec) ? "boolean" : "string");
    const s = /short:\s*"(\w)"/.exec(spec);
    if (s) short.set(s[1]!, name);
  }
  return { long, short, positionals: /allowPositionals:\s*true/.test(source.slice(start, end + 200)) };
}

/** The TypeScript file an npm script runs through tsx, if any. */
function scriptEntry(script: string): string | undefined {
  const words = script.split(/\s+/);
  const tsx = words.indexOf("tsx");
  const file = tsx >= 0 ? words.slice(tsx + 1).find((w) => !w.startsWith("-")) : undefined;
  return file?.endsWith(".ts") ? file : undefined;
}

function checkScriptArgs(facts: RepoFacts, name: string, args: string[]): string[] {
  const entry = scriptEntry(facts.scripts[name]!);
  if (!entry) return [];
  const file = join(facts.root, entry);
  if (!existsSync(file)) return [`npm run ${name} runs ${entry}, which does not exist`];
  const options = cliOptionsOf(readFileSync(file, "utf8"));
  if (!options) return [];
  const errors: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (isPlaceholder(arg) || arg.startsWith("[")) continue;
    let option: string | undefined;
    let value: string | undefined;
    if (arg.startsWith("--")) {
      const [flag, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
      if (!options.long.has(flag)) {
        errors.push(`npm run ${name}: ${entry} has no option --${flag}`);
        continue;
      }
      option = flag;
      value = inline;
    } else if (/^-\w$/.test(arg)) {
      option = options.short.get(arg[1]!);
      if (!option) {
        errors.push(`npm run ${name}: ${entry} has no option ${arg}`);
        continue;
      }
    } else {
      if (!options.positionals)
        errors.push(`npm run ${name}: ${entry} takes no argument ${JSON.stringify(arg)}`);
      else if (name === "bench" && !facts.benchmarks.has(arg))
        errors.push(`npm run bench: no benchmark ${arg} (bench/ has ${[...facts.benchmarks].join(", ")})`);
      continue;
    }
    if (options.long.get(option) === "string" && value === undefined) {
      value = args[i + 1];
      i++;
      if (value === undefined) errors.push(`npm run ${name}: --${option} needs a value`);
    }
    if (name === "plan" && option === "stack" && value && !isPlaceholder(value) && !facts.stacks.has(value))
      errors.push(`npm run plan: no stack ${value} (no Pulumi.${value}.yaml)`);
  }
  return errors;
}

function fileMustExist(facts: RepoFacts, cwd: string | undefined, path: string, what: string): string[] {
  if (cwd === undefined || isPlaceholder(path) || path.startsWith("/") || path.startsWith("~")) return [];
  const full = join(cwd, path);
  if (existsSync(full)) return [];
  if (/[?*[]/.test(path) && globSync(path, { cwd }).length > 0) return [];
  return [`${what} ${path}: ${relative(facts.root, full)} does not exist`];
}

/**
 * A simple command from its tool on: leading shell keywords and `KEY=value` assignments dropped
 * (`KEY=$(tool args…)` becomes `tool args…`, the command substituted). Undefined for shell syntax
 * that runs nothing by itself: loop and `if` words, `done`, braces, `[ … ]`, a bare assignment.
 */
export function commandProper(words: string[]): string[] | undefined {
  let rest = [...words];
  while (rest.length > 0 && (SHELL_KEYWORDS.has(rest[0]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0]!))) {
    // `KEY=$(tool args…)`: the substituted command is the one to check
    const substituted = /^[A-Za-z_][A-Za-z0-9_]*=\$\((.+)$/.exec(rest[0]!)?.[1];
    if (substituted) {
      rest = [substituted, ...rest.slice(1)];
      break;
    }
    rest.shift();
  }
  const tool = rest[0];
  if (tool === undefined) return undefined;
  if (SHELL_BLOCK_OPENERS.test(tool) || tool === "[" || tool === "{" || tool === "}" || tool.startsWith("$("))
    return undefined;
  return rest;
}

/**
 * Whether a shown command is one the docs check counts: every command of a shell block, and in a
 * block without a language only lines that start with a known tool or a `./script`.
 */
export function isCheckedCommand({ strict, words }: ShownCommand): boolean {
  const tool = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  return strict || (tool !== undefined && (KNOWN_TOOLS.has(tool) || tool.startsWith("./")));
}

/**
 * Checks one simple command; `cwd` is where the doc's block stands (the repository root, until a
 * `cd`; undefined once it changed to a directory this check cannot see, which turns file checks off).
 */
export function checkCommand(facts: RepoFacts, words: string[], cwd: string | undefined): string[] {
  const rest = commandProper(words);
  if (rest === undefined) return [];
  if (rest[0] === "sudo" || rest[0] === "env" || rest[0] === "time") {
    rest.shift();
    while (rest.length > 0 && (rest[0]!.startsWith("-") || /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0]!)))
      rest.shift();
  }
  const [tool, ...args] = rest;
  if (tool === undefined) return [];

  if (tool === "npm") {
    const [sub, ...more] = args;
    if (sub === "run" || sub === "run-script") {
      // npm's own flags (-s, --silent, --if-present) come before the script's name
      const [name, ...rest2] = more.slice(
        Math.max(
          0,
          more.findIndex((x) => !x.startsWith("-")),
        ),
      );
      if (!name || isPlaceholder(name)) return [];
      if (!(name in facts.scripts)) return [`npm run ${name}: no such script in package.json`];
      const dashes = rest2.indexOf("--");
      return dashes < 0 ? [] : checkScriptArgs(facts, name, rest2.slice(dashes + 1));
    }
    if (sub === "start" || sub === "test") {
      if (!(sub in facts.scripts)) return [`npm ${sub}: no such script in package.json`];
      const dashes = more.indexOf("--");
      if (sub === "test" && dashes >= 0)
        return more.slice(dashes + 1).flatMap((p) => fileMustExist(facts, cwd, p, "npm test --"));
      return [];
    }
    return [];
  }
  if (tool === "npx") {
    const [bin, ...more] = args;
    if (bin === "tsx" || bin === "mocha") return checkCommand(facts, [bin, ...more], cwd);
    return [];
  }
  if (tool === "bash" || tool === "sh" || tool === "tsx" || tool === "node") {
    const file = args.find((a) => !a.startsWith("-") && !a.startsWith("--"));
    if (file && (tool === "bash" || tool === "sh" || /\.[cm]?[jt]s$/.test(file)))
      return fileMustExist(facts, cwd, file, tool);
    return [];
  }
  if (tool === "mocha") {
    return args
      .filter((a) => !a.startsWith("-") && /\.test\.ts$/.test(a))
      .flatMap((a) => fileMustExist(facts, cwd, a, "mocha"));
  }
  if (tool.startsWith("./") || tool.startsWith("../")) return fileMustExist(facts, cwd, tool, "script");
  if (!KNOWN_TOOLS.has(tool)) return [`unknown command ${tool} (not a known tool, npm script or file)`];
  if (tool === "pulumi") {
    const sub = args.find((a) => !a.startsWith("-"));
    if (sub === undefined) return [];
    const errors = PULUMI_SUBCOMMANDS.has(sub) ? [] : [`pulumi ${sub}: not a pulumi subcommand`];
    for (let i = 0; i < args.length; i++) {
      const flag = args[i]!;
      if (flag === "--policy-pack" || flag === "--policy-pack-config")
        errors.push(...fileMustExist(facts, cwd, args[i + 1] ?? "", `pulumi ${flag}`));
    }
    return errors;
  }
  return [];
}

export function checkCommands(facts: RepoFacts, file: string, content: string): Problem[] {
  const problems: Problem[] = [];
  const at = relative(facts.root, file);
  // Commands run from the repository root unless a block changes directory.
  let cwd: string | undefined = facts.root;
  let currentBlock = -1;
  for (const shown of commandsOf(content)) {
    const { line, block, words } = shown;
    if (block !== currentBlock) cwd = facts.root;
    currentBlock = block;
    if (!isCheckedCommand(shown)) continue;
    for (const message of checkCommand(facts, words, cwd)) problems.push({ file: at, line, message });
    if (words[0] === "cd") {
      const target = words[1];
      cwd =
        cwd !== undefined && target && !isPlaceholder(target) && existsSync(join(cwd, target))
          ? join(cwd, target)
          : undefined;
    }
  }
  return problems;
}

/** The repository's Markdown files (node_modules, .git and generated state skipped). */
export function markdownFiles(root: string): string[] {
  const skip = new Set(["node_modules", ".git", ".local", ".tooling"]);
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (skip.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) found.push(path);
    }
  };
  walk(root);
  return found.sort();
}

export function checkDocs(root: string, files = markdownFiles(root)): Problem[] {
  const facts = repoFacts(root);
  return files.flatMap((file) => {
    const content = readFileSync(file, "utf8");
    return [...checkLinks(root, file, content), ...checkCommands(facts, file, content)];
  });
}

export const formatProblem = (p: Problem) => `${p.file}:${p.line}: ${p.message}`;
