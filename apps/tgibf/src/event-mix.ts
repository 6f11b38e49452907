/**
 * The events TGIBF posts. Like the original, the type of each event is drawn at random from a fixed
 * mix: 12 call.new, 8 call.standby, 8 call.ongoing and 12 call.finished out of 40. Every event
 * gets a unique `call_id`, so the set of events a webhook acknowledged can be compared with the set
 * it stored.
 */

export const EVENT_MIX = [
  { type: "call.new", weight: 12 },
  { type: "call.standby", weight: 8 },
  { type: "call.ongoing", weight: 8 },
  { type: "call.finished", weight: 12 },
] as const;

export type MixedEventType = (typeof EVENT_MIX)[number]["type"];

export const MIX_TOTAL = EVENT_MIX.reduce((sum, entry) => sum + entry.weight, 0);

/** A random number in [0, 1), like Math.random; injectable so tests are deterministic. */
export type Random = () => number;

/** Draws a type with the mix's weights: `random()` in [0, 12/40) is call.new, and so on. */
export function drawEventType(random: Random): MixedEventType {
  let ticket = Math.floor(random() * MIX_TOTAL);
  for (const entry of EVENT_MIX) {
    if (ticket < entry.weight) return entry.type;
    ticket -= entry.weight;
  }
  return EVENT_MIX[EVENT_MIX.length - 1]!.type;
}

export interface GeneratedEvent {
  call_id: string;
  code: string;
  type: MixedEventType;
  direction: "inbound";
  our_number: string;
  their_number: string;
  timestamp: string;
}

/** Makes unique call ids: `<epoch seconds at start>.<4 random digits><sequence>`, e.g. 1763720000.48210000042. */
export class EventFactory {
  private sequence = 0;
  private readonly prefix: string;

  constructor(
    private readonly random: Random = Math.random,
    startedAt: number = Date.now(),
  ) {
    const salt = String(Math.floor(random() * 10_000)).padStart(4, "0");
    this.prefix = `${Math.floor(startedAt / 1000)}.${salt}`;
  }

  next(): GeneratedEvent {
    this.sequence += 1;
    return {
      call_id: `${this.prefix}${String(this.sequence).padStart(7, "0")}`,
      code: "123456",
      type: drawEventType(this.random),
      direction: "inbound",
      our_number: "0800000000",
      their_number: "11999990000",
      // The original sends a static timestamp; the webhook counts by the time it received the event.
      timestamp: "2017-01-01T00:00:00Z",
    };
  }
}
