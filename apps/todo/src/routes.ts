import { HttpError, type Service } from "../../../lib/service-kit";
import { isDatabaseUnavailable } from "./database";
import { pageHeaders, pageHtml } from "./page";
import type { TodoStore } from "./todo-store";
import { parseNewTodo, parseTodoChanges, parseTodoId } from "./validation";

/** Seconds a client is asked to wait before retrying while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * `deadlineMs` bounds each request's wait for the database, including the wait for a pooled
 * connection (mysql2's query timeout only starts once a connection is held), so a hung database
 * cannot pile requests up. A write that hits the deadline may still complete later: the client
 * got a 503, never a success, so nothing acknowledged is lost.
 */
export function registerTodoRoutes(service: Service, store: TodoStore, deadlineMs: number): void {
  const { app, metrics } = service;
  const changes = metrics.counter({
    name: "todo_task_changes_total",
    help: "Tasks created, completed, reopened, renamed and deleted.",
    labelNames: ["change"],
  });
  const databaseErrors = metrics.counter({
    name: "todo_database_errors_total",
    help: "Failed database calls: unavailable (answered 503) or other (answered 500).",
    labelNames: ["kind"],
  });

  /** Runs a database call; an unreachable database becomes 503 with Retry-After, never a crash. */
  async function database<T>(call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            Object.assign(new Error(`no answer from the database within ${deadlineMs} ms`), {
              code: "ETIMEDOUT",
            }),
          ),
        deadlineMs,
      );
    });
    try {
      return await Promise.race([call(), deadline]);
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        databaseErrors.inc({ kind: "unavailable" });
        service.log.warn({ err: error }, "database unavailable");
        throw new HttpError(503, "the database is unavailable; try again shortly", {
          "retry-after": String(RETRY_AFTER_SECONDS),
        });
      }
      databaseErrors.inc({ kind: "other" });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  const notFound = (id: number) => new HttpError(404, `no task with id ${id}`);

  app.get("/", async (_request, reply) => reply.headers(pageHeaders).send(pageHtml));

  app.get("/todos", async () => database(() => store.list()));

  app.post("/todos", async (request, reply) => {
    const todo = parseNewTodo(request.body);
    const created = await database(() => store.create(todo));
    changes.inc({ change: "created" });
    return reply.code(201).header("location", `todos/${created.id}`).send(created);
  });

  app.get<{ Params: { id: string } }>("/todos/:id", async (request) => {
    const id = parseTodoId(request.params.id);
    const todo = await database(() => store.get(id));
    if (!todo) throw notFound(id);
    return todo;
  });

  app.patch<{ Params: { id: string } }>("/todos/:id", async (request) => {
    const id = parseTodoId(request.params.id);
    const update = parseTodoChanges(request.body);
    const updated = await database(() => store.update(id, update));
    if (!updated) throw notFound(id);
    if (update.done !== undefined) changes.inc({ change: update.done ? "completed" : "reopened" });
    if (update.title !== undefined) changes.inc({ change: "renamed" });
    return updated;
  });

  app.delete<{ Params: { id: string } }>("/todos/:id", async (request, reply) => {
    const id = parseTodoId(request.params.id);
    const existed = await database(() => store.delete(id));
    if (!existed) throw notFound(id);
    changes.inc({ change: "deleted" });
    return reply.code(204).send();
  });
}
