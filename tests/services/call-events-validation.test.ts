import assert from "node:assert/strict";
import {
  CALL_EVENT_TYPES,
  InvalidEventError,
  MAX_LENGTH,
  parseCallEvent,
} from "../../apps/call-webhook/src/call-event";
import { validEvent } from "./call-events-fixtures";

function rejects(body: unknown, reason: RegExp): void {
  assert.throws(
    () => parseCallEvent(body),
    (error: unknown) => {
      assert.ok(error instanceof InvalidEventError, `expected InvalidEventError, got ${String(error)}`);
      assert.match(error.message, reason);
      return true;
    },
  );
}

const STRING_FIELDS = ["call_id", "code", "our_number", "their_number", "timestamp"] as const;

describe("call-events: event validation", () => {
  it("accepts the provider's example event and normalises its timestamp", () => {
    const event = parseCallEvent({
      call_id: "1463669263.30033",
      code: "123456",
      type: "call.new",
      direction: "inbound",
      our_number: "0800000000",
      their_number: "11999990000",
      timestamp: "2017-01-01T00:00:00Z",
    });
    assert.equal(event.call_id, "1463669263.30033");
    assert.equal(event.type, "call.new");
    assert.equal(event.timestamp.toISOString(), "2017-01-01T00:00:00.000Z");
    assert.equal(event.actor, undefined);
  });

  it("accepts every event type, with actor and number on actor.* events", () => {
    for (const type of CALL_EVENT_TYPES) {
      const extra = type.startsWith("actor.") ? { actor: "agent@example.com", number: "1001" } : {};
      const event = parseCallEvent(validEvent({ type, ...extra }));
      assert.equal(event.type, type);
      if (type.startsWith("actor.")) {
        assert.equal(event.actor, "agent@example.com");
        assert.equal(event.number, "1001");
      }
    }
  });

  it("rejects an unknown type, naming the allowed ones", () => {
    rejects(
      validEvent({ type: "call.exploded" }),
      /^type must be one of call\.new, .*call\.finished \(got "call\.exploded"\)$/,
    );
    rejects(validEvent({ type: undefined }), /type must be one of .* \(got nothing\)/);
    rejects(validEvent({ type: 7 }), /type must be one of .* \(got 7\)/);
  });

  it("rejects a direction other than inbound or outbound", () => {
    rejects(validEvent({ direction: "sideways" }), /direction must be one of inbound, outbound/);
    assert.equal(parseCallEvent(validEvent({ direction: "outbound" })).direction, "outbound");
  });

  for (const field of STRING_FIELDS) {
    it(`requires ${field} as a non-empty, bounded string without control characters`, () => {
      rejects(validEvent({ [field]: undefined }), new RegExp(`^${field} is required$`));
      rejects(validEvent({ [field]: null }), new RegExp(`^${field} is required$`));
      rejects(validEvent({ [field]: 42 }), new RegExp(`^${field} must be a string \\(got number\\)$`));
      rejects(validEvent({ [field]: "" }), new RegExp(`^${field} must not be empty$`));
      const max = MAX_LENGTH[field];
      rejects(
        validEvent({ [field]: "9".repeat(max + 1) }),
        new RegExp(`^${field} must be at most ${max} characters`),
      );
      if (field !== "timestamp") {
        assert.equal(parseCallEvent(validEvent({ [field]: "9".repeat(max) }))[field], "9".repeat(max));
        rejects(
          validEvent({ [field]: "12\n34" }),
          new RegExp(`^${field} must not contain control characters$`),
        );
      }
    });
  }

  it("requires actor and number on actor.entered and actor.left, with their own bounds", () => {
    for (const type of ["actor.entered", "actor.left"]) {
      rejects(validEvent({ type, number: "1001" }), /^actor is required \(required on actor\.\* events\)$/);
      rejects(validEvent({ type, actor: "agent" }), /^number is required \(required on actor\.\* events\)$/);
      rejects(
        validEvent({ type, actor: "a".repeat(MAX_LENGTH.actor + 1), number: "1" }),
        /^actor must be at most 128/,
      );
      rejects(
        validEvent({ type, actor: "agent", number: "1".repeat(MAX_LENGTH.number + 1) }),
        /^number must be at most 32/,
      );
      rejects(validEvent({ type, actor: "agent", number: 1001 }), /^number must be a string/);
    }
  });

  it("keeps a valid actor on other events but still checks it", () => {
    assert.equal(parseCallEvent(validEvent({ actor: "agent", number: "1" })).actor, "agent");
    rejects(validEvent({ actor: 5 }), /^actor must be a string/);
  });

  it("requires an ISO 8601 date-time with a zone as timestamp", () => {
    for (const bad of [
      "yesterday",
      "2017-01-01",
      "2017-01-01 00:00:00",
      "2017-01-01T00:00:00",
      "2017-1-01T00:00:00Z",
      "2017-01-01T00:00:00+0300",
    ]) {
      rejects(validEvent({ timestamp: bad }), /^timestamp must be an ISO 8601 date-time/);
    }
    const event = parseCallEvent(validEvent({ timestamp: "2017-01-01T00:00:00.250-03:00" }));
    assert.equal(event.timestamp.toISOString(), "2017-01-01T03:00:00.250Z");
  });

  it("rejects impossible dates and times instead of rolling them over (2017-02-30 is not 2017-03-02)", () => {
    const cases: [string, RegExp][] = [
      ["2017-02-30T00:00:00Z", /day 30 does not exist in February 2017 \(28 days\)/],
      ["2017-02-29T00:00:00Z", /day 29 does not exist in February 2017/],
      ["1900-02-29T00:00:00Z", /day 29 does not exist in February 1900/], // divisible by 100: no leap day
      ["2017-04-31T12:00:00Z", /day 31 does not exist in April 2017 \(30 days\)/],
      ["2017-01-00T00:00:00Z", /day 0 does not exist/],
      ["2017-00-10T00:00:00Z", /month 0 does not exist/],
      ["2017-13-01T00:00:00Z", /month 13 does not exist/],
      ["2017-01-01T24:00:00Z", /hour 24 does not exist/],
      ["2017-01-01T00:60:00Z", /minute 60 does not exist/],
      ["2017-01-01T00:00:60Z", /second 60 does not exist/],
      ["2017-01-01T00:00:00+24:00", /zone offset/],
      ["2017-01-01T00:00:00-03:60", /zone offset/],
    ];
    for (const [timestamp, reason] of cases) {
      rejects(validEvent({ timestamp }), /^timestamp is not a real date-time: /);
      rejects(validEvent({ timestamp }), reason);
    }
  });

  it("accepts the real edges of the calendar: leap days, month ends, 23:59:59, extreme offsets", () => {
    const cases: [string, string][] = [
      ["2016-02-29T00:00:00Z", "2016-02-29T00:00:00.000Z"],
      ["2000-02-29T12:00:00Z", "2000-02-29T12:00:00.000Z"], // divisible by 400: a leap year
      ["2017-12-31T23:59:59.999Z", "2017-12-31T23:59:59.999Z"],
      ["2017-04-30T00:00:00Z", "2017-04-30T00:00:00.000Z"],
      ["2017-01-01T00:00:00+14:00", "2016-12-31T10:00:00.000Z"],
      ["2017-01-01T00:00:00-12:00", "2017-01-01T12:00:00.000Z"],
    ];
    for (const [timestamp, utc] of cases) {
      assert.equal(parseCallEvent(validEvent({ timestamp })).timestamp.toISOString(), utc, timestamp);
    }
  });

  it("rejects bodies that are not JSON objects", () => {
    for (const body of [null, [], "call.new", 42, true]) rejects(body, /^body must be a JSON object$/);
  });

  it("ignores fields it does not know (a provider adding one must not lose events)", () => {
    const event = parseCallEvent(
      validEvent({ recording_url: "http://example/r.mp3", extra: { nested: true } }),
    );
    assert.equal("recording_url" in event, false);
    assert.equal("extra" in event, false);
  });
});
