import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mergedLatencies, runTgibfSampled } from "../../bench/_tgibf-latencies";

/** A stand-in webhook that answers 200 after `delayMs`. */
function slowServer(delayMs: number): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => setTimeout(() => res.end('{"status":"stored"}'), delayMs));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const LOAD = ["--mode", "concurrency", "--concurrency", "4", "--keep-alive", "--progress", "0"];

describe("call-events: the ingest benchmark's latency over all slices", function () {
  this.timeout(60_000);
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  it("keeps every request's latency, and the merged p99 is the p99 of all requests, not a median of slices", async () => {
    const fast = await slowServer(1);
    const slow = await slowServer(200);
    servers.push(fast, slow);
    const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/webhook`;
    const quick = [];
    for (let i = 0; i < 2; i++) quick.push(await runTgibfSampled(url(fast), [...LOAD, "--requests", "800"]));
    const lagging = await runTgibfSampled(url(slow), [...LOAD, "--requests", "40"]);

    for (const run of [...quick, lagging]) {
      assert.equal(run.latencies.length, run.report.sent, "one latency per request");
      // The samples give tgibf's own percentiles for that run (same 1 % buckets; each request is
      // timed around the same call, give or take a few microtasks).
      const p99 = mergedLatencies([run]).percentile(99);
      const tolerance = 0.02 * run.report.p99_ms + 1;
      assert.ok(Math.abs(p99 - run.report.p99_ms) <= tolerance, `${p99} ms against ${run.report.p99_ms} ms`);
    }
    const slices = [...quick, lagging];
    const merged = mergedLatencies(slices);
    assert.equal(merged.count, 1640);
    // 40 of 1640 requests (2.4 %) took ≥ 200 ms: the true p99 is among them, while the median of
    // the three slices' p99s is a fast slice's.
    assert.ok(merged.percentile(99) >= 200, `merged p99 ${merged.percentile(99)} ms`);
    const sliceP99s = slices.map((s) => s.report.p99_ms).sort((a, b) => a - b);
    assert.ok(sliceP99s[1]! < 200, `median of the slices' p99s ${sliceP99s[1]} ms`);
  });
});
