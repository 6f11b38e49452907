import type { Pool, PoolConnection, RowDataPacket } from "mysql2/promise";
import type { Migration } from "./migrations";

/** Held while migrating, so instances starting together apply each migration exactly once. */
const LOCK_NAME = "todo_schema_migrations";
const LOCK_TIMEOUT_SECONDS = 60;

/**
 * Applies, in order, every migration not yet recorded in `schema_migrations`, and returns the
 * versions it applied. MySQL commits DDL implicitly, so each migration is recorded right after
 * its statements succeed; a crash in between leaves it to be re-run, hence the statements of a
 * single migration should be few (one, ideally).
 */
export async function migrate(pool: Pool, list: readonly Migration[]): Promise<number[]> {
  checkOrder(list);
  const connection = await pool.getConnection();
  try {
    await connection.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version INT UNSIGNED NOT NULL PRIMARY KEY,
        name VARCHAR(200) NOT NULL,
        applied_at DATETIME(3) NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    );
    await acquireLock(connection);
    try {
      const [rows] = await connection.query<RowDataPacket[]>("SELECT version FROM schema_migrations");
      const applied = new Set(rows.map((row) => Number(row.version)));
      const newlyApplied: number[] = [];
      for (const migration of list) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.statements) await connection.query(statement);
        await connection.query(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, UTC_TIMESTAMP(3))",
          [migration.version, migration.name],
        );
        newlyApplied.push(migration.version);
      }
      return newlyApplied;
    } finally {
      await connection.query("SELECT RELEASE_LOCK(?)", [LOCK_NAME]);
    }
  } finally {
    connection.release();
  }
}

async function acquireLock(connection: PoolConnection): Promise<void> {
  const [rows] = await connection.query<RowDataPacket[]>("SELECT GET_LOCK(?, ?) AS acquired", [
    LOCK_NAME,
    LOCK_TIMEOUT_SECONDS,
  ]);
  if (Number(rows[0]?.acquired) !== 1) {
    throw new Error(`migrations: could not take the lock ${LOCK_NAME} within ${LOCK_TIMEOUT_SECONDS} s`);
  }
}

function checkOrder(list: readonly Migration[]): void {
  list.forEach((migration, i) => {
    if (migration.version !== i + 1) {
      throw new Error(`migrations: entry ${i} has version ${migration.version}, expected ${i + 1}`);
    }
  });
}
