import { createHash, randomUUID } from "node:crypto";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { FastifyBaseLogger } from "fastify";
import { asServiceError } from "../../../lib/dynamodb";
import { HttpError } from "../../../lib/service-kit";
import type { HoldSettler } from "./compensation";
import type { OrderRequest } from "./order-request";
import type { Order, OrdersRepository } from "./orders-repository";
import { OrderOutcomeUnknownError, type OrderPlacement } from "./place-order";

/**
 * `Idempotency-Key`: 1-128 printable ASCII characters without spaces, the alphabet buffs-dashboard
 * accepts for its own key (there capped at 191, its id column).
 */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/** How long a key is remembered: a retry a day later places a new order. */
export const IDEMPOTENCY_KEY_TTL_SECONDS = 86_400;

/** Key records live in the orders table under ids with this prefix, which no order id has. */
export const KEY_RECORD_PREFIX = "idempotency-key:";

/** The optional header's value, or undefined without one; 400 naming the header when it is malformed. */
export function idempotencyKeyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const key = headers["idempotency-key"];
  if (key === undefined) return undefined;
  if (typeof key !== "string" || !IDEMPOTENCY_KEY.test(key))
    throw new HttpError(400, "Idempotency-Key must be 1-128 printable ASCII characters without spaces");
  return key;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The key record's id in the orders table: bounded length whatever the key, never a UUID. */
export function keyRecordId(key: string): string {
  return `${KEY_RECORD_PREFIX}${sha256(key)}`;
}

/** "Same body" means the same validated order: whitespace, field order and unknown fields do not count. */
export function requestHash(request: OrderRequest): string {
  return sha256(JSON.stringify([request.product_id, request.quantity, request.customer_id]));
}

/** An `Idempotency-Key`'s record: which order it placed (or is placing), for which request. */
export interface KeyRecord {
  order_id: string;
  kind: "idempotency-key";
  request_hash: string;
  placed_order_id: string;
  state: "pending" | "done";
  claimed_at: string;
  /** Epoch seconds: the table's TTL attribute. DynamoDB deletes late, so reads check it too. */
  expires_at: number;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/**
 * Key records in the orders table (order-api's only table: no new table, IAM grant or capacity).
 * Every write is conditional on the record's `placed_order_id`, so two requests with one key can
 * never both own it.
 */
export class IdempotencyKeys {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Claims the key for `orderId`; answers the existing record when someone holds it. */
  async claim(
    key: string,
    hash: string,
    orderId: string,
  ): Promise<{ claimed: true } | { claimed: false; record: KeyRecord }> {
    for (;;) {
      const now = this.now();
      const record: KeyRecord = {
        order_id: keyRecordId(key),
        kind: "idempotency-key",
        request_hash: hash,
        placed_order_id: orderId,
        state: "pending",
        claimed_at: now.toISOString(),
        expires_at: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_KEY_TTL_SECONDS,
      };
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: record,
            // An expired record that TTL has not deleted yet counts as absent.
            ConditionExpression: "attribute_not_exists(order_id) OR expires_at < :now",
            ExpressionAttributeValues: { ":now": Math.floor(now.getTime() / 1000) },
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = await this.db.send(
        new GetCommand({ TableName: this.table, Key: { order_id: keyRecordId(key) }, ConsistentRead: true }),
      );
      // Forgotten between our put and our read: claim again.
      if (existing.Item) return { claimed: false, record: existing.Item as KeyRecord };
    }
  }

