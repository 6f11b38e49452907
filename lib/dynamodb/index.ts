export { createDynamoClient, type DynamoConnection, documentClientFor } from "./client";
export { asServiceError, isDynamoUnavailable, writeSurelyNotApplied } from "./errors";
