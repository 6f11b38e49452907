import type { Migration } from "../../../lib/mysql/migrations";

/**
 * The schema, as ordered migrations. A migration, once released, is never edited: a change is a
 * new entry with the next version. Each runs once, at start-up, before the service takes traffic.
 */

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "create todos",
    statements: [
      `CREATE TABLE todos (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        title VARCHAR(200) NOT NULL,
        done BOOLEAN NOT NULL DEFAULT FALSE,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    ],
  },
];
