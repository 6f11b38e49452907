import type { Pool, PoolConnection, RowDataPacket } from "mysql2/promise";

/**
 * One schema step. Once released it is never edited: a change is a new entry with the next
 * version. MySQL commits DDL implicitly, so a migration is recorded only after all its statements
 * ran; a crash in between leaves it to run again, hence few statements per migration (one, ideally)
 * or statements that can be re-run (IF NOT EXISTS).
 */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export interface MigrationOptions {
  /** The GET_LOCK name. Locks are server-wide, so each service (database) has its own. */
  lockName: string;
  /** The `schema_migrations` column holding each migration's name; buffs-server's calls it `description`. */
  nameColumn?: "name" | "description";
}

const LOCK_TIMEOUT_SECONDS = 60;

/**
 * Applies, in order, every migration not yet recorded in `schema_migrations`, and returns the
 * versions it applied. The named lock makes replicas starting together apply each migration once.
 */
export async function applyMigrations(
  pool: Pool,
  migrations: readonly Migration[],
  { lockName, nameColumn = "name" }: MigrationOptions,
): Promise<number[]> {
  checkOrder(migrations);
  const connection = await pool.getConnection();
  try {
    await acquireLock(connection, lockName);
    try {
      await connection.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
          version INT UNSIGNED NOT NULL PRIMARY KEY,
          ${nameColumn} VARCHAR(255) NOT NULL,
          applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
      );
      const [rows] = await connection.query<RowDataPacket[]>("SELECT version FROM schema_migrations");
      const applied = new Set(rows.map((row) => Number(row.version)));
      const newlyApplied: number[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.statements) await connection.query(statement);
        await connection.query(
          `INSERT INTO schema_migrations (version, ${nameColumn}, applied_at) VALUES (?, ?, UTC_TIMESTAMP(3))`,
          [migration.version, migration.name],
        );
        newlyApplied.push(migration.version);
      }
      return newlyApplied;
    } finally {
      await connection.query("SELECT RELEASE_LOCK(?)", [lockName]);
    }
  } finally {
    connection.release();
  }
}

async function acquireLock(connection: PoolConnection, lockName: string): Promise<void> {
  const [rows] = await connection.query<RowDataPacket[]>("SELECT GET_LOCK(?, ?) AS acquired", [
    lockName,
    LOCK_TIMEOUT_SECONDS,
  ]);
  if (Number(rows[0]?.acquired) !== 1) {
    throw new Error(`migrations: could not take the lock ${lockName} within ${LOCK_TIMEOUT_SECONDS} s`);
  }
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1) {
      throw new Error(`migrations: entry ${i} has version ${migration.version}, expected ${i + 1}`);
    }
  });
}
