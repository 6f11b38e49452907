import { HttpError } from "../../../lib/service-kit";

export const TITLE_MAX_LENGTH = 200;

export interface NewTodo {
  title: string;
}

export interface TodoChanges {
  title?: string;
  done?: boolean;
}

/** A task id from the path: a positive integer in decimal, no sign, no leading zeros. */
export function parseTodoId(raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new HttpError(400, `id must be a positive integer (got ${JSON.stringify(raw.slice(0, 40))})`);
  }
  return Number(raw);
}

export function parseNewTodo(body: unknown): NewTodo {
  const fields = objectWithOnly(body, ["title"]);
  if (!("title" in fields)) throw new HttpError(400, "title is required");
  return { title: parseTitle(fields.title) };
}

export function parseTodoChanges(body: unknown): TodoChanges {
  const fields = objectWithOnly(body, ["title", "done"]);
  const changes: TodoChanges = {};
  if ("title" in fields) changes.title = parseTitle(fields.title);
  if ("done" in fields) {
    if (typeof fields.done !== "boolean") throw new HttpError(400, "done must be true or false");
    changes.done = fields.done;
  }
  if (changes.title === undefined && changes.done === undefined) {
    throw new HttpError(400, "nothing to change: send title and/or done");
  }
  return changes;
}

/** A title is trimmed, then must hold 1 to 200 characters (Unicode code points, as MySQL counts them). */
function parseTitle(value: unknown): string {
  if (typeof value !== "string") throw new HttpError(400, "title must be a string");
  const title = value.trim();
  if (title.length === 0) throw new HttpError(400, "title must not be empty");
  const length = [...title].length;
  if (length > TITLE_MAX_LENGTH) {
    throw new HttpError(400, `title must be at most ${TITLE_MAX_LENGTH} characters (got ${length})`);
  }
  return title;
}

function objectWithOnly(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "the body must be a JSON object");
  }
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new HttpError(
      400,
      `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; allowed: ${allowed.join(", ")}`,
    );
  }
  return body as Record<string, unknown>;
}
