import type { FastifyReply, FastifyRequest } from "fastify";
import { asServiceError } from "../../../lib/dynamodb";
import { HttpError, type Service } from "../../../lib/service-kit";
import { type IdempotentPlacement, idempotencyKeyOf } from "./idempotency";
import { isPlausibleOrderId, parseOrderRequest } from "./order-request";
import type { OrdersRepository } from "./orders-repository";
import { OrderOutcomeUnknownError, type OrderPlacement } from "./place-order";
import type { ProcessorClient } from "./processor-client";

export interface OrderApiParts {
  placement: OrderPlacement;
  idempotent: IdempotentPlacement;
  orders: OrdersRepository;
  processor: ProcessorClient;
}

export function registerOrderRoutes(
  service: Service,
  { placement, idempotent, orders, processor }: OrderApiParts,
): void {
  const { app, metrics } = service;
  const outcomes = metrics.counter({
    name: "orders_placed_total",
    help: "Order requests by outcome: confirmed, replayed (an Idempotency-Key's stored order), or the status code they were refused with.",
    labelNames: ["outcome"],
  });

  const placeOrder = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = idempotencyKeyOf(request.headers);
    const order = parseOrderRequest(request.body);
    try {
      if (key === undefined) {
        const placed = await placement.place(order);
        outcomes.inc({ outcome: "confirmed" });
        return placed;
      }
      const placed = await idempotent.place(order, key);
      outcomes.inc({ outcome: placed.replayed ? "replayed" : "confirmed" });
      if (placed.replayed) reply.header("idempotent-replayed", "true");
      return placed.order;
    } catch (error) {
      outcomes.inc({ outcome: error instanceof HttpError ? String(error.status) : "500" });
      // The kit's error body has `detail` only; this one also names the order to look up.
      if (error instanceof OrderOutcomeUnknownError) {
        request.log.warn({ status: error.status, orderId: error.orderId }, error.message);
        return reply
          .code(error.status)
          .headers(error.headers)
          .type("application/json; charset=utf-8")
          .send({ detail: error.message, order_id: error.orderId });
      }
      throw error;
    }
  };
  // The original (FastAPI) route was `/orders/`; both spellings are served.
  app.post("/orders/", placeOrder);
  app.post("/orders", placeOrder);

  app.get<{ Params: { order_id: string } }>("/orders/:order_id", async (request) => {
    const { order_id } = request.params;
    if (!isPlausibleOrderId(order_id)) throw new HttpError(404, "Order not found");
    let order: Awaited<ReturnType<OrdersRepository["find"]>>;
    try {
      order = await orders.find(order_id);
    } catch (error) {
      request.log.warn({ err: error }, "reading an order failed");
      throw asServiceError(error);
    }
    if (!order) throw new HttpError(404, "Order not found");
    return order;
  });

  app.get("/health", async (_request, reply) => {
    const unhealthy = (detail: string) => reply.code(503).header("retry-after", "5").send({ detail });
    try {
      await orders.ping();
    } catch (error) {
      return unhealthy(`DynamoDB unreachable (${error instanceof Error ? error.name : String(error)})`);
    }
    try {
      await processor.health();
    } catch (error) {
      return unhealthy(
        `Order processor unreachable (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    return { status: "healthy", timestamp: new Date().toISOString() };
  });
}
