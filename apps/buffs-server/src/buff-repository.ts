import { createPool, type Pool, type ResultSetHeader, type RowDataPacket } from "mysql2/promise";
import { type MysqlTls, mysqlSslPoolOption } from "../../../lib/mysql/tls";
import type { BuffMessage } from "../../buffs-dashboard/src/buff";

/** A stored Buff as `GET /buffs` answers it: the GORM model fields, then the Buff's own. */
export interface StoredBuff {
  ID: number;
  CreatedAt: string;
  UpdatedAt: string;
  DeletedAt: string | null;
  buffId: string | null;
  question: string;
  answers: string[];
}

export type InsertOutcome = "stored" | "duplicate";

export interface BuffRepository {
  /** Stores a Buff once: a second insert with the same id changes nothing and says "duplicate". */
  insert(buff: BuffMessage): Promise<InsertOutcome>;
  /** Every Buff not soft-deleted, oldest first. */
  list(): Promise<StoredBuff[]>;
  ping(): Promise<void>;
}

export interface DbConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** Verified TLS (`DBTLSMODE`, `DBTLSCA`); absent when disabled. */
  tls?: MysqlTls;
}

export function createDbPool(config: DbConfig): Pool {
  return createPool({
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password: config.password,
    ...mysqlSslPoolOption(config.tls),
    connectionLimit: 10,
    connectTimeout: 3000,
    enableKeepAlive: true,
    timezone: "Z",
    charset: "utf8mb4_unicode_ci",
    // Affected rows must count changed rows, not found ones, so a duplicate insert reports 0.
    flags: ["-FOUND_ROWS"],
  });
}

function parseAnswers(value: unknown): string[] {
  const parsed = typeof value === "string" ? safeJson(value) : value;
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

export class MysqlBuffRepository implements BuffRepository {
  constructor(private readonly pool: Pool) {}

  async insert(buff: BuffMessage): Promise<InsertOutcome> {
    // ON DUPLICATE KEY with a no-op update, not INSERT IGNORE: only a repeated buff_id is
    // tolerated; any other problem with the row still fails loudly.
    const [result] = await this.pool.execute<ResultSetHeader>(
      `INSERT INTO buffs (buff_id, created_at, updated_at, question, answers)
       VALUES (?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), ?, ?)
       ON DUPLICATE KEY UPDATE buff_id = buff_id`,
      [buff.id, buff.question, JSON.stringify(buff.answers)],
    );
    return result.affectedRows === 1 ? "stored" : "duplicate";
  }

  async list(): Promise<StoredBuff[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, buff_id, created_at, updated_at, deleted_at, question, answers
       FROM buffs WHERE deleted_at IS NULL ORDER BY id`,
    );
    return rows.map((row) => ({
      ID: Number(row.id),
      CreatedAt: iso(row.created_at),
      UpdatedAt: iso(row.updated_at),
      DeletedAt: row.deleted_at === null ? null : iso(row.deleted_at),
      buffId: row.buff_id ?? null,
      question: String(row.question ?? ""),
      answers: parseAnswers(row.answers),
    }));
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }
}

/** Codes of MySQL errors that say the row itself can never be stored (SQLSTATE class 22: data exception). */
function isDataError(error: { sqlState?: string }): boolean {
  return typeof error.sqlState === "string" && error.sqlState.startsWith("22");
}

/**
 * Whether retrying later may succeed. Everything except a data error counts as transient
 * (connection refused or lost, server shutting down, lock timeouts, too many connections): when
 * unsure, keep the message and retry rather than dead-letter a Buff that was fine.
 */
export function isTransientDbError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return true;
  return !isDataError(error as { sqlState?: string });
}
