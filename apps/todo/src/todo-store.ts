import type { Pool, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import type { NewTodo, TodoChanges } from "./validation";

/** A task as the API shows it. */
export interface Todo {
  id: number;
  title: string;
  done: boolean;
  createdAt: string;
  updatedAt: string;
}

interface TodoRow extends RowDataPacket {
  id: number;
  title: string;
  done: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = "id, title, done, created_at, updated_at";

function toTodo(row: TodoRow): Todo {
  return {
    id: Number(row.id),
    title: row.title,
    done: row.done === 1,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The tasks table. Every query is parameterised; timestamps come from the database clock, in UTC. */
export class TodoStore {
  constructor(
    private readonly pool: Pool,
    private readonly queryTimeoutMs: number,
  ) {}

  private query<T extends RowDataPacket[] | ResultSetHeader>(sql: string, values: unknown[] = []) {
    return this.pool.query<T>({ sql, values, timeout: this.queryTimeoutMs });
  }

  async list(): Promise<Todo[]> {
    const [rows] = await this.query<TodoRow[]>(`SELECT ${COLUMNS} FROM todos ORDER BY id`);
    return rows.map(toTodo);
  }

  async get(id: number): Promise<Todo | undefined> {
    const [rows] = await this.query<TodoRow[]>(`SELECT ${COLUMNS} FROM todos WHERE id = ?`, [id]);
    return rows[0] ? toTodo(rows[0]) : undefined;
  }

  async create(todo: NewTodo): Promise<Todo> {
    const [result] = await this.query<ResultSetHeader>(
      "INSERT INTO todos (title, done, created_at, updated_at) VALUES (?, FALSE, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))",
      [todo.title],
    );
    const created = await this.get(result.insertId);
    if (!created) throw new Error(`todo ${result.insertId} vanished right after its insert`);
    return created;
  }

  /** Applies the changes and returns the task as stored, or undefined when there is no such task. */
  async update(id: number, changes: TodoChanges): Promise<Todo | undefined> {
    const assignments: string[] = ["updated_at = UTC_TIMESTAMP(3)"];
    const values: (string | boolean | number)[] = [];
    if (changes.title !== undefined) {
      assignments.push("title = ?");
      values.push(changes.title);
    }
    if (changes.done !== undefined) {
      assignments.push("done = ?");
      values.push(changes.done);
    }
    const [result] = await this.query<ResultSetHeader>(
      `UPDATE todos SET ${assignments.join(", ")} WHERE id = ?`,
      [...values, id],
    );
    if (result.affectedRows === 0) return undefined;
    return this.get(id);
  }

  /** True when the task existed. */
  async delete(id: number): Promise<boolean> {
    const [result] = await this.query<ResultSetHeader>("DELETE FROM todos WHERE id = ?", [id]);
    return result.affectedRows > 0;
  }

  async count(): Promise<number> {
    const [rows] = await this.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM todos");
    return Number(rows[0]?.n ?? 0);
  }
}
