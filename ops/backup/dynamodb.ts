import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  ScanCommand,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { writeEncrypted } from "./encryption";

type Item = Record<string, AttributeValue>;
export type DynamoFingerprint = Record<string, { items: number; checksum: string }>;

export function dynamoClient(endpoint: string, region = "us-east-1"): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

/** JSON with object keys sorted, so equal items hash equally whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Item count and SHA-256 over the sorted canonical items. */
export function fingerprintItems(items: readonly Item[]): { items: number; checksum: string } {
  const hash = createHash("sha256");
  for (const line of items.map(canonical).sort()) hash.update(line).update("\n");
  return { items: items.length, checksum: hash.digest("hex") };
}

export async function listTables(client: DynamoDBClient): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  return names.sort();
}

export async function scanTable(client: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function dynamoFingerprint(
  client: DynamoDBClient,
  tables: readonly string[],
): Promise<DynamoFingerprint> {
  const result: DynamoFingerprint = {};
  for (const table of tables) result[table] = fingerprintItems(await scanTable(client, table));
  return result;
}

/** What is needed to create the table again (keys, indexes, capacity). */
function schemaOf(description: TableDescription): CreateTableCommandInput {
  const onDemand = description.BillingModeSummary?.BillingMode === "PAY_PER_REQUEST";
  const throughput = (t?: { ReadCapacityUnits?: number; WriteCapacityUnits?: number }) =>
    onDemand
      ? undefined
      : { ReadCapacityUnits: t?.ReadCapacityUnits || 1, WriteCapacityUnits: t?.WriteCapacityUnits || 1 };
  return {
    TableName: description.TableName,
    KeySchema: description.KeySchema,
    AttributeDefinitions: description.AttributeDefinitions,
    BillingMode: onDemand ? "PAY_PER_REQUEST" : "PROVISIONED",
    ProvisionedThroughput: throughput(description.ProvisionedThroughput),
    GlobalSecondaryIndexes: description.GlobalSecondaryIndexes?.map((index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
      ProvisionedThroughput: throughput(index.ProvisionedThroughput),
    })),
  };
}

/**
 * A scan export of every table (a consistent read per page, not a point-in-time snapshot of the
 * whole table: on AWS, PITR and AWS Backup give that), as JSON lines: a `schema` line per table,
 * then one `item` line per item. Compressed and encrypted into `file`. The fingerprint is taken
 * from the very items written, so it describes the export exactly, writers or not.
 */
export async function exportDynamo(
  client: DynamoDBClient,
  file: string,
  key: Buffer,
): Promise<{ bytes: number; fingerprint: DynamoFingerprint }> {
  const fingerprint: DynamoFingerprint = {};
  const lines: string[] = [];
  for (const table of await listTables(client)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const items = await scanTable(client, table);
    lines.push(JSON.stringify({ schema: schemaOf(Table!) }));
    for (const item of items) lines.push(JSON.stringify({ table, item }));
    fingerprint[table] = fingerprintItems(items);
  }
  const bytes = await writeEncrypted(Readable.from(lines.map((l) => `${l}\n`)), file, key);
  return { bytes, fingerprint };
}

export async function waitForTable(client: DynamoDBClient, table: string, gone: boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
      if (!gone && Table?.TableStatus === "ACTIVE") return;
    } catch (error) {
      if (gone && error instanceof ResourceNotFoundException) return;
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`table ${table} did not become ${gone ? "deleted" : "ACTIVE"} within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function writeBatch(client: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  let pending = items.map((item) => ({ PutRequest: { Item: item } }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 8) throw new Error(`table ${table}: items still unprocessed after ${attempt} attempts`);
    const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
    if (pending.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
  }
}

type ExportRecord = { schema?: CreateTableCommandInput; table?: string; item?: Item };

async function* exportRecords(jsonLinesFile: string): AsyncGenerator<ExportRecord> {
  for await (const line of createInterface({ input: createReadStream(jsonLinesFile), crlfDelay: Infinity }))
    if (line) yield JSON.parse(line) as ExportRecord;
}

/** The fingerprint of an export file's items, per table (read before anything is restored). */
export async function exportFingerprint(jsonLinesFile: string): Promise<DynamoFingerprint> {
  const items = new Map<string, Item[]>();
  for await (const record of exportRecords(jsonLinesFile)) {
    if (record.schema) items.set(record.schema.TableName!, []);
    else if (record.item && record.table) items.get(record.table)?.push(record.item);
  }
  return Object.fromEntries([...items].map(([table, list]) => [table, fingerprintItems(list)]));
}

/** Recreates every table of the export (dropping the current one) and writes its items back. */
export async function importDynamo(client: DynamoDBClient, jsonLinesFile: string): Promise<string[]> {
  const restored: string[] = [];
  let batch: Item[] = [];
  let current = "";
  const flush = async () => {
    if (batch.length) await writeBatch(client, current, batch);
    batch = [];
  };
  for await (const record of exportRecords(jsonLinesFile)) {
    if (record.schema) {
      await flush();
      current = record.schema.TableName!;
      try {
        await client.send(new DeleteTableCommand({ TableName: current }));
        await waitForTable(client, current, true);
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      await client.send(new CreateTableCommand(record.schema));
      await waitForTable(client, current, false);
      restored.push(current);
    } else if (record.item) {
      batch.push(record.item);
      if (batch.length === 25) await flush();
    }
  }
  await flush();
  return restored;
}
