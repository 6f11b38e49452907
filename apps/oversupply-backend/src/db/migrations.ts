import type { Pool } from "mysql2/promise";
import { applyMigrations, type Migration } from "../../../../lib/mysql/migrations";
import { INITIAL_WEIGHTS } from "../../../oversupply-protocol/src/weights";

const TABLE_OPTIONS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

/** The backend's schema, in order. Never edit an applied migration: append a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "registrations, outbox, recommendations, outcomes, weights",
    statements: [
      `CREATE TABLE registrations (
        id CHAR(36) NOT NULL PRIMARY KEY,
        partner VARCHAR(200) NOT NULL,
        category VARCHAR(32) NOT NULL,
        item VARCHAR(200) NOT NULL,
        quantity DOUBLE NOT NULL,
        unit VARCHAR(16) NOT NULL,
        lat DOUBLE NOT NULL,
        lon DOUBLE NOT NULL,
        best_before DATE NOT NULL,
        request_id VARCHAR(128) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ${TABLE_OPTIONS}`,
      // Transactional outbox: written with the registration, published by the relay.
      `CREATE TABLE outbox (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        destination VARCHAR(200) NOT NULL,
        body TEXT NOT NULL,
        request_id VARCHAR(128) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        published_at DATETIME(3) NULL,
        attempts INT UNSIGNED NOT NULL DEFAULT 0,
        KEY outbox_by_state (published_at, id)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE recommendations (
        registration_id CHAR(36) NOT NULL PRIMARY KEY,
        partner_id VARCHAR(64) NULL,
        score DOUBLE NOT NULL,
        weights_version INT UNSIGNED NOT NULL,
        body TEXT NOT NULL,
        received_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        CONSTRAINT recommendation_registration FOREIGN KEY (registration_id) REFERENCES registrations (id)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE outcomes (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        registration_id CHAR(36) NOT NULL UNIQUE,
        outcome ENUM('accepted', 'rejected') NOT NULL,
        recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        CONSTRAINT outcome_recommendation FOREIGN KEY (registration_id) REFERENCES recommendations (registration_id)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE weights_versions (
        version INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        weights TEXT NOT NULL,
        outcomes_through BIGINT UNSIGNED NOT NULL DEFAULT 0,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ${TABLE_OPTIONS}`,
      `INSERT INTO weights_versions (version, weights, outcomes_through) VALUES (1, '${JSON.stringify(INITIAL_WEIGHTS)}', 0)`,
    ],
  },
  {
    version: 2,
    name: "idempotency keys for registrations",
    statements: [
      "ALTER TABLE registrations ADD COLUMN idempotency_key VARCHAR(128) NULL, ADD UNIQUE KEY registration_idempotency (idempotency_key)",
    ],
  },
];

/**
 * Applies pending migrations. A named lock serialises replicas starting at once; each migration's
 * version is recorded in `schema_migrations` so it runs exactly once.
 */
export function migrate(pool: Pool): Promise<number[]> {
  return applyMigrations(pool, MIGRATIONS, { lockName: "oversupply_backend_migrations" });
}
