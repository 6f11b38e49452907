import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../bench/_ingest-processes";
import { type LoadTestResult, parseLoadTestArgs, runLoadTest, writeReport } from "../../scripts/load-test";

describe("call-events: load test (short version of npm run load-test)", function () {
  this.timeout(120_000);
  const outDir = mkdtempSync(join(tmpdir(), "call-events-load-test-"));
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it("drives the webhook with tgibf, counts the 30-minute window as it fills, and finds every 200 stored", async () => {
    const lines: string[] = [];
    const result = await runLoadTest({
      durationMs: 12_000,
      rate: 100,
      concurrency: 50,
      sampleEveryMs: 4_000,
      outDir,
      log: (line) => lines.push(line),
    });
    assert.ok(
      lines.some((l) => l.startsWith("tgibf [")),
      "tgibf's progress lines are passed on",
    );

    assert.equal(result.verification.passed, true, JSON.stringify(result.verification));
    assert.equal(result.verification.acknowledged_not_stored, 0);
    assert.equal(result.verification.stored_rows, result.tgibf.ok);
    assert.ok(result.tgibf.ok >= 1000, `only ${result.tgibf.ok} events acknowledged`);

    const totals = result.samples.map((s) => s.total);
    assert.equal(totals[0], 0, "the window starts empty");
    for (let i = 1; i < totals.length; i++)
      assert.ok(totals[i]! >= totals[i - 1]!, `count fell: ${totals.join(", ")}`);
    // Every event of a 12-second run is inside the window at the end.
    assert.equal(totals.at(-1), result.verification.stored_rows);

    const markdown = readFileSync(join(outDir, "report.md"), "utf8");
    assert.match(markdown, /\*\*verdict\*\* \| \*\*PASS\*\*/);
    const svg = readFileSync(join(outDir, "count-last-30-minutes.svg"), "utf8");
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/<circle /g) ?? []).length, result.samples.length, "one point per sample");
    assert.ok(existsSync(join(outDir, "report.json")));
  });

  it("by default writes to the git-ignored .local/load-test, never over the committed docs/load-test", () => {
    const command = parseLoadTestArgs(["--duration", "2m"]);
    assert.equal(command.kind, "run");
    if (command.kind !== "run") return;
    assert.equal(command.options.outDir, join(repoRoot, ".local", "load-test"));
    assert.equal(command.options.sampleEveryMs, 10_000);
    execFileSync("git", ["check-ignore", "-q", ".local/load-test/report.md"], { cwd: repoRoot });
    const committed = parseLoadTestArgs(["--out", "docs/load-test"]);
    assert.equal(committed.kind === "run" && committed.options.outDir, "docs/load-test");
    assert.deepEqual(parseLoadTestArgs(["--render-only"]), {
      kind: "render",
      outDir: join(repoRoot, ".local", "load-test"),
    });
  });

  it("runs 35 minutes by default, so that the report has plateau samples by its own rule", () => {
    const command = parseLoadTestArgs([]);
    assert.ok(command.kind === "run");
    const { durationMs, rate, sampleEveryMs } = command.options;
    assert.equal(durationMs, 35 * 60_000);
    // A run sampled like the real one (a sample every sampleEveryMs from 0, each a little late).
    const samples = Array.from({ length: durationMs / sampleEveryMs + 1 }, (_, i) => ({
      elapsed_s: (i * sampleEveryMs) / 1000 + 0.1,
      total: Math.min(i * sampleEveryMs, 30 * 60_000) * (rate / 1000),
      by_type: {},
    }));
    const result = {
      duration_s: durationMs / 1000,
      rate_per_s: rate,
      concurrency: 200,
      sample_every_s: sampleEveryMs / 1000,
      machine: { cpus: 2, loadavg_start: [1, 1, 1], loadavg_end: [1, 1, 1] },
      tgibf: { sent: 1, ok: 1, statuses: {}, errors: 0 },
      samples,
      verification: { acknowledged: 1, passed: true },
      webhook: { mean_batch_size: 1, batches: 1, refused: {} },
    } as unknown as LoadTestResult;
    writeReport(result, outDir);
    const markdown = readFileSync(join(outDir, "report.md"), "utf8");
    assert.match(markdown, /From minute 30 on, the window is full: .* [45] samples taken between minute 30/);
  });
});
