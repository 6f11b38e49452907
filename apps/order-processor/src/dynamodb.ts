// Kept for local/runner/setup-hooks/orders.ts, which imports it from here; new code imports lib/dynamodb.
export { createDynamoClient } from "../../../lib/dynamodb";
