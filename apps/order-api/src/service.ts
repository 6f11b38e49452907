import { Resolver } from "node:dns/promises";
import { createDynamoClient, documentClientFor } from "../../../lib/dynamodb";
import { createService, type Service } from "../../../lib/service-kit";
import { HoldSettler } from "./compensation";
import type { OrderApiConfig } from "./config";
import { IdempotencyKeys, IdempotentPlacement } from "./idempotency";
import { OrdersRepository } from "./orders-repository";
import { OrderPlacement } from "./place-order";
import { fixedLocator, ProcessorClient, type ProcessorLocator } from "./processor-client";
import { HoldReconciler, inFlightBoundSeconds, tombstoneRetentionSeconds } from "./reconciler";
import { registerOrderRoutes } from "./routes";
import { SrvDiscovery, type SrvResolver } from "./srv-discovery";

/** Order bodies are a few hundred bytes; anything near this limit is not an order. */
export const BODY_LIMIT_BYTES = 4 * 1024;

export interface OrderApiDependencies {
  /** The DNS resolver SRV discovery uses. @default a `dns.promises.Resolver` with the system's servers */
  resolver?: SrvResolver;
}

export interface OrderApi {
  service: Service;
  orders: OrdersRepository;
  holds: HoldSettler;
  reconciler: HoldReconciler;
}

function processorLocator(config: OrderApiConfig, resolver: SrvResolver | undefined): ProcessorLocator {
  if (config.srvEndpoint === undefined) return fixedLocator(config.processorUrl);
  return new SrvDiscovery(config.srvEndpoint, resolver ?? new Resolver({ timeout: 1_000, tries: 2 }));
}

/** Builds order-api (not yet listening): the public gateway that places and answers orders. */
export function buildOrderApi(config: OrderApiConfig, deps: OrderApiDependencies = {}): OrderApi {
  const client = createDynamoClient({ endpoint: config.dynamodbEndpoint });
  const db = documentClientFor(client);
  const orders = new OrdersRepository(db, config.table);
  const processor = new ProcessorClient(processorLocator(config, deps.resolver), config.processorTimeoutMs);
  const service = createService({
    name: "order-api",
    ...(config.port !== undefined ? { port: config.port } : {}),
    ...(config.logLevel !== undefined ? { logLevel: config.logLevel } : {}),
    bodyLimit: BODY_LIMIT_BYTES,
    errorBody: (_status, message) => ({ detail: message }),
    // Only what this instance itself needs: a processor outage must not take order-api out of the
    // load balancer (it answers 503 per request instead). `/health` still reports both.
    readiness: { dynamodb: () => orders.ping() },
  });
  const settled = service.metrics.counter({
    name: "order_stock_holds_settled_total",
    help: "Stock holds released or committed on the processor, by action and outcome (done, not_yet, reconciled).",
    labelNames: ["action", "outcome"],
  });
  const holds = new HoldSettler(processor, service.log, settled);
  const reconciler = new HoldReconciler(
    processor,
    orders,
    service.log,
    settled,
    config.holdStaleAfterSeconds,
    tombstoneRetentionSeconds(config.holdStaleAfterSeconds, config.processorTimeoutMs),
  );
  const placement = new OrderPlacement(processor, orders, holds, service.log);
  const idempotent = new IdempotentPlacement(
    placement,
    new IdempotencyKeys(db, config.table),
    orders,
    holds,
    service.log,
    inFlightBoundSeconds(config.holdStaleAfterSeconds, config.processorTimeoutMs),
  );
  registerOrderRoutes(service, { placement, idempotent, orders, processor });
  reconciler.start(config.reconcileIntervalMs);
  service.onClose(() => client.destroy());
  service.onClose(() => holds.drain());
  service.onClose(() => reconciler.stop());
  return { service, orders, holds, reconciler };
}
