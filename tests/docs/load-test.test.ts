import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bash, root, shownNpmRuns, toolEnv } from "./doc-shell";

/** Flags whose shown values would make the run long or write into the repository. */
const SHORTENED: Record<string, string> = { "--duration": "2s", "--sample-every": "1s" };

/**
 * The `npm run load-test` commands the docs show (minutes to 40 minutes each), run once through
 * npm with every flag they use, short: 2 s of load, a sample a second, into a temp dir. It starts
 * its own MariaDB and call-webhook (no runner needed). Then `--render-only` redraws that run.
 */
describe("docs: npm run load-test, as shown but 2 seconds long", function () {
  this.timeout(90_000);
  const out = mkdtempSync(join(tmpdir(), "docs-load-test-"));
  const stateDir = mkdtempSync(join(tmpdir(), "docs-load-test-state-"));
  after(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });
  const env = toolEnv({ BATTLE_READY_STATE_DIR: stateDir });

  it("every flag the docs show, with short values, stores every acknowledged event and writes the report", async () => {
    const shown = shownNpmRuns("load-test")
      .map((w) => w.slice(w.indexOf("--") + 1 || w.length))
      .filter((args) => !args.includes("--help") && !args.includes("--render-only"));
    assert.ok(shown.length >= 4, `the docs show load-test runs: ${JSON.stringify(shown)}`);
    const flags = new Map<string, string>();
    for (const args of shown)
      for (let i = 0; i < args.length; i += 2) {
        assert.match(args[i]!, /^--[\w-]+$/, `a shown load-test run: ${args.join(" ")}`);
        if (!flags.has(args[i]!)) flags.set(args[i]!, args[i + 1]!);
      }
    for (const flag of ["--duration", "--out"]) assert.ok(flags.has(flag), `the docs show ${flag}`);
    const args = [...flags].flatMap(([flag, value]) => [
      flag,
      flag === "--out" ? out : (SHORTENED[flag] ?? value),
    ]);
    if (!flags.has("--sample-every")) args.push("--sample-every", SHORTENED["--sample-every"]!);

    const { stdout, stderr } = await bash(`npm run load-test -- ${args.map((a) => `'${a}'`).join(" ")}`, {
      cwd: root,
      env,
      timeoutMs: 80_000,
    });
    const log = `${stdout}${stderr}`;
    assert.match(log, /acknowledged \d+, stored \d+, acknowledged but missing 0: PASS/, log);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as {
      rate_per_s: number;
      verification: { passed: boolean; acknowledged: number; stored_rows: number };
    };
    assert.equal(report.verification.passed, true);
    assert.ok(report.verification.acknowledged > 0, "events were acknowledged");
    assert.equal(report.verification.stored_rows, report.verification.acknowledged);
    if (flags.has("--rate")) assert.equal(report.rate_per_s, Number(flags.get("--rate")));
    assert.match(readFileSync(join(out, "report.md"), "utf8"), /\*\*verdict\*\* \| \*\*PASS\*\*/);
    assert.ok(existsSync(join(out, "count-last-30-minutes.svg")));
  });

  it("`--render-only --out <dir>` redraws report.md and the chart from report.json", async () => {
    const shown = shownNpmRuns("load-test").filter((w) => w.includes("--render-only"));
    assert.ok(shown.length > 0, "the docs show --render-only");
    const report = join(out, "report.md");
    assert.ok(existsSync(join(out, "report.json")), "the run above left its report.json");
    rmSync(report);
    rmSync(join(out, "count-last-30-minutes.svg"));
    await bash(`npm run load-test -- --render-only --out '${out}'`, { cwd: root, env });
    assert.match(readFileSync(report, "utf8"), /\*\*verdict\*\* \| \*\*PASS\*\*/);
    assert.ok(existsSync(join(out, "count-last-30-minutes.svg")));
  });
});
