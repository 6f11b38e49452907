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
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.table,
          ProjectionExpression: "product_id, holds",
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of (page.Items ?? []) as Pick<ProductItem, "product_id" | "holds">[]) {
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
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
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
