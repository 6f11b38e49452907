import type { FastifyBaseLogger } from "fastify";
import { asServiceError } from "../../../lib/dynamodb";
import { HttpError, type Service } from "../../../lib/service-kit";
import type { InventoryRepository } from "./inventory";
import { parseOrderReference, parseProcessOrder } from "./order-request";

/** Runs a DynamoDB call, turning an outage into 503 instead of 500; the full error goes to the log. */
async function dynamo<T>(log: FastifyBaseLogger, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const mapped = asServiceError(error);
    if (mapped !== error) log.warn({ err: error }, "DynamoDB call failed");
    throw mapped;
  }
}

export function registerProcessorRoutes(service: Service, inventory: InventoryRepository): void {
  const { app, metrics } = service;
  const reservations = metrics.counter({
    name: "inventory_reservations_total",
    help: "Stock reservations by outcome: confirmed, replayed, insufficient, unknown_product, conflict.",
    labelNames: ["outcome"],
  });
  const releases = metrics.counter({
    name: "inventory_releases_total",
    help: "Compensating releases by outcome: released (stock returned) or nothing_held.",
    labelNames: ["outcome"],
  });

  app.post("/process-order", async (request) => {
    const order = parseProcessOrder(request.body);
    const reservation = await dynamo(request.log, () =>
      inventory.reserve({ productId: order.product_id, quantity: order.quantity, orderId: order.order_id }),
    );
    switch (reservation.outcome) {
      case "confirmed":
        reservations.inc({ outcome: reservation.replayed ? "replayed" : "confirmed" });
        return {
          status: "confirmed",
          total_price: reservation.totalPrice,
          processed_at: reservation.processedAt,
        };
      case "insufficient":
        reservations.inc({ outcome: "insufficient" });
        throw new HttpError(400, "Insufficient inventory");
      case "unknown-product":
        reservations.inc({ outcome: "unknown_product" });
        throw new HttpError(404, "Product not found");
      case "conflict":
        reservations.inc({ outcome: "conflict" });
        throw new HttpError(409, reservation.reason);
    }
  });

  app.post("/release-order", async (request) => {
    const { order_id, product_id } = parseOrderReference(request.body);
    const release = await dynamo(request.log, () => inventory.release(order_id, product_id));
    if (release.outcome === "unknown-product") throw new HttpError(404, "Product not found");
    releases.inc({ outcome: release.outcome === "released" ? "released" : "nothing_held" });
    return {
      order_id,
      product_id,
      status: release.outcome === "released" ? "released" : "nothing held",
      released_quantity: release.outcome === "released" ? release.quantity : 0,
    };
  });

  app.post("/commit-order", async (request) => {
    const { order_id, product_id } = parseOrderReference(request.body);
    const committed = await dynamo(request.log, () => inventory.commit(order_id, product_id));
    return { order_id, product_id, status: committed ? "committed" : "nothing held" };
  });

  app.get<{ Querystring: { older_than_seconds?: string; limit?: string } }>("/holds", async (request) => {
    const olderThanSeconds = Number(request.query.older_than_seconds ?? "60");
    const limit = Number(request.query.limit ?? "100");
    if (!Number.isInteger(olderThanSeconds) || olderThanSeconds < 0)
      throw new HttpError(422, "older_than_seconds must be a whole number of seconds");
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new HttpError(422, "limit must be an integer from 1 to 1000");
    const olderThan = new Date(Date.now() - olderThanSeconds * 1000);
    return { holds: await dynamo(request.log, () => inventory.staleHolds(olderThan, limit)) };
  });

  app.get("/health", async (_request, reply) => {
    try {
      await inventory.ping();
    } catch (error) {
      const reason = error instanceof Error ? error.name : String(error);
      return reply
        .code(503)
        .header("retry-after", "5")
        .send({ detail: `DynamoDB unreachable (${reason})` });
    }
    return { status: "healthy", timestamp: new Date().toISOString() };
  });
}
