import assert from "node:assert/strict";
import { CircuitBreaker } from "../../apps/call-webhook/src/circuit-breaker";
import { type GroupCommitOptions, GroupCommitter } from "../../apps/call-webhook/src/group-commit";
import { IngestRefusedError } from "../../apps/call-webhook/src/refusal";
import { eventually } from "./call-events-fixtures";

/** A write function whose calls stay pending until the test settles them: a database it controls. */
class ControlledWrites {
  readonly calls: { items: number[]; resolve: () => void; reject: (e: Error) => void }[] = [];
  readonly write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      this.calls.push({ items, resolve, reject });
    });
}

const OPTIONS: GroupCommitOptions = {
  maxBatchSize: 10,
  lingerMs: 1,
  maxInFlight: 1,
  maxBacklog: 100,
  maxWaitMs: 60_000,
};

function committer(writes: ControlledWrites, options: Partial<GroupCommitOptions> = {}, clock = { now: 0 }) {
  const breaker = new CircuitBreaker({ cooldownMs: 1000, maxCooldownMs: 8000, now: () => clock.now });
  const sizes: number[] = [];
  const gc = new GroupCommitter<number>(
    writes.write,
    { ...OPTIONS, ...options },
    breaker,
    (outcome) => sizes.push(outcome.size),
    () => clock.now,
  );
  return { gc, breaker, sizes };
}

