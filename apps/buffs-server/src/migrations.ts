import type { Pool, RowDataPacket } from "mysql2/promise";

/**
 * The schema, as numbered steps applied once each at start. Step 1 is the table the original's
 * GORM AutoMigrate created (so an existing database is adopted as is); step 2 adds the idempotency
 * key. Never edit a step that has shipped: add a new one.
 */
export const MIGRATIONS: readonly { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: "buffs table with the GORM model columns",
    sql: `CREATE TABLE IF NOT EXISTS buffs (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      created_at DATETIME(3) NULL,
      updated_at DATETIME(3) NULL,
      deleted_at DATETIME(3) NULL,
      question LONGTEXT,
      answers JSON,
      PRIMARY KEY (id),
      KEY idx_buffs_deleted_at (deleted_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
  },
  {
    version: 2,
    description: "buff_id: the id the dashboard stamps, unique so a redelivered message stores nothing new",
    sql: `ALTER TABLE buffs
      ADD COLUMN IF NOT EXISTS buff_id VARCHAR(191) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER id,
      ADD UNIQUE KEY IF NOT EXISTS uq_buffs_buff_id (buff_id)`,
  },
];

const LOCK_NAME = "buffs_server_migrations";

/** Applies the pending steps. A named lock keeps two replicas starting at once from racing. */
export async function runMigrations(pool: Pool): Promise<number[]> {
  const connection = await pool.getConnection();
  try {
    const [lock] = await connection.query<RowDataPacket[]>("SELECT GET_LOCK(?, 60) AS acquired", [LOCK_NAME]);
    if (lock[0]?.acquired !== 1) throw new Error("could not take the migration lock within 60 s");
    try {
      await connection.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INT UNSIGNED NOT NULL PRIMARY KEY,
        description VARCHAR(255) NOT NULL,
        applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
      const [rows] = await connection.query<RowDataPacket[]>("SELECT version FROM schema_migrations");
      const applied = new Set(rows.map((row) => Number(row.version)));
      const ran: number[] = [];
      for (const step of MIGRATIONS) {
        if (applied.has(step.version)) continue;
        // MySQL commits DDL implicitly, so each step is made re-runnable (IF NOT EXISTS) instead.
        await connection.query(step.sql);
        await connection.query("INSERT INTO schema_migrations (version, description) VALUES (?, ?)", [
          step.version,
          step.description,
        ]);
        ran.push(step.version);
      }
      return ran;
    } finally {
      await connection.query("SELECT RELEASE_LOCK(?)", [LOCK_NAME]);
    }
  } finally {
    connection.release();
  }
}
