import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DeleteTableCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { Dynalite, MariaDb } from "../../local/deps";
import { type BackupSources, createBackup, restoreBackup, verifyBackup } from "../../ops/backup/backup";
import { dynamoClient, waitForTable } from "../../ops/backup/dynamodb";
import { BackupIntegrityError } from "../../ops/backup/encryption";
import { startBackupStores } from "./helpers";

describe("backup and restore drill (MariaDB + dynalite)", function () {
  this.timeout(180_000);
  let mysql: MariaDb;
  let dynamo: Dynalite;
  let sources: BackupSources;
  const key = Buffer.alloc(32, 7);
  const root = mkdtempSync(join(tmpdir(), "ops-backup-"));
  const backupDir = join(root, "drill");
  const rows = 2500;
  const items = 300;

  let stop: (() => Promise<void>) | undefined;

  before(async () => {
    ({ mysql, dynamo, sources, stop } = await startBackupStores(["drill"]));
  });
  after(async () => {
    await stop?.();
  });

  it("1. writes data", async () => {
    await mysql.query("CREATE DATABASE drill CHARACTER SET utf8mb4");
    await mysql.query(
      "CREATE TABLE drill.orders (id INT PRIMARY KEY, note VARCHAR(100), amount DECIMAL(10,2)) ENGINE=InnoDB",
    );
    await mysql.query(
      "CREATE TABLE drill.events (id BIGINT AUTO_INCREMENT PRIMARY KEY, body JSON, at TIMESTAMP(3)) ENGINE=InnoDB",
    );
    const values = Array.from({ length: rows }, (_, i) => `(${i}, 'note ${i} ✓ ü', ${i}.25)`).join(",");
    await mysql.query(`INSERT INTO drill.orders VALUES ${values}`);
    await mysql.query(
      `INSERT INTO drill.events (body, at) SELECT JSON_OBJECT('order', id), NOW(3) FROM drill.orders WHERE id < 700`,
    );
    const client = dynamoClient(dynamo.endpoint);
    await client.send(
      new CreateTableCommand({
        TableName: "inventory",
        KeySchema: [{ AttributeName: "product_id", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "product_id", AttributeType: "S" }],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      }),
    );
    await waitForTable(client, "inventory", false);
    for (let i = 0; i < items; i++) {
      await client.send(
        new PutItemCommand({
          TableName: "inventory",
          Item: { product_id: { S: `P${i}` }, stock: { N: String(i * 3) }, tags: { SS: ["a", `t${i % 7}`] } },
        }),
      );
    }
    client.destroy();
  });

  it("2. backs up: compressed, encrypted, checksummed", async () => {
    const started = Date.now();
    const manifest = await createBackup(sources, backupDir, key);
    console.log(
      `      backup took ${Date.now() - started} ms; mysql ${manifest.stores.mysql?.bytes} B, dynamodb ${manifest.stores.dynamodb?.bytes} B`,
    );
    assert.equal(manifest.stores.mysql?.fingerprint.drill?.orders?.rows, rows);
    assert.equal(manifest.stores.mysql?.fingerprint.drill?.events?.rows, 700);
    assert.equal(manifest.stores.dynamodb?.fingerprint.inventory?.items, items);
    const encrypted = readFileSync(join(backupDir, manifest.stores.mysql!.file));
    assert.ok(!encrypted.includes("note 1"), "the dump is readable in the backup file");
    assert.ok(!encrypted.includes("INSERT"), "the dump is readable in the backup file");
    await verifyBackup(backupDir, key);
  });

  it("3. destroys the data", async () => {
    await mysql.query("DROP DATABASE drill");
    const client = dynamoClient(dynamo.endpoint);
    await client.send(new DeleteTableCommand({ TableName: "inventory" }));
    client.destroy();
  });

  it("4-5. restores and verifies row counts and checksums", async () => {
    const started = Date.now();
    const reports = await restoreBackup(backupDir, sources, key);
    console.log(`      restore (RTO of this data set) took ${Date.now() - started} ms`);
    console.table(reports.flatMap((r) => r.tables.map((t) => ({ store: r.store, ...t }))));
    const tables = Object.fromEntries(reports.flatMap((r) => r.tables.map((t) => [t.table, t])));
    assert.deepEqual(tables["drill.orders"], {
      table: "drill.orders",
      expected: rows,
      restored: rows,
      checksumMatches: true,
    });
    assert.equal(tables["drill.events"]?.restored, 700);
    assert.deepEqual(tables.inventory, {
      table: "inventory",
      expected: items,
      restored: items,
      checksumMatches: true,
    });
    const [sample] = await mysql.query<{ note: string }[]>("SELECT note FROM drill.orders WHERE id = 42");
    assert.equal(sample?.note, "note 42 ✓ ü");
  });

  it("refuses a backup file with one flipped byte, naming the file", async () => {
    const tampered = join(root, "tampered");
    await createBackup({ mysql: sources.mysql }, tampered, key);
    const file = join(tampered, "mysql.sql.gz.enc");
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(file, bytes);
    await assert.rejects(restoreBackup(tampered, sources, key), (error: Error) => {
      assert.ok(error instanceof BackupIntegrityError);
      assert.match(
        error.message,
        /mysql: SHA-256 of .*mysql\.sql\.gz\.enc is .* the manifest says .* \(corrupt or tampered\)/,
      );
      return true;
    });
  });

  it("refuses a manifest altered to match a substituted file (HMAC), and a wrong key", async () => {
    const dir = join(root, "altered");
    await createBackup({ dynamodb: sources.dynamodb }, dir, key);
    const envelope = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    envelope.manifest = envelope.manifest.replace(/"sha256": "[0-9a-f]+"/, `"sha256": "${"0".repeat(64)}"`);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(envelope));
    await assert.rejects(restoreBackup(dir, sources, key), /HMAC mismatch \(the manifest was altered/);
    await assert.rejects(restoreBackup(backupDir, sources, Buffer.alloc(32, 8)), /HMAC mismatch/);
  });

  it("refuses a truncated file before touching the database", async () => {
    const dir = join(root, "truncated");
    await createBackup({ mysql: sources.mysql }, dir, key);
    const file = join(dir, "mysql.sql.gz.enc");
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    await mysql.query("INSERT INTO drill.orders VALUES (999999, 'after the backup', 1)");
    await assert.rejects(
      restoreBackup(dir, sources, key),
      /has 100 bytes, the manifest says \d+ \(truncated or altered\)/,
    );
    const [row] = await mysql.query<{ n: number }[]>(
      "SELECT COUNT(*) AS n FROM drill.orders WHERE id = 999999",
    );
    assert.equal(Number(row?.n), 1, "a refused restore changed the database");
  });
});
