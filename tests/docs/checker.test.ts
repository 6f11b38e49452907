import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  anchorsOf,
  checkDocs,
  cliOptionsOf,
  commandProper,
  commandsOf,
  formatProblem,
  githubSlug,
  isCheckedCommand,
  splitCommands,
} from "./markdown-checker";

/** A tiny fake repository: one npm script with a parseArgs CLI, one stack, one bench, two docs. */
function fakeRepo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "docs-check-"));
  const all: Record<string, string> = {
    "package.json": JSON.stringify({
      scripts: { plan: "bash scripts/toolchain.sh tsx scripts/plan.ts", test: "bash scripts/test.sh" },
    }),
    "scripts/plan.ts": `parseArgs({ options: { stack: { type: "string", short: "s" }, json: { type: "boolean", default: false } }, strict: true });`,
    "scripts/toolchain.sh": "",
    "Pulumi.dev.yaml": "config: {}\n",
    "docs/other.md": "# Other\n\n## Deploying a stack\n\n## Deploying a stack\n",
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe("docs checker", () => {
  const roots: string[] = [];
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });
  const check = (doc: string) => {
    const root = fakeRepo({ "docs/guide.md": doc });
    roots.push(root);
    return checkDocs(root, [join(root, "docs/guide.md")]).map(formatProblem);
  };

  it("passes a doc whose links and commands are right", () => {
    const doc = [
      "# Guide",
      "See [other](other.md), [its section](other.md#deploying-a-stack-1), [below](#setup) and [the web](https://example.com).",
      "## Setup",
      "```sh",
      "npm run plan -- --stack dev --json   # one JSON document",
      "npm run plan -- -s <stack>",
      "bash scripts/toolchain.sh \\",
      "  tsx scripts/plan.ts",
      "export PULUMI_CONFIG_PASSPHRASE=secret && pulumi stack select dev",
      "sudo apt-get install -y nodejs npm",
      "npm run -s plan -- --stack dev --json \\",
      "  | jq -r '.resources[]",
      "           | .type'",
      "cat <<'EOF' > /tmp/x.json",
      "whatever is in a heredoc is data",
      "EOF",
      "```",
      "```console",
      "$ npm test",
      "output lines are not commands",
      "```",
      "```",
      "internet ─► ALB (a diagram, not a command)",
      "```",
      "`[not a link](nowhere.md)` in inline code is ignored.",
    ].join("\n");
    assert.deepEqual(check(doc), []);
  });

  it("reports a broken link, a missing anchor and every wrong command, with file and line", () => {
    const doc = [
      "# Guide",
      "Read [the missing page](missing.md) and [a missing section](other.md#no-such-heading).",
      "```bash",
      "frobnicate --all",
      "npm run deploy",
      "npm run plan -- --stack nosuch --json",
      "npm run plan -- --stack dev --verbose",
      "pulumi frobnicate",
      "bash scripts/missing.sh",
      "pulumi preview --policy-pack-config policies/config/dev.json",
      "```",
      "```",
      "npm run deploy-too",
      "```",
    ].join("\n");
    assert.deepEqual(check(doc), [
      "docs/guide.md:2: broken link missing.md: docs/missing.md does not exist",
      "docs/guide.md:2: broken link other.md#no-such-heading: no heading #no-such-heading in docs/other.md",
      "docs/guide.md:4: unknown command frobnicate (not a known tool, npm script or file)",
      "docs/guide.md:5: npm run deploy: no such script in package.json",
      "docs/guide.md:6: npm run plan: no stack nosuch (no Pulumi.nosuch.yaml)",
      "docs/guide.md:7: npm run plan: scripts/plan.ts has no option --verbose",
      "docs/guide.md:8: pulumi frobnicate: not a pulumi subcommand",
      "docs/guide.md:9: bash scripts/missing.sh: scripts/missing.sh does not exist",
      "docs/guide.md:10: pulumi --policy-pack-config policies/config/dev.json: policies/config/dev.json does not exist",
      "docs/guide.md:13: npm run deploy-too: no such script in package.json",
    ]);
  });

  it("follows a cd within a block, and forgets it at the next block", () => {
    const doc = ["```sh", "cd scripts", "bash toolchain.sh", "```", "```sh", "bash toolchain.sh", "```"].join(
      "\n",
    );
    assert.deepEqual(check(doc), ["docs/guide.md:6: bash toolchain.sh: toolchain.sh does not exist"]);
  });

  it("makes anchors with GitHub's slug rules", () => {
    assert.equal(githubSlug("Benchmark: what verified TLS costs"), "benchmark-what-verified-tls-costs");
    assert.equal(
      githubSlug("The local runner (`npm start`) and the harness"),
      "the-local-runner-npm-start-and-the-harness",
    );
    assert.equal(githubSlug("D2. Node 24 LTS — from [npm](https://npmjs.com)"), "d2-node-24-lts--from-npm");
    assert.equal(githubSlug("snake_case stays"), "snake_case-stays");
    assert.deepEqual([...anchorsOf("# A\n## A\n```\n# not a heading\n```\n## A\n")], ["a", "a-1", "a-2"]);
  });

  it("splits shell lines into simple commands, honouring quotes and comments", () => {
    assert.deepEqual(splitCommands(`a "b && c" && d 'e # f' # comment`), [
      ["a", "b && c"],
      ["d", "e # f"],
    ]);
    assert.deepEqual(splitCommands("x | y; z || w"), [["x"], ["y"], ["z"], ["w"]]);
  });

  it("names a command from its tool on, and nothing for shell syntax that runs nothing itself", () => {
    const proper = (line: string) => splitCommands(line).map(commandProper);
    assert.deepEqual(proper(`WEBHOOK=http://x npx tsx main.ts`), [["npx", "tsx", "main.ts"]]);
    assert.deepEqual(proper(`CLUSTER=$(aws ecs list-clusters --output text)`), [
      ["aws", "ecs", "list-clusters", "--output", "text)"],
    ]);
    assert.deepEqual(proper("while read -r image; do service=$image; done"), [
      undefined,
      undefined,
      undefined,
    ]);
    assert.deepEqual(proper("sudo apt-get install -y jq"), [["sudo", "apt-get", "install", "-y", "jq"]]);
    const shown = commandsOf(["```", "npm start   # runs", "internet ─► ALB", "```"].join("\n"));
    assert.deepEqual(
      shown.filter(isCheckedCommand).map((c) => c.words),
      [["npm", "start"]],
    );
  });

  it("reads the options a CLI declares with parseArgs", () => {
    const options = cliOptionsOf(
      `parseArgs({ options: { "sample-every": { type: "string" }, json: { type: "boolean", short: "j" } }, allowPositionals: true })`,
    );
    assert.deepEqual([...(options?.long.keys() ?? [])], ["sample-every", "json"]);
    assert.equal(options?.short.get("j"), "json");
    assert.equal(options?.positionals, true);
  });
});
