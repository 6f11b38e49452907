/**
 * The Buff contract shared by the dashboard (which validates what clients post) and the server
 * (which validates what it consumes, so a malformed message is dead-lettered, never stored).
 */

/** A question with its answer choices, as clients post it. */
export interface Buff {
  question: string;
  answers: string[];
}

/** A Buff on the queue: stamped by the dashboard with an id that makes storage idempotent. */
export interface BuffMessage extends Buff {
  id: string;
}

export const BUFF_LIMITS = {
  questionMaxLength: 500,
  answersMin: 2,
  answersMax: 10,
  answerMaxLength: 200,
} as const;

/** Ids are printable ASCII without spaces, short enough for a unique index. */
export const BUFF_ID_PATTERN = /^[\x21-\x7e]{1,191}$/;

/** The header that carries a Buff's id on the queue (the same id is in the body as `id`). */
export const BUFF_ID_HEADER = "buff-id";

export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * Checks a posted body field by field and returns the Buff with only its known fields (unknown
 * fields are dropped, as the original's JSON decoding ignored them). The reason names the field.
 */
export function validateBuff(input: unknown): Validated<Buff> {
  if (!isPlainObject(input))
    return { ok: false, reason: `body must be a JSON object (got ${describe(input)})` };
  const { question, answers } = input;
  if (question === undefined) return { ok: false, reason: "question is required" };
  if (typeof question !== "string")
    return { ok: false, reason: `question must be a string (got ${describe(question)})` };
  if (question.trim() === "") return { ok: false, reason: "question must not be empty" };
  if (question.length > BUFF_LIMITS.questionMaxLength)
    return { ok: false, reason: `question must be at most ${BUFF_LIMITS.questionMaxLength} characters` };
  if (answers === undefined) return { ok: false, reason: "answers is required" };
  if (!Array.isArray(answers))
    return { ok: false, reason: `answers must be an array of strings (got ${describe(answers)})` };
  if (answers.length < BUFF_LIMITS.answersMin || answers.length > BUFF_LIMITS.answersMax)
    return {
      ok: false,
      reason: `answers must have ${BUFF_LIMITS.answersMin} to ${BUFF_LIMITS.answersMax} items (got ${answers.length})`,
    };
  const seen = new Set<string>();
  for (const [i, answer] of answers.entries()) {
    if (typeof answer !== "string")
      return { ok: false, reason: `answers[${i}] must be a string (got ${describe(answer)})` };
    if (answer.trim() === "") return { ok: false, reason: `answers[${i}] must not be empty` };
    if (answer.length > BUFF_LIMITS.answerMaxLength)
      return { ok: false, reason: `answers[${i}] must be at most ${BUFF_LIMITS.answerMaxLength} characters` };
    if (seen.has(answer)) return { ok: false, reason: `answers[${i}] repeats an earlier answer` };
    seen.add(answer);
  }
  return { ok: true, value: { question, answers: [...answers] as string[] } };
}

/** The queue body of a Buff: its JSON with the id the dashboard stamped. */
export function encodeBuffMessage(message: BuffMessage): string {
  return JSON.stringify({ id: message.id, question: message.question, answers: message.answers });
}
