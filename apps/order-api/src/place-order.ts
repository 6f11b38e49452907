import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { isDynamoUnavailable, writeSurelyNotApplied } from "../../../lib/dynamodb";
import { HttpError } from "../../../lib/service-kit";
import type { HoldSettler } from "./compensation";
import type { OrderRequest } from "./order-request";
import type { Order, OrdersRepository } from "./orders-repository";
import { type ProcessorClient, ProcessorTimeoutError, ProcessorUnreachableError } from "./processor-client";

const RETRY_SOON = { "retry-after": "1" };

/**
 * 503 "Order outcome unknown": the order may be stored. Its id goes into the answer next to
 * `detail`, so the client can look it up (`GET /orders/{order_id}`) or retry with its
 * `Idempotency-Key` instead of placing a second order.
 */
export class OrderOutcomeUnknownError extends HttpError {
  constructor(readonly orderId: string) {
    super(
      503,
      "Order outcome unknown (DynamoDB unavailable); if it was not stored, its stock is returned automatically",
      RETRY_SOON,
    );
  }
}

/**
 * Places an order: reserve stock on the processor under a fresh order id (its idempotency key),
 * store the order, then make the sale final (commit the hold). If the order surely was not stored,
 * the reservation is released before answering 503, so a failed request neither loses an
 * acknowledged order nor leaks stock. When the processor's answer is unknown (timeout, 5xx), the
 * reservation it may have made is released in the background. When whether the order was stored
 * is unknown, the hold stays and the reconciler settles it once DynamoDB answers again.
 */
export class OrderPlacement {
  constructor(
    private readonly processor: ProcessorClient,
    private readonly orders: OrdersRepository,
    private readonly holds: HoldSettler,
    private readonly log: FastifyBaseLogger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `orderId` is the new order's id, fresh unless an `Idempotency-Key` chose it. */
  async place(request: OrderRequest, orderId: string = randomUUID()): Promise<Order> {
    const { product_id } = request;
    const answer = await this.reserve(orderId, request);
    if (answer.kind === "rejected") throw new HttpError(answer.status, answer.detail);
    if (answer.kind === "failed") {
      this.holds.releaseLater(orderId, product_id);
      if (answer.status === 503)
        throw new HttpError(503, `Order processor unavailable: ${answer.detail}`, RETRY_SOON);
      throw new HttpError(502, `Order processor failed: ${answer.detail}`);
    }
    const order: Order = {
      order_id: orderId,
      ...request,
      status: "confirmed",
      total_price: answer.total_price,
      processed_at: answer.processed_at,
      created_at: this.now().toISOString(),
    };
    try {
      await this.orders.create(order);
    } catch (error) {
      this.log.warn({ err: error, orderId }, "storing an order failed");
      const stored = await this.storedDespite(error, orderId);
      if (stored === "no") {
        const returned = await this.holds.release(orderId, product_id);
        const reason = isDynamoUnavailable(error) ? "DynamoDB unavailable" : "storing it failed";
        throw new HttpError(
          503,
          `Order could not be stored (${reason}); ${returned ? "the reserved stock was returned" : "the reserved stock is being returned"}`,
          RETRY_SOON,
        );
      }
      if (stored === "unknown") {
        // Neither stored nor surely absent: the hold stays until the reconciler can tell.
        throw new OrderOutcomeUnknownError(orderId);
      }
    }
    this.holds.commitLater(orderId, product_id);
    return order;
  }

  /** After a failed write: did it happen anyway? Reads the order back unless the error rules it out. */
  private async storedDespite(error: unknown, orderId: string): Promise<"yes" | "no" | "unknown"> {
    if (writeSurelyNotApplied(error)) return "no";
    try {
      return (await this.orders.find(orderId, true)) ? "yes" : "no";
    } catch {
      return "unknown";
    }
  }

  private async reserve(orderId: string, request: OrderRequest) {
    try {
      return await this.processor.reserve({ order_id: orderId, ...request });
    } catch (error) {
      if (error instanceof ProcessorTimeoutError) {
        this.holds.releaseLater(orderId, request.product_id);
        throw new HttpError(504, "Order processor timed out");
      }
      if (error instanceof ProcessorUnreachableError) {
        if (error.mayHaveArrived) this.holds.releaseLater(orderId, request.product_id);
        throw new HttpError(503, "Order processor unavailable", RETRY_SOON);
      }
      throw error;
    }
  }
}
