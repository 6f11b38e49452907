import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";

/**
 * The inventory table: one item per product, `{product_id, name, price, stock, holds}`.
 *
 * `holds` maps an order id to the stock taken for it while order-api stores the order. Taking stock
 * and recording the hold happen in ONE conditional UpdateItem, so a reservation is atomic without
 * transactions (dynalite has none) and a retry with the same order id never takes stock twice.
 * order-api then either commits (drops the hold: the sale is final) or releases (returns the stock
 * once). A release that finds no hold leaves a `released` tombstone so a reservation that arrives
 * late (after the caller timed out and compensated) is refused instead of leaking stock.
 */

export interface Hold {
  state: "held" | "released";
  quantity: number;
  at: string;
}

interface ProductItem {
  product_id: string;
  name?: string;
  price: number;
  stock: number;
  holds?: Record<string, Hold>;
}

export type Reservation =
  | { outcome: "confirmed"; totalPrice: number; processedAt: string; replayed: boolean }
  | { outcome: "insufficient" }
  | { outcome: "unknown-product" }
  | { outcome: "conflict"; reason: string };

export type Release =
  | { outcome: "released"; quantity: number }
  | { outcome: "nothing-held" }
  | { outcome: "unknown-product" };

/** What one pruning pass did (see `pruneTombstones`). */
export interface PruneReport {
  /** Tombstones removed. */
  pruned: number;
  /** The product with the most tombstones left after the pass; absent when none has any. */
  largest?: { product_id: string; tombstones: number };
}

/** Tombstones removed by one UpdateItem: keeps each expression far below DynamoDB's 4 KB limit. */
const PRUNE_BATCH = 40;

/** A hold still waiting for its commit or release: what order-api's reconciler settles. */
export interface HeldStock {
  order_id: string;
  product_id: string;
  quantity: number;
  reserved_at: string;
}

