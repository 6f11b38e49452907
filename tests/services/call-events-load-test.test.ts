import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLoadTest } from "../../scripts/load-test";

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
});
