import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { MariaDb } from "../../local/deps";
import {
  type BackupSources,
  createBackup,
  type Manifest,
  RestoreVerificationError,
  restoreBackup,
} from "../../ops/backup/backup";
import { dynamoClient, scanTable, waitForTable } from "../../ops/backup/dynamodb";
import { manifestMac, sha256File } from "../../ops/backup/encryption";
import { startBackupStores } from "./helpers";

/** Rewrites a backup's manifest and signs it again with the backup key, as only a key holder could. */
function editManifest(dir: string, key: Buffer, edit: (manifest: Manifest) => void): void {
  const file = join(dir, "manifest.json");
  const manifest = JSON.parse(JSON.parse(readFileSync(file, "utf8")).manifest) as Manifest;
  edit(manifest);
  const body = JSON.stringify(manifest, null, 2);
  writeFileSync(file, JSON.stringify({ manifest: body, hmacSha256: manifestMac(body, key) }));
}

describe("backup of a live system: the manifest describes the dump, restore verifies before replacing", function () {
  this.timeout(120_000);
  const key = Buffer.alloc(32, 3);
  const root = mkdtempSync(join(tmpdir(), "ops-backup-consistency-"));
  const backupDir = join(root, "live");
  let mysql: MariaDb;
  let dynamo: DynamoDBClient;
  let sources: BackupSources;
  let stop: (() => Promise<void>) | undefined;
  let manifest: Manifest;

  const count = async (table: string) =>
    Number((await mysql.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n);
  const leftovers = async () =>
    (
      await mysql.query<{ name: string }[]>(
        "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '\\_br\\_%'",
      )
    ).map((r) => r.name);

  before(async () => {
    const stores = await startBackupStores(["shop"]);
    ({ mysql, sources, stop } = stores);
    dynamo = dynamoClient(stores.dynamo.endpoint);
    await mysql.query("CREATE DATABASE shop CHARACTER SET utf8mb4");
    await mysql.query("CREATE TABLE shop.customers (id INT PRIMARY KEY, name VARCHAR(50)) ENGINE=InnoDB");
    await mysql.query(
      "CREATE TABLE shop.events (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer INT, v INT, CONSTRAINT event_customer FOREIGN KEY (customer) REFERENCES customers (id)) ENGINE=InnoDB",
    );
    await mysql.query("INSERT INTO shop.customers VALUES (1, 'a'), (2, 'b')");
    await mysql.query("INSERT INTO shop.events (customer, v) VALUES (1, 1), (2, 2), (1, 3)");
    await dynamo.send(
      new CreateTableCommand({
        TableName: "events",
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await waitForTable(dynamo, "events", false);
  });
  after(async () => {
    dynamo?.destroy();
    await stop?.();
  });

  it("a backup taken while a writer inserts restores and verifies, with the manifest's row count", async () => {
    let backingUp = true;
    let [rows, items] = [0, 0];
    const writer = (async () => {
      while (backingUp) {
        await mysql.query("INSERT INTO shop.events (customer, v) VALUES (2, 7)");
        await dynamo.send(new PutItemCommand({ TableName: "events", Item: { id: { S: `e${items}` } } }));
        [rows, items] = [rows + 1, items + 1];
      }
    })();
    manifest = await createBackup(sources, backupDir, key).finally(() => {
      backingUp = false;
    });
    await writer;
    const inManifest = manifest.stores.mysql!.fingerprint.shop!.events!.rows;
    assert.ok(rows > 1, `the writer inserted ${rows} row(s) during the backup`);
    assert.ok(inManifest >= 3 && inManifest <= 3 + rows, `manifest: ${inManifest} rows`);
    assert.deepEqual(await leftovers(), [], "scratch databases left behind by the backup");

    const reports = await restoreBackup(backupDir, sources, key);
    const mysqlReport = reports.find((r) => r.store === "mysql")!;
    assert.equal(mysqlReport.method, "swap");
    assert.deepEqual(
      mysqlReport.tables.find((t) => t.table === "shop.events"),
      { table: "shop.events", expected: inManifest, restored: inManifest, checksumMatches: true },
    );
    assert.equal(await count("shop.events"), inManifest);
    assert.equal(await count("shop.customers"), 2);
    const dynamoReport = reports.find((r) => r.store === "dynamodb")!.tables[0]!;
    assert.equal(dynamoReport.restored, manifest.stores.dynamodb!.fingerprint.events!.items);
    assert.equal((await scanTable(dynamo, "events")).length, dynamoReport.restored);
    // The swapped-in tables work: the foreign key points at the restored customers.
    await assert.rejects(mysql.query("INSERT INTO shop.events (customer, v) VALUES (99, 1)"), /foreign key/i);
    assert.deepEqual(await leftovers(), [], "scratch or retired databases left behind by the restore");
  });

  it("refuses a backup whose fingerprint does not match its data, or a substituted file, leaving the live data alone", async () => {
    await mysql.query("INSERT INTO shop.events (customer, v) VALUES (1, 42)");
    const live = await count("shop.events");
    const forged = join(root, "forged");
    await createBackup(sources, forged, key);
    editManifest(forged, key, (m) => {
      m.stores.mysql!.fingerprint.shop!.events!.rows += 1;
    });
    const refused = /nothing was restored \(the live data is untouched\): shop\.events \(\d+\/\d+ rows/;
    await assert.rejects(restoreBackup(forged, sources, key, "mysql"), (error: Error) => {
      assert.ok(error instanceof RestoreVerificationError);
      assert.match(error.message, refused);
      return true;
    });
    // Another backup's dump under this manifest (size and SHA-256 updated): the data is not what it says.
    const file = manifest.stores.mysql!.file;
    copyFileSync(join(backupDir, file), join(forged, file));
    const [bytes, sha256] = [readFileSync(join(forged, file)).length, await sha256File(join(forged, file))];
    editManifest(forged, key, (m) => {
      m.stores.mysql!.fingerprint.shop!.events!.rows -= 1;
      Object.assign(m.stores.mysql!, { bytes, sha256 });
      m.stores.dynamodb!.fingerprint.events!.checksum = "0".repeat(64);
    });
    await assert.rejects(restoreBackup(forged, sources, key, "mysql"), refused);
    await assert.rejects(
      restoreBackup(forged, sources, key, "dynamodb"),
      /dynamodb: the backup does not hold what its manifest says, nothing was restored .*events \(\d+\/\d+ rows, checksum differs\)/,
    );
    assert.equal(await count("shop.events"), live, "a refused restore changed the live rows");
    const [marker] = await mysql.query<{ v: number }[]>("SELECT v FROM shop.events ORDER BY id DESC LIMIT 1");
    assert.equal(marker?.v, 42);
    assert.ok((await scanTable(dynamo, "events")).length > 0);
    assert.deepEqual(await leftovers(), []);
  });

  it("replays (not swaps) a backup holding a trigger, and verifies it", async () => {
    await mysql.query(
      "CREATE TRIGGER shop.events_v BEFORE INSERT ON shop.events FOR EACH ROW SET NEW.v = COALESCE(NEW.v, 0)",
    );
    const dir = join(root, "trigger");
    const taken = await createBackup({ mysql: sources.mysql }, dir, key);
    await mysql.query("DELETE FROM shop.events WHERE v = 42");
    const [report] = await restoreBackup(dir, sources, key);
    assert.equal(report?.method, "replay");
    assert.match(report?.notes?.join() ?? "", /triggers/);
    assert.equal(await count("shop.events"), taken.stores.mysql!.fingerprint.shop!.events!.rows);
    const [trigger] = await mysql.query<unknown[]>(
      "SELECT 1 FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'shop' AND TRIGGER_NAME = 'events_v'",
    );
    assert.ok(trigger, "the trigger was not restored");
    assert.deepEqual(await leftovers(), []);
  });
});
