import { strict as assert } from "node:assert";
import { bash, root, shownNpmRuns } from "./doc-shell";

/**
 * The benchmarks themselves are not run here (minutes of CPU each: `npm run bench` is not part of
 * npm test). What is checked is that `npm run bench` knows every benchmark the docs name: it has
 * no --help, but an unknown name makes it list the benchmarks it has and exit 1 before running any.
 */
describe("docs: npm run bench knows every benchmark the docs name", function () {
  this.timeout(60_000);

  it("each `npm run bench -- <name>` shown names a benchmark bench/run.ts lists", async () => {
    const named = [
      ...new Set(
        shownNpmRuns("bench").flatMap((w) => {
          const dashes = w.indexOf("--");
          return dashes < 0 ? [] : w.slice(dashes + 1).filter((a) => !a.startsWith("-"));
        }),
      ),
    ];
    assert.ok(named.length >= 2, `the docs name benchmarks: ${named.join(", ")}`);
    const unknown = "docs-check-no-such-benchmark";
    const run = await bash(`npm run -s bench -- ${unknown}`, { cwd: root }).then(
      () => assert.fail(`npm run bench -- ${unknown} exited 0 (did it run every benchmark?)`),
      (error: { code?: number; stderr?: string }) => error,
    );
    assert.equal(run.code, 1, run.stderr);
    const listed = new RegExp(`unknown benchmark ${unknown}; available: (.+)$`, "m").exec(
      run.stderr ?? "",
    )?.[1];
    assert.ok(listed, `no list of benchmarks in: ${run.stderr}`);
    const available = listed.split(", ");
    assert.deepEqual(
      named.filter((n) => !available.includes(n)),
      [],
      `npm run bench has ${available.join(", ")}`,
    );
  });
});