export interface ReserveRequest {
  productId: string;
  quantity: number;
  orderId?: string;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** DynamoDB refuses to SET `holds.<id>` when the item has no `holds` map yet. */
function isMissingHoldsMap(error: unknown): boolean {
  return (
    error instanceof Error && error.name === "ValidationException" && /document path/i.test(error.message)
  );
}

/** Money in the smallest unit a price is given in, without binary floating-point residue. */
export function totalPrice(price: number, quantity: number): number {
  return Math.round(price * quantity * 100) / 100;
}

export class InventoryRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reserve(request: ReserveRequest): Promise<Reservation> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.takeStock(request);
      } catch (error) {
        if (isMissingHoldsMap(error) && attempt === 0) {
          if (!(await this.addHoldsMap(request.productId))) return { outcome: "unknown-product" };
          continue;
        }
        if (!isConditionFailure(error)) throw error;
        return this.explainRefusal(request);
      }
    }
  }

  private async takeStock({ productId, quantity, orderId }: ReserveRequest): Promise<Reservation> {
    const processedAt = this.now().toISOString();
    const hold: Hold = { state: "held", quantity, at: processedAt };
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { product_id: productId },
        UpdateExpression: orderId ? "SET stock = stock - :q, holds.#order = :hold" : "SET stock = stock - :q",
        ConditionExpression: orderId
          ? "attribute_exists(product_id) AND stock >= :q AND attribute_not_exists(holds.#order)"
          : "attribute_exists(product_id) AND stock >= :q",
        ...(orderId ? { ExpressionAttributeNames: { "#order": orderId } } : {}),
        ExpressionAttributeValues: orderId ? { ":q": quantity, ":hold": hold } : { ":q": quantity },
        ReturnValues: "ALL_NEW",
      }),
    );
    const product = result.Attributes as ProductItem;
    return {
      outcome: "confirmed",
      totalPrice: totalPrice(product.price, quantity),
      processedAt,
      replayed: false,
    };
  }

  /** Why a conditional decrement was refused: no such product, a replay of a known order, or short stock. */
  private async explainRefusal({ productId, quantity, orderId }: ReserveRequest): Promise<Reservation> {
    const product = await this.product(productId);
    if (!product) return { outcome: "unknown-product" };
    const hold = orderId ? product.holds?.[orderId] : undefined;
    if (hold?.state === "released") return { outcome: "conflict", reason: `Order ${orderId} was released` };
    if (hold && hold.quantity !== quantity)
      return { outcome: "conflict", reason: `Order ${orderId} already reserved a different quantity` };
    if (hold)
      return {
        outcome: "confirmed",
        totalPrice: totalPrice(product.price, quantity),
        processedAt: hold.at,
        replayed: true,
      };
    return { outcome: "insufficient" };
  }

  /** Returns the stock held for an order, once. Safe to repeat and safe to call before the reservation. */
  async release(orderId: string, productId: string): Promise<Release> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const result = await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { product_id: productId },
            UpdateExpression: "SET stock = stock + holds.#order.quantity REMOVE holds.#order",
            ConditionExpression: "holds.#order.#state = :held",
            ExpressionAttributeNames: { "#order": orderId, "#state": "state" },
            ExpressionAttributeValues: { ":held": "held" },
            ReturnValues: "ALL_OLD",
          }),
        );
        const before = result.Attributes as ProductItem;
        return { outcome: "released", quantity: before.holds?.[orderId]?.quantity ?? 0 };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const product = await this.product(productId);
      if (!product) return { outcome: "unknown-product" };
      const hold = product.holds?.[orderId];
      if (hold?.state === "released") return { outcome: "nothing-held" };
      if (hold?.state === "held") continue; // reserved between our two reads: release it now
      if (await this.leaveTombstone(orderId, productId)) return { outcome: "nothing-held" };
    }
    throw new Error(`release of order ${orderId} did not settle after 5 attempts`);
  }

  /** Drops the hold of a stored order: the sale is final. Safe to repeat. */
  async commit(orderId: string, productId: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { product_id: productId },
          UpdateExpression: "REMOVE holds.#order",
          ConditionExpression: "holds.#order.#state = :held",
          ExpressionAttributeNames: { "#order": orderId, "#state": "state" },
          ExpressionAttributeValues: { ":held": "held" },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async product(productId: string): Promise<ProductItem | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { product_id: productId }, ConsistentRead: true }),
    );
    return result.Item as ProductItem | undefined;
  }

  /**
   * Holds reserved before `olderThan` and never committed or released: left by an order-api that
   * crashed (or lost DynamoDB) between reserving and settling. At most `limit` of them.
   */
  async staleHolds(olderThan: Date, limit: number): Promise<HeldStock[]> {
    const cutoff = olderThan.toISOString();
    const found: HeldStock[] = [];
    for await (const item of this.holdsOfEveryProduct(true)) {
      for (const [orderId, hold] of Object.entries(item.holds ?? {})) {
        if (hold.state !== "held" || hold.at >= cutoff) continue;
        found.push({
          order_id: orderId,
          product_id: item.product_id,
          quantity: hold.quantity,
          reserved_at: hold.at,
        });
        if (found.length >= limit) return found;
      }
    }
    return found;
  }

  /** Every product's id and holds, page by page (a scan: its cost grows with the table). */
  private async *holdsOfEveryProduct(
    consistent: boolean,
  ): AsyncGenerator<Pick<ProductItem, "product_id" | "holds">> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.table,
          ProjectionExpression: "product_id, holds",
          ConsistentRead: consistent,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      yield* (page.Items ?? []) as Pick<ProductItem, "product_id" | "holds">[];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /**
   * Removes `released` tombstones written before `olderThan`, at most `limit` of them per pass.
   *
   * Why this is safe: a tombstone for order X exists only to refuse a reservation for X that
   * arrives after X was released (the caller timed out and compensated). Reservations for X are
   * sent only by the one order-api request that minted X (a fresh UUID; a retried
   * `Idempotency-Key` that takes over mints a new one), within its processor timeout, and the
   * processor finishes a request it received within its DynamoDB timeouts. order-api's reconciler
   * already relies on no request being in flight longer than `HOLD_STALE_AFTER_SECONDS` (it
   * releases such holds), and a tombstone's `at` is its release time, which is after the
   * reservation was sent. So the caller passes that bound plus a safety margin, and no
   * reservation can still arrive for a tombstone older than it.
   *
   * Why it cannot race an order: each UpdateItem only REMOVEs the listed `holds.<id>` paths, on
   * the condition that every one of them is still the `released` tombstone with the `at` this scan
   * saw. It never rewrites `stock` or the rest of the map, and DynamoDB applies updates of one
   * item one at a time, so a concurrent reservation, release or commit (other paths of the same
   * item) is neither lost nor applied twice. Nothing turns a tombstone back into a hold (a
   * reservation requires `attribute_not_exists(holds.<id>)`). When the condition fails (another
   * instance pruned first) the batch is skipped; the next pass reads the item again.
   */
  async pruneTombstones(olderThan: Date, limit: number): Promise<PruneReport> {
    const cutoff = olderThan.toISOString();
    const report: PruneReport = { pruned: 0 };
    // Eventually consistent (half the cost): the conditional REMOVE is what guarantees safety.
    for await (const item of this.holdsOfEveryProduct(false)) {
      const tombstones = Object.entries(item.holds ?? {}).filter(([, hold]) => hold.state === "released");
      const expired = tombstones
        .filter(([, hold]) => hold.at < cutoff)
        .slice(0, Math.max(0, limit - report.pruned));
      let removed = 0;
      for (let i = 0; i < expired.length; i += PRUNE_BATCH)
        removed += await this.removeTombstones(item.product_id, expired.slice(i, i + PRUNE_BATCH));
      report.pruned += removed;
      const left = tombstones.length - removed;
      if (left > 0 && left > (report.largest?.tombstones ?? 0))
        report.largest = { product_id: item.product_id, tombstones: left };
    }
    return report;
  }

  /** One conditional UpdateItem removing these tombstones; 0 when any of them changed meanwhile. */
  private async removeTombstones(productId: string, tombstones: [string, Hold][]): Promise<number> {
    const names: Record<string, string> = { "#state": "state", "#at": "at" };
    const values: Record<string, unknown> = { ":released": "released" };
    const paths: string[] = [];
    const conditions: string[] = [];
    tombstones.forEach(([orderId, hold], i) => {
      names[`#t${i}`] = orderId;
      values[`:at${i}`] = hold.at;
      paths.push(`holds.#t${i}`);
      conditions.push(`holds.#t${i}.#state = :released AND holds.#t${i}.#at = :at${i}`);
    });
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { product_id: productId },
          UpdateExpression: `REMOVE ${paths.join(", ")}`,
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return tombstones.length;
    } catch (error) {
      if (isConditionFailure(error)) return 0;
      throw error;
    }
  }

  /** Throws when the table cannot be reached. */
  async ping(): Promise<void> {
    await this.db.send(new DescribeTableCommand({ TableName: this.table }));
  }

  private async leaveTombstone(orderId: string, productId: string): Promise<boolean> {
    const tombstone: Hold = { state: "released", quantity: 0, at: this.now().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { product_id: productId },
            UpdateExpression: "SET holds.#order = :tombstone",
            ConditionExpression: "attribute_exists(product_id) AND attribute_not_exists(holds.#order)",
            ExpressionAttributeNames: { "#order": orderId },
            ExpressionAttributeValues: { ":tombstone": tombstone },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        if (!isMissingHoldsMap(error) || attempt > 0) throw error;
        await this.addHoldsMap(productId);
      }
    }
    return false;
  }

  /** Gives a product created without one (e.g. by hand) an empty `holds` map; false when it does not exist. */
  private async addHoldsMap(productId: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { product_id: productId },
          UpdateExpression: "SET holds = if_not_exists(holds, :empty)",
          ConditionExpression: "attribute_exists(product_id)",
          ExpressionAttributeValues: { ":empty": {} },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
