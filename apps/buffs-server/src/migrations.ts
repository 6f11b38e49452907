import type { Pool } from "mysql2/promise";
import { applyMigrations, type Migration } from "../../../lib/mysql/migrations";

/**
 * The schema, as numbered steps applied once each at start. Step 1 is the table the original's
 * GORM AutoMigrate created (so an existing database is adopted as is); step 2 adds the idempotency
 * key. Never edit a step that has shipped: add a new one. Each step is re-runnable (IF NOT EXISTS).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "buffs table with the GORM model columns",
    statements: [
      `CREATE TABLE IF NOT EXISTS buffs (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      created_at DATETIME(3) NULL,
      updated_at DATETIME(3) NULL,
      deleted_at DATETIME(3) NULL,
      question LONGTEXT,
      answers JSON,
      PRIMARY KEY (id),
      KEY idx_buffs_deleted_at (deleted_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    ],
  },
  {
    version: 2,
    name: "buff_id: the id the dashboard stamps, unique so a redelivered message stores nothing new",
    statements: [
      `ALTER TABLE buffs
      ADD COLUMN IF NOT EXISTS buff_id VARCHAR(191) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER id,
      ADD UNIQUE KEY IF NOT EXISTS uq_buffs_buff_id (buff_id)`,
    ],
  },
];

/** Applies the pending steps. A named lock keeps two replicas starting at once from racing. */
export function runMigrations(pool: Pool): Promise<number[]> {
  // This service's schema_migrations predates the shared runner and names the column `description`.
  return applyMigrations(pool, MIGRATIONS, {
    lockName: "buffs_server_migrations",
    nameColumn: "description",
  });
}
