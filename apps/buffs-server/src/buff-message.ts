import {
  BUFF_ID_HEADER,
  BUFF_ID_PATTERN,
  type BuffMessage,
  type Validated,
  validateBuff,
} from "../../buffs-dashboard/src/buff";

/**
 * Reads one queue message into a Buff with its idempotency id, or says why it is poison.
 * The id comes from the `buff-id` header, else the body's `id`; a legacy producer that stamps
 * neither still gets idempotent storage from the broker's `message-id`, which a redelivery keeps.
 */
export function decodeBuffMessage(body: string, headers: Record<string, string>): Validated<BuffMessage> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message.slice(0, 200)}` };
  }
  const buff = validateBuff(parsed);
  if (!buff.ok) return buff;
  const bodyId = (parsed as { id?: unknown }).id;
  if (bodyId !== undefined && typeof bodyId !== "string") return { ok: false, reason: "id must be a string" };
  const id = headers[BUFF_ID_HEADER] ?? bodyId ?? headers["message-id"];
  if (id === undefined) return { ok: false, reason: "message has no buff-id header, id field or message-id" };
  if (!BUFF_ID_PATTERN.test(id))
    return { ok: false, reason: "buff id must be 1-191 printable ASCII characters" };
  return { ok: true, value: { id, ...buff.value } };
}
