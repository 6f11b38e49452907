import type { FastifyBaseLogger } from "fastify";
import { asServiceError } from "../../../lib/dynamodb";
import { HttpError, type Service } from "../../../lib/service-kit";
import type { InventoryRepository } from "./inventory";
import { parseOrderReference, parseProcessOrder, parsePruneRequest } from "./order-request";

/**
 * About 60 bytes each: 1000 tombstones on one product are ~60 KB of its 400 KB item limit, and
 * every write to that product pays for them. Above this, pruning is falling behind: say so.
 */
export const TOMBSTONE_WARN_THRESHOLD = 1_000;

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

  const pruned = metrics.counter({
    name: "inventory_tombstones_pruned_total",
    help: "Released-order tombstones removed from product items by pruning.",
  });
  const mostTombstones = metrics.gauge({
    name: "inventory_tombstones_max",
    help: "Most tombstones left on one product item after the last pruning pass (each ~60 bytes of a 400 KB item).",
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

  app.post("/prune-tombstones", async (request) => {
    const { older_than_seconds, limit } = parsePruneRequest(request.body);
    const olderThan = new Date(Date.now() - older_than_seconds * 1000);
    const report = await dynamo(request.log, () => inventory.pruneTombstones(olderThan, limit));
    pruned.inc(report.pruned);
    const most = report.largest?.tombstones ?? 0;
    mostTombstones.set(most);
    if (most >= TOMBSTONE_WARN_THRESHOLD)
      request.log.warn(
        { productId: report.largest?.product_id, tombstones: most },
        "a product item carries many tombstones: pruning is falling behind, the item grows toward DynamoDB's 400 KB limit",
      );
    return {
      pruned: report.pruned,
      largest: report.largest ?? null,
    };
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
