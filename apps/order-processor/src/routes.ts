import { HttpError, type Service } from "../../../lib/service-kit";
import { asServiceError } from "./dynamodb";
import type { InventoryRepository } from "./inventory";
import { parseOrderReference, parseProcessOrder } from "./order-request";

/** Runs a DynamoDB call, turning an outage into 503 instead of 500. */
async function dynamo<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asServiceError(error);
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
    const reservation = await dynamo(() =>
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
    const release = await dynamo(() => inventory.release(order_id, product_id));
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
    const committed = await dynamo(() => inventory.commit(order_id, product_id));
    return { order_id, product_id, status: committed ? "committed" : "nothing held" };
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
