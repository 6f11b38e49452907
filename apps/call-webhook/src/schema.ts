import type { Pool } from "mysql2/promise";
import { CALL_EVENT_TYPES, DIRECTIONS, MAX_LENGTH } from "./call-event";

/**
 * Versioned schema of the call-webhook database, applied in order at start. A migration, once
 * released, is never edited: a change is a new entry at the end.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

const typeEnum = `ENUM(${CALL_EVENT_TYPES.map((t) => `'${t}'`).join(",")})`;
const directionEnum = `ENUM(${DIRECTIONS.map((d) => `'${d}'`).join(",")})`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "call events and their 10-second counts",
    statements: [
      `CREATE TABLE call_events (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        call_id VARCHAR(${MAX_LENGTH.call_id}) NOT NULL,
        code VARCHAR(${MAX_LENGTH.code}) NOT NULL,
        type ${typeEnum} NOT NULL,
        direction ${directionEnum} NOT NULL,
        our_number VARCHAR(${MAX_LENGTH.our_number}) NOT NULL,
        their_number VARCHAR(${MAX_LENGTH.their_number}) NOT NULL,
        actor VARCHAR(${MAX_LENGTH.actor}) NULL,
        number VARCHAR(${MAX_LENGTH.number}) NULL,
        event_time DATETIME(3) NOT NULL COMMENT 'the provider''s timestamp, UTC',
        received_at DATETIME(3) NOT NULL COMMENT 'when the webhook received the event, UTC',
        PRIMARY KEY (id),
        KEY call_events_by_call (call_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
      `CREATE TABLE event_counts (
        bucket_start_epoch INT UNSIGNED NOT NULL COMMENT 'start of a 10-second bucket of received time, epoch seconds',
        type ${typeEnum} NOT NULL,
        events BIGINT UNSIGNED NOT NULL,
        PRIMARY KEY (bucket_start_epoch, type)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    ],
  },
];

/**
 * Applies the migrations not yet recorded in `schema_migrations`. A named lock makes replicas that
 * start together apply each migration once.
 */
export async function migrate(pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const conn = await pool.getConnection();
  try {
    const [lock] = await conn.query<import("mysql2").RowDataPacket[]>(
      "SELECT GET_LOCK('call_webhook_migrations', 30) AS locked",
    );
    if (lock[0]?.locked !== 1) throw new Error("could not take the migration lock within 30 s");
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INT UNSIGNED NOT NULL PRIMARY KEY,
        name VARCHAR(200) NOT NULL,
        applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
      const [rows] = await conn.query<import("mysql2").RowDataPacket[]>(
        "SELECT version FROM schema_migrations",
      );
      const applied = new Set(rows.map((r) => Number(r.version)));
      const done: number[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.statements) await conn.query(statement);
        await conn.query("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [
          migration.version,
          migration.name,
        ]);
        done.push(migration.version);
      }
      return done;
    } finally {
      await conn.query("SELECT RELEASE_LOCK('call_webhook_migrations')");
    }
  } finally {
    conn.release();
  }
}
