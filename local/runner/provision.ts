import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import type { DynamoTable, ServiceSpec } from "../../catalog/types";
import { waitUntil } from "../deps";
import type { RunningDependencies } from "./context";
import { mysqlUserName } from "./env";
import type { RunnerState } from "./state";

/** The MySQL account of a service, its password kept in state.json. */
export function mysqlAccount(state: RunnerState, service: ServiceSpec): { user: string; password: string } {
  return { user: mysqlUserName(service), password: state.password(`mysql.user.${service.name}`) };
}

/**
 * Creates what a service needs before it starts: its MySQL database and account (TLS required
 * when `uses.mysql.tls`), its DynamoDB tables. Idempotent: a second run changes nothing.
 */
export async function provisionService(
  service: ServiceSpec,
  dependencies: RunningDependencies,
  state: RunnerState,
): Promise<void> {
  const mysqlUse = service.uses.mysql;
  if (mysqlUse && dependencies.mysql) {
    const { user, password } = mysqlAccount(state, service);
    await dependencies.mysql.createDatabase(mysqlUse.database, user, password, { requireTls: mysqlUse.tls });
  }
  const tables = service.uses.dynamodb?.tables ?? [];
  if (tables.length > 0 && dependencies.dynamodb) {
    const client = new DynamoDBClient({
      endpoint: dependencies.dynamodb.endpoint,
      region: dependencies.dynamodb.region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    try {
      for (const table of tables) await ensureTable(client, table);
    } finally {
      client.destroy();
    }
  }
}

async function ensureTable(client: DynamoDBClient, table: DynamoTable): Promise<void> {
  const status = async () => {
    try {
      return (await client.send(new DescribeTableCommand({ TableName: table.name }))).Table?.TableStatus;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  };
  if ((await status()) === undefined) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table.name,
          KeySchema: [{ AttributeName: table.hashKey, KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: table.hashKey, AttributeType: "S" }],
          ProvisionedThroughput: {
            ReadCapacityUnits: table.readCapacity,
            WriteCapacityUnits: table.writeCapacity,
          },
        }),
      );
    } catch (error) {
      // Two services declaring the same table race to create it; the loser finds it in use.
      if ((error as { name?: string }).name !== "ResourceInUseException") throw error;
    }
  }
  await waitUntil(async () => (await status()) === "ACTIVE", {
    what: `DynamoDB table ${table.name}`,
    timeoutMs: 30_000,
  });
}