/** Tracks a promise's state without awaiting it. */
function track(promise: Promise<void>) {
  const state = { settled: false, error: undefined as unknown };
  promise.then(
    () => {
      state.settled = true;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

const refusal = (state: { error: unknown }) => {
  assert.ok(state.error instanceof IngestRefusedError, `expected a refusal, got ${String(state.error)}`);
  return state.error;
};

describe("call-events: group commit", () => {
  it("writes concurrent submissions as one batch and resolves them only after the write", async () => {
    const writes = new ControlledWrites();
    const { gc } = committer(writes);
    const states = [1, 2, 3, 4, 5].map((n) => track(gc.submit(n)));
    await eventually("the batch write", () => writes.calls.length === 1);
    assert.deepEqual(writes.calls[0]!.items, [1, 2, 3, 4, 5]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(
      states.every((s) => !s.settled),
      "nothing may be acknowledged before the write resolves",
    );
    writes.calls[0]!.resolve();
    await eventually("all acknowledged", () => states.every((s) => s.settled));
    assert.ok(states.every((s) => s.error === undefined));
  });

  it("caps batch size and in-flight batches; what queued meanwhile goes in the next batch", async () => {
    const writes = new ControlledWrites();
    const { gc, sizes } = committer(writes, { maxBatchSize: 10, maxInFlight: 1 });
    const all = Array.from({ length: 25 }, (_, i) => gc.submit(i));
    await eventually("first batch", () => writes.calls.length === 1);
    assert.equal(writes.calls[0]!.items.length, 10);
    assert.equal(gc.backlog, 15);
    assert.equal(gc.batchesInFlight, 1);
    writes.calls[0]!.resolve();
    await eventually("second batch", () => writes.calls.length === 2);
    assert.deepEqual(writes.calls[1]!.items, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    writes.calls[1]!.resolve();
    await eventually("third batch", () => writes.calls.length === 3);
    assert.deepEqual(writes.calls[2]!.items, [20, 21, 22, 23, 24]);
    writes.calls[2]!.resolve();
    await Promise.all(all);
    assert.deepEqual(sizes, [10, 10, 5]);
  });

  it("runs up to maxInFlight batches at once", async () => {
    const writes = new ControlledWrites();
    const { gc } = committer(writes, { maxBatchSize: 2, maxInFlight: 3 });
    const all = Array.from({ length: 10 }, (_, i) => gc.submit(i));
    await eventually("three batches in flight", () => writes.calls.length === 3);
    assert.equal(gc.batchesInFlight, 3);
    assert.equal(gc.backlog, 4);
    for (let done = 0; done < 5; done++) {
      await eventually(`batch ${done + 1}`, () => writes.calls.length > done);
      writes.calls[done]!.resolve();
    }
    await Promise.all(all);
  });

  it("refuses (503) every event of a failed batch, then refuses at once while the breaker is open", async () => {
    const writes = new ControlledWrites();
    const clock = { now: 0 };
    const { gc, breaker } = committer(writes, {}, clock);
    const states = [1, 2, 3].map((n) => track(gc.submit(n)));
    await eventually("the batch write", () => writes.calls.length === 1);
    writes.calls[0]!.reject(new Error("connection lost"));
    await eventually("all refused", () => states.every((s) => s.settled));
    for (const s of states) {
      assert.equal(refusal(s).reason, "batch_failed");
      assert.equal(refusal(s).retryAfterSeconds, 1);
    }
    assert.equal(breaker.state, "open");
    const early = track(gc.submit(4));
    await eventually("refused", () => early.settled);
    assert.equal(refusal(early).reason, "database_unavailable");
    assert.equal(writes.calls.length, 1, "an open breaker sends nothing to the database");

    clock.now += 1000; // cooldown over: half-open, the next batch is the probe
    assert.equal(breaker.state, "half-open");
    const probe = track(gc.submit(5));
    await eventually("the probe batch", () => writes.calls.length === 2);
    writes.calls[1]!.resolve();
    await eventually("probe acknowledged", () => probe.settled);
    assert.equal(probe.error, undefined);
    assert.equal(breaker.state, "closed");
  });

  it("bounds the backlog: beyond maxBacklog waiting events, submissions are refused at once", async () => {
    const writes = new ControlledWrites();
    const { gc } = committer(writes, { maxBatchSize: 5, maxBacklog: 10 });
    const first = Array.from({ length: 5 }, (_, i) => track(gc.submit(i)));
    await eventually("the first batch", () => writes.calls.length === 1);
    const queued = Array.from({ length: 10 }, (_, i) => track(gc.submit(100 + i)));
    const overflow = Array.from({ length: 7 }, (_, i) => track(gc.submit(200 + i)));
    await eventually("overflow refused", () => overflow.every((s) => s.settled));
    for (const s of overflow) {
      assert.equal(refusal(s).reason, "backlog_full");
      assert.ok(refusal(s).retryAfterSeconds >= 1);
    }
    assert.equal(gc.backlog, 10);
    writes.calls[0]!.resolve();
    await eventually("second batch", () => writes.calls.length === 2);
    writes.calls[1]!.resolve();
    await eventually("third batch", () => writes.calls.length === 3);
    writes.calls[2]!.resolve();
    await eventually("all accepted ones acknowledged", () => [...first, ...queued].every((s) => s.settled));
    assert.ok([...first, ...queued].every((s) => s.error === undefined));
  });

  it("refuses events that waited longer than maxWaitMs without being written (slow database)", async () => {
    const writes = new ControlledWrites();
    const clock = { now: 0 };
    const { gc } = committer(writes, { maxBatchSize: 2, maxWaitMs: 1000 }, clock);
    const inBatch = [track(gc.submit(1)), track(gc.submit(2))];
    await eventually("the first batch", () => writes.calls.length === 1);
    const waiting = [track(gc.submit(3)), track(gc.submit(4))];
    clock.now += 1001;
    await eventually("waiting events refused", () => waiting.every((s) => s.settled));
    for (const s of waiting) assert.equal(refusal(s).reason, "database_slow");
    assert.ok(
      inBatch.every((s) => !s.settled),
      "events being written wait for their write's outcome",
    );
    writes.calls[0]!.resolve();
    await eventually("the batch acknowledged", () => inBatch.every((s) => s.settled));
    assert.ok(inBatch.every((s) => s.error === undefined));
    assert.equal(writes.calls.length, 1, "refused events are never written");
  });

  it("drains on shutdown: settles what it accepted and refuses new submissions", async () => {
    const writes = new ControlledWrites();
    const { gc } = committer(writes);
    const accepted = track(gc.submit(1));
    await eventually("the batch write", () => writes.calls.length === 1);
    const drained = track(gc.drain());
    const late = track(gc.submit(2));
    await eventually("late refused", () => late.settled);
    assert.equal(refusal(late).reason, "shutting_down");
    assert.equal(drained.settled, false);
    writes.calls[0]!.resolve();
    await eventually("drained", () => drained.settled && accepted.settled);
    assert.equal(accepted.error, undefined);
  });

  it("circuit breaker: consecutive failures double the cooldown up to the maximum", () => {
    const clock = { now: 0 };
    const breaker = new CircuitBreaker({ cooldownMs: 1000, maxCooldownMs: 4000, now: () => clock.now });
    assert.equal(breaker.state, "closed");
    const expected = [1, 2, 4, 4];
    for (const seconds of expected) {
      breaker.recordFailure();
      assert.equal(breaker.state, "open");
      assert.equal(breaker.retryAfterSeconds(), seconds);
      clock.now += seconds * 1000;
      assert.equal(breaker.state, "half-open");
    }
    breaker.recordSuccess();
    assert.equal(breaker.state, "closed");
  });
});
