import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface DynamoConnection {
  /** A DynamoDB-compatible endpoint (dynalite, DynamoDB Local); undefined means real AWS. */
  endpoint?: string;
}

/**
 * A DynamoDB client with tight timeouts, so a DynamoDB outage turns into a quick 503 instead of a
 * request hanging for the SDK's defaults. Against real AWS the region and credentials come from the
 * SDK's default chain; against a local endpoint, placeholders are used when none are configured.
 */
export function createDynamoClient({ endpoint }: DynamoConnection): DynamoDBClient {
  const local = endpoint !== undefined;
  const hasCredentials = process.env.AWS_ACCESS_KEY_ID !== undefined || process.env.AWS_PROFILE !== undefined;
  const client = new DynamoDBClient({
    ...(local ? { endpoint, region: process.env.AWS_REGION ?? "us-east-1" } : {}),
    ...(local && !hasCredentials ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  return client;
}

export function documentClientFor(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
