import type { Pool, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import type { Weights } from "../../../oversupply-protocol/src/weights";
import { isoTimestamp, query, transaction } from "../db/database";

export interface StoredWeights {
  version: number;
  weights: Weights;
  /** The last outcome id these weights have learned from; the cruncher continues after it. */
  outcomesThrough: number;
  createdAt: string;
}

function fromRow(row: RowDataPacket): StoredWeights {
  return {
    version: row.version,
    weights: JSON.parse(row.weights) as Weights,
    outcomesThrough: Number(row.outcomes_through),
    createdAt: isoTimestamp(row.created_at),
  };
}

/**
 * The history of the matcher's weights. The backend keeps it so that weights survive restarts of
 * the cruncher and a (re)starting matcher can load the current version before consuming requests.
 */
export class WeightsStore {
  constructor(private readonly pool: Pool) {}

  async current(): Promise<StoredWeights> {
    const [rows] = await query(this.pool, (pool) =>
      pool.query<RowDataPacket[]>("SELECT * FROM weights_versions ORDER BY version DESC LIMIT 1"),
    );
    if (!rows[0]) throw new Error("weights_versions is empty: the initial migration did not run");
    return fromRow(rows[0]);
  }

  /**
   * Appends a version computed from `basedOnVersion`. Returns undefined when another version was
   * stored meanwhile (two crunchers racing): the caller recomputes from the newer one.
   */
  async append(
    basedOnVersion: number,
    weights: Weights,
    outcomesThrough: number,
  ): Promise<StoredWeights | undefined> {
    return transaction(this.pool, async (connection) => {
      const [rows] = await connection.query<RowDataPacket[]>(
        "SELECT version FROM weights_versions ORDER BY version DESC LIMIT 1 FOR UPDATE",
      );
      if (rows[0]?.version !== basedOnVersion) return undefined;
      const [result] = await connection.execute<ResultSetHeader>(
        "INSERT INTO weights_versions (weights, outcomes_through) VALUES (?, ?)",
        [JSON.stringify(weights), outcomesThrough],
      );
      const [stored] = await connection.query<RowDataPacket[]>(
        "SELECT * FROM weights_versions WHERE version = ?",
        [result.insertId],
      );
      return fromRow(stored[0]!);
    });
  }
}
