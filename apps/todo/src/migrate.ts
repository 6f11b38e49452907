import type { Pool } from "mysql2/promise";
import { applyMigrations, type Migration } from "../../../lib/mysql/migrations";

/**
 * Applies, in order, every migration not yet recorded in `schema_migrations`, and returns the
 * versions it applied; instances starting together apply each migration exactly once.
 */
export function migrate(pool: Pool, list: readonly Migration[]): Promise<number[]> {
  return applyMigrations(pool, list, { lockName: "todo_schema_migrations" });
}