  /** Moves the key from an attempt that is over (without an order) to a new order id; false if someone else did. */
  async takeOver(key: string, fromOrderId: string, toOrderId: string): Promise<boolean> {
    const now = this.now();
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { order_id: keyRecordId(key) },
        UpdateExpression:
          "SET placed_order_id = :to, claimed_at = :at, #state = :pending, expires_at = :expires",
        ConditionExpression: "placed_order_id = :from",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: {
          ":to": toOrderId,
          ":from": fromOrderId,
          ":at": now.toISOString(),
          ":pending": "pending",
          ":expires": Math.floor(now.getTime() / 1000) + IDEMPOTENCY_KEY_TTL_SECONDS,
        },
      }),
    );
  }

  /** The key's order is stored: replays need not settle its hold again. */
  async markDone(key: string, orderId: string): Promise<void> {
    await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { order_id: keyRecordId(key) },
        UpdateExpression: "SET #state = :done",
        ConditionExpression: "placed_order_id = :id",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: { ":done": "done", ":id": orderId },
      }),
    );
  }

  /** The attempt ended without an order: the key is free for a retry. */
  async forget(key: string, orderId: string): Promise<void> {
    await this.conditional(
      new DeleteCommand({
        TableName: this.table,
        Key: { order_id: keyRecordId(key) },
        ConditionExpression: "placed_order_id = :id",
        ExpressionAttributeValues: { ":id": orderId },
      }),
    );
  }

  private async conditional(command: UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      await this.db.send(command as UpdateCommand);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

const RETRY_SOON = { "retry-after": "1" };

function inProgress(): HttpError {
  return new HttpError(
    409,
    "A request with this Idempotency-Key is still in progress; retry after it finished",
    RETRY_SOON,
  );
}

/**
 * Places orders under a client's `Idempotency-Key`: the first request claims the key for a fresh
 * order id; a retry with the same body answers the stored order (no second decrement), one with a
 * different body is refused (422). A key remembers orders, not refusals: an attempt that surely
 * stored nothing (a 4xx, 502, 504, or 503 with the stock returned) frees the key, so a retry tries
 * again. Only "Order outcome unknown" keeps it: the retry then finds the order if it was stored,
 * answers 409 while the first attempt may still be working (`inFlightSeconds`), and after that
 * places the order under a new id (the first attempt's hold, if any, is released by the reconciler).
 */
export class IdempotentPlacement {
  constructor(
    private readonly placement: OrderPlacement,
    private readonly keys: IdempotencyKeys,
    private readonly orders: OrdersRepository,
    private readonly holds: HoldSettler,
    private readonly log: FastifyBaseLogger,
    /** How long an attempt may still be working: `inFlightBoundSeconds`, the reconciler's bound. */
    private readonly inFlightSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async place(request: OrderRequest, key: string): Promise<{ order: Order; replayed: boolean }> {
    const hash = requestHash(request);
    const orderId = randomUUID();
    const claim = await this.dynamo(() => this.keys.claim(key, hash, orderId));
    if (claim.claimed) return { order: await this.placeClaimed(request, key, orderId), replayed: false };

    const { record } = claim;
    if (record.request_hash !== hash)
      throw new HttpError(422, "Idempotency-Key was already used with a different request body");
    const stored = await this.dynamo(() => this.orders.find(record.placed_order_id, true));
    if (stored) {
      if (record.state !== "done") {
        // Its attempt ended in "outcome unknown": finish what it could not.
        this.holds.commitLater(stored.order_id, stored.product_id);
        await this.keys.markDone(key, stored.order_id).catch((error: unknown) => this.warn(error, key));
      }
      return { order: stored, replayed: true };
    }
    const age = (this.now().getTime() - Date.parse(record.claimed_at)) / 1000;
    if (!(age >= this.inFlightSeconds)) throw inProgress();
    if (!(await this.dynamo(() => this.keys.takeOver(key, record.placed_order_id, orderId))))
      throw inProgress();
    return { order: await this.placeClaimed(request, key, orderId), replayed: false };
  }

  private async placeClaimed(request: OrderRequest, key: string, orderId: string): Promise<Order> {
    let order: Order;
    try {
      order = await this.placement.place(request, orderId);
    } catch (error) {
      // Every HttpError but "outcome unknown" is answered before anything was stored.
      if (error instanceof HttpError && !(error instanceof OrderOutcomeUnknownError))
        await this.keys.forget(key, orderId).catch((failure: unknown) => this.warn(failure, key));
      throw error;
    }
    await this.keys.markDone(key, orderId).catch((error: unknown) => this.warn(error, key));
    return order;
  }

  private warn(error: unknown, key: string): void {
    // The key itself is the client's; its record id is enough to find it.
    this.log.warn({ err: error, keyRecord: keyRecordId(key) }, "updating an idempotency key record failed");
  }

  private async dynamo<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      this.log.warn({ err: error }, "an idempotency key lookup failed");
      throw asServiceError(error);
    }
  }
}
