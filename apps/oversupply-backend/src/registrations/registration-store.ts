import { randomUUID } from "node:crypto";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { MATCH_REQUESTS_QUEUE } from "../../../oversupply-protocol/src/destinations";
import type { MatchRequest, Recommendation } from "../../../oversupply-protocol/src/messages";
import type { FeatureValues } from "../../../oversupply-protocol/src/weights";
import { isoTimestamp, query, transaction } from "../db/database";
import type { Registration } from "./validate-registration";

export type Outcome = "accepted" | "rejected";
export type RegistrationStatus = "pending" | "matched" | "unmatched";

export interface RegistrationView {
  id: string;
  status: RegistrationStatus;
  recommendation: Omit<Recommendation, "registrationId"> | null;
  outcome: Outcome | null;
}

export interface OutcomeRecord {
  id: number;
  registrationId: string;
  outcome: Outcome;
  partnerId: string;
  weightsVersion: number;
  features: FeatureValues;
  recordedAt: string;
}

/** Registrations, the recommendations the matcher made for them and the outcomes partners reported. */
export class RegistrationStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Stores the registration and its match request in ONE transaction (the outbox pattern): the
   * request is published by the relay afterwards, so a broker outage never loses an acknowledged
   * registration and never publishes a request for one that was rolled back. With an idempotency
   * key, a repeated submission (a client retrying after a lost answer) returns the registration
   * the first one created instead of creating another.
   */
  async create(
    registration: Registration,
    requestId: string | undefined,
    idempotencyKey?: string,
  ): Promise<{ id: string; created: boolean }> {
    const id = randomUUID();
    const request: MatchRequest = { registrationId: id, ...registration };
    try {
      await transaction(this.pool, async (connection) => {
        await connection.execute(
          `INSERT INTO registrations
             (id, partner, category, item, quantity, unit, lat, lon, best_before, request_id, idempotency_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            registration.partner,
            registration.category,
            registration.item,
            registration.quantity,
            registration.unit,
            registration.location.lat,
            registration.location.lon,
            registration.bestBefore,
            requestId ?? null,
            idempotencyKey ?? null,
          ],
        );
        await connection.execute("INSERT INTO outbox (destination, body, request_id) VALUES (?, ?, ?)", [
          MATCH_REQUESTS_QUEUE,
          JSON.stringify(request),
          requestId ?? null,
        ]);
      });
      return { id, created: true };
    } catch (error) {
      if (idempotencyKey === undefined || (error as { code?: string }).code !== "ER_DUP_ENTRY") throw error;
      const [rows] = await query(this.pool, (pool) =>
        pool.execute<RowDataPacket[]>("SELECT id FROM registrations WHERE idempotency_key = ?", [
          idempotencyKey,
        ]),
      );
      if (!rows[0]) throw error;
      return { id: rows[0].id as string, created: false };
    }
  }

  async view(id: string): Promise<RegistrationView | undefined> {
    const [rows] = await query(this.pool, (pool) =>
      pool.execute<RowDataPacket[]>(
        `SELECT r.id, rec.body AS recommendation, rec.partner_id AS partnerId, o.outcome
           FROM registrations r
           LEFT JOIN recommendations rec ON rec.registration_id = r.id
           LEFT JOIN outcomes o ON o.registration_id = r.id
          WHERE r.id = ?`,
        [id],
      ),
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.recommendation === null) return { id, status: "pending", recommendation: null, outcome: null };
    const { registrationId: _, ...recommendation } = JSON.parse(row.recommendation) as Recommendation;
    return {
      id,
      status: row.partnerId === null ? "unmatched" : "matched",
      recommendation,
      outcome: row.outcome ?? null,
    };
  }

  /**
   * Stores the first recommendation for a registration; later deliveries (retries, redeliveries)
   * change nothing. Returns "unknown" when the registration does not exist.
   */
  async applyRecommendation(recommendation: Recommendation): Promise<"applied" | "duplicate" | "unknown"> {
    try {
      await query(this.pool, (pool) =>
        pool.execute(
          `INSERT INTO recommendations (registration_id, partner_id, score, weights_version, body)
           VALUES (?, ?, ?, ?, ?)`,
          [
            recommendation.registrationId,
            recommendation.partner?.id ?? null,
            recommendation.score,
            recommendation.weightsVersion,
            JSON.stringify(recommendation),
          ],
        ),
      );
      return "applied";
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ER_DUP_ENTRY") return "duplicate";
      if (code === "ER_NO_REFERENCED_ROW_2") return "unknown";
      throw error;
    }
  }

  /** Records whether the partner took the recommended match; the first outcome is final. */
  async recordOutcome(
    id: string,
    outcome: Outcome,
  ): Promise<"recorded" | "unchanged" | "conflict" | "unknown" | "pending" | "unmatched"> {
    return transaction(this.pool, async (connection) => {
      const [rows] = await connection.execute<RowDataPacket[]>(
        `SELECT rec.registration_id AS recommended, rec.partner_id AS partnerId, o.outcome
           FROM registrations r
           LEFT JOIN recommendations rec ON rec.registration_id = r.id
           LEFT JOIN outcomes o ON o.registration_id = r.id
          WHERE r.id = ? FOR UPDATE`,
        [id],
      );
      const row = rows[0];
      if (!row) return "unknown";
      if (row.recommended === null) return "pending";
      if (row.partnerId === null) return "unmatched";
      if (row.outcome !== null) return row.outcome === outcome ? "unchanged" : "conflict";
      await connection.execute("INSERT INTO outcomes (registration_id, outcome) VALUES (?, ?)", [
        id,
        outcome,
      ]);
      return "recorded";
    });
  }

  /** Outcomes with the features of the recommendation they judge, oldest first, after `afterId`. */
  async outcomesAfter(afterId: number, limit: number): Promise<OutcomeRecord[]> {
    const [rows] = await query(this.pool, (pool) =>
      pool.query<RowDataPacket[]>(
        `SELECT o.id, o.registration_id AS registrationId, o.outcome, o.recorded_at AS recordedAt,
                rec.partner_id AS partnerId, rec.weights_version AS weightsVersion, rec.body
           FROM outcomes o JOIN recommendations rec ON rec.registration_id = o.registration_id
          WHERE o.id > ? ORDER BY o.id LIMIT ?`,
        [afterId, limit],
      ),
    );
    return rows.map((row) => ({
      id: Number(row.id),
      registrationId: row.registrationId,
      outcome: row.outcome,
      partnerId: row.partnerId,
      weightsVersion: row.weightsVersion,
      features: (JSON.parse(row.body) as Recommendation).features as FeatureValues,
      recordedAt: isoTimestamp(row.recordedAt),
    }));
  }
}
