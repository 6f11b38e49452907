import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { checkDocs, commandsOf, formatProblem, markdownFiles } from "./markdown-checker";

const root = join(__dirname, "..", "..");
const run = promisify(execFile);

/** Every `npm run …` command shown in a doc's shell blocks, as words. */
function shownNpmRuns(): string[][] {
  return markdownFiles(root).flatMap((file) =>
    commandsOf(readFileSync(file, "utf8"))
      .map((c) => c.words)
      .filter((w) => w[0] === "npm" && w[1] === "run"),
  );
}

describe("docs", () => {
  it("every relative link resolves and every command shown names a real tool, script, flag or file", () => {
    const files = markdownFiles(root);
    for (const expected of ["README.md", "Instructions.md", "DecisionsLog.md", join("docs", "aws.md")])
      assert.ok(files.includes(join(root, expected)), `${expected} is checked`);
    const problems = checkDocs(root, files);
    assert.deepEqual(problems.map(formatProblem), []);
  });

  it("`npm run plan -- --stack dev --json`, as the docs show it, prints one JSON document with resources and policies", async function () {
    this.timeout(180_000);
    const shown = shownNpmRuns().some((w) => w.join(" ") === "npm run plan -- --stack dev --json");
    assert.ok(shown, "the docs show npm run plan -- --stack dev --json");
    // Exactly as shown: the project's .npmrc keeps npm's banner off stdout, so the output is JSON.
    const { stdout } = await run("npm", ["run", "plan", "--", "--stack", "dev", "--json"], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    });
    const plan = JSON.parse(stdout) as {
      stack: string;
      resources: { type: string }[];
      policies: { name: string }[];
    };
    assert.equal(plan.stack, "dev");
    assert.ok(plan.resources.length > 100, `resources: ${plan.resources.length}`);
    assert.ok(plan.resources.some((r) => r.type === "aws:ecs/cluster:Cluster"));
    assert.ok(plan.policies.length >= 40, `policies: ${plan.policies.length}`);
  });

  it("every `npm run logs` command the docs show runs and finds the lines it asks for", async function () {
    this.timeout(120_000);
    // `<x-request-id>` stands for the request id of the sample lines; other placeholders are skipped.
    const shown = shownNpmRuns()
      .filter((w) => w[2] === "logs")
      .map((w) => w.map((x) => x.replaceAll("<x-request-id>", "docs-req-1")))
      .filter((w) => !w.some((x) => /[<>]/.test(x)));
    assert.ok(
      shown.some((w) => w.includes("--request-id")),
      "the docs' --request-id search runs",
    );
    assert.ok(shown.length > 0, "the docs show at least one npm run logs command");
    const stateDir = mkdtempSync(join(tmpdir(), "docs-logs-"));
    try {
      mkdirSync(join(stateDir, "logs"));
      const now = Date.now();
      const lines = [
        { level: 30, time: now - 1000, service: "todo", reqId: "docs-req-1", msg: "an info line" },
        { level: 50, time: now - 500, service: "todo", reqId: "docs-req-1", msg: "an error line" },
      ];
      writeFileSync(
        join(stateDir, "logs", "todo.log"),
        `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
      );
      for (const words of shown) {
        const { stdout } = await run("npm", ["run", "--silent", ...words.slice(2)], {
          cwd: root,
          env: { ...process.env, BATTLE_READY_STATE_DIR: stateDir, NO_COLOR: "1" },
        });
        assert.match(stdout, /an error line/, `${words.join(" ")} finds the error`);
        if (words.includes("error"))
          assert.doesNotMatch(stdout, /an info line/, `${words.join(" ")} leaves out info`);
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("every `npm run <script> -- --help` the docs show exits 0 and prints a usage", async function () {
    this.timeout(120_000);
    const helps = shownNpmRuns().filter((w) => w.at(-1) === "--help" && w.length === 5 && w[3] === "--");
    for (const words of helps) {
      const { stdout, stderr } = await run("npm", ["run", "--silent", words[2]!, "--", "--help"], {
        cwd: root,
      });
      assert.match(`${stdout}${stderr}`, /usage|--/i, `${words.join(" ")} prints a usage`);
    }
  });
});
