import type { ServiceSpec } from "../types";

/**
 * The orders system: order-api (public gateway) places orders by reserving stock on
 * order-processor, both on DynamoDB. Tables stay small on provisioned capacity: the dev stack's
 * whole platform must fit the free tier's 25 RCU / 25 WCU.
 */
export const ordersServices: ServiceSpec[] = [
  {
    name: "order-api",
    system: "orders",
    kind: "service",
    description:
      "Order gateway: validates orders, reserves stock on order-processor, stores orders in DynamoDB and answers them.",
    entry: "apps/order-api/src/main.ts",
    port: 8000,
    health: { liveness: "/healthz", readiness: "/readyz" },
    metricsPath: "/metrics",
    publicRoutes: [
      { method: "POST", path: "/orders" },
      { method: "POST", path: "/orders/" },
      { method: "GET", path: "/orders/:order_id" },
      { method: "GET", path: "/health" },
    ],
    ingressPrefix: "/orders",
    env: {
      PORT: { from: "platform", field: "port" },
      LOG_LEVEL: { from: "platform", field: "logLevel" },
      // Unset (empty) on AWS: the SDK then talks to real DynamoDB in AWS_REGION.
      DYNAMODB_ENDPOINT: { from: "dynamodb", field: "endpoint" },
      AWS_REGION: { from: "dynamodb", field: "region" },
      DYNAMODB_TABLE: { from: "literal", value: "orders" },
      ORDER_PROCESSOR_URL: { from: "service", service: "order-processor", field: "url" },
      // The processor's SRV record where the realization publishes one (ECS service discovery);
      // when set it wins over ORDER_PROCESSOR_URL, when empty the URL is used.
      SRV_ENDPOINT: { from: "service", service: "order-processor", field: "srv" },
    },
    uses: {
      dynamodb: {
        tables: [
          // expires_at: the Idempotency-Key records kept beside the orders (apps/order-api/src/idempotency.ts).
          {
            name: "orders",
            hashKey: "order_id",
            readCapacity: 5,
            writeCapacity: 5,
            ttlAttribute: "expires_at",
          },
        ],
      },
    },
    calls: ["order-processor"],
    scaling: { min: 2, max: 6, cpuTarget: 60, requestsPerTarget: 1000 },
    resources: { cpu: 256, memory: 256 },
  },
  {
    name: "order-processor",
    system: "orders",
    kind: "service",
    description:
      "Inventory service: reserves stock for orders with an atomic conditional decrement, releases or commits the holds.",
    entry: "apps/order-processor/src/main.ts",
    port: 8001,
    health: { liveness: "/healthz", readiness: "/readyz" },
    metricsPath: "/metrics",
    publicRoutes: [],
    env: {
      PORT: { from: "platform", field: "port" },
      LOG_LEVEL: { from: "platform", field: "logLevel" },
      DYNAMODB_ENDPOINT: { from: "dynamodb", field: "endpoint" },
      AWS_REGION: { from: "dynamodb", field: "region" },
      DYNAMODB_TABLE: { from: "literal", value: "inventory" },
    },
    uses: {
      dynamodb: { tables: [{ name: "inventory", hashKey: "product_id", readCapacity: 5, writeCapacity: 5 }] },
    },
    calls: [],
    scaling: { min: 2, max: 4, cpuTarget: 60, requestsPerTarget: 1500 },
    resources: { cpu: 256, memory: 256 },
  },
];
