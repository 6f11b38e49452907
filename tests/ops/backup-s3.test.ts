import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateTableCommand,
  DeleteTableCommand,
  PutItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { catalog } from "../../catalog";
import { type Dynalite, type MariaDb, startDynalite, startMariaDb } from "../../local/deps";
import { type BackupSources, createBackup } from "../../ops/backup/backup";
import { dynamoClient, waitForTable } from "../../ops/backup/dynamodb";
import {
  findBackup,
  listObjects,
  parseS3Uri,
  s3Client,
  s3Settings,
  uploadBackup,
  verifyUpload,
} from "../../ops/backup/s3";
import { freePort } from "./helpers";

/** s3rver ships no types: the part of its API used here. */
const S3rver = require("s3rver") as new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => { run(): Promise<{ port: number }>; close(): Promise<void> };

const repoRoot = join(__dirname, "..", "..");
const BUCKET = "backups";
const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** Runs one of the backup CLIs as `npm run` does (through the tsx CLI); never rejects. */
function runCli(
  script: "backup-cli" | "restore-cli",
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [require.resolve("tsx/cli"), `ops/backup/${script}.ts`, ...args], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const sizesIn = (dir: string) => readdirSync(dir).map((f) => [f, statSync(join(dir, f)).size] as const);

describe("backup to S3 and restore from it (s3rver + MariaDB + dynalite)", function () {
  this.timeout(120_000);
  const root = mkdtempSync(join(tmpdir(), "ops-backup-s3-"));
  const key = Buffer.alloc(32, 9);
  // A catalog database, so `npm run backup` (which backs up the catalog's databases) includes it.
  const database = catalog.flatMap((s) => (s.uses.mysql ? [s.uses.mysql.database] : [])).sort()[0]!;
  let server: InstanceType<typeof S3rver>;
  let endpoint: string;
  let client: S3Client;
  let mysql: MariaDb;
  let dynamo: Dynalite;
  let sources: BackupSources;
  let cliEnv: NodeJS.ProcessEnv;
  const OLD = "20000101T000000Z";
  const localBackup = join(root, "local", OLD);
  /** Uploads the backup made in before() as OLD under s3://backups/<prefix>/. */
  const upload = (prefix: string) =>
    uploadBackup(client, localBackup, parseS3Uri(`s3://${BUCKET}/${prefix}`), OLD, {
      BACKUP_S3_ENDPOINT: endpoint,
    });
  /** What S3 lists under `prefix`, and what it should list for the backup in `dir`: [key, size] pairs. */
  const listedAndLocal = async (prefix: string, dir: string): Promise<[string, number][][]> => [
    [...(await listObjects(client, parseS3Uri(`s3://${BUCKET}/${prefix}`)))].sort(),
    sizesIn(dir)
      .map(([f, size]): [string, number] => [`${prefix}/${f}`, size])
      .sort(),
  ];

  const rowCount = async () =>
    Number((await mysql.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM \`${database}\`.drill`))[0]?.n);
  const itemCount = async () => {
    const dynamoDb = dynamoClient(dynamo.endpoint);
    try {
      return (await dynamoDb.send(new ScanCommand({ TableName: "s3drill", Select: "COUNT" }))).Count;
    } finally {
      dynamoDb.destroy();
    }
  };

  before(async () => {
    server = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: join(root, "s3rver"),
      configureBuckets: [{ name: BUCKET }],
    });
    const [address, db, dynalite] = await Promise.all([server.run(), startMariaDb({}), startDynalite({})]);
    [mysql, dynamo] = [db, dynalite];
    endpoint = `http://127.0.0.1:${address.port}`;
    client = s3Client({ BACKUP_S3_ENDPOINT: endpoint }, { credentials });
    sources = {
      mysql: {
        target: { host: "127.0.0.1", port: mysql.port, user: mysql.rootUser, password: mysql.rootPassword },
        databases: [database],
      },
      dynamodb: { endpoint: dynamo.endpoint },
    };
    // The CLIs find the stores as `npm start` leaves them: ports from the environment, the root
    // password in <state dir>/mysql/root-password.
    const stateDir = join(root, "state");
    mkdirSync(join(stateDir, "mysql"), { recursive: true });
    writeFileSync(join(stateDir, "mysql", "root-password"), mysql.rootPassword);
    cliEnv = {
      ...process.env,
      BATTLE_READY_STATE_DIR: stateDir,
      BATTLE_READY_MYSQL_PORT: String(mysql.port),
      BATTLE_READY_DYNAMODB_PORT: String(dynamo.port),
      BATTLE_READY_PORT_OFFSET: "0",
      BATTLE_READY_BACKUP_KEY: key.toString("hex"),
      BACKUP_S3_ENDPOINT: endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_PROFILE: "",
    };

    await mysql.query(`CREATE DATABASE \`${database}\``);
    await mysql.query(
      `CREATE TABLE \`${database}\`.drill (id INT PRIMARY KEY, note VARCHAR(50)) ENGINE=InnoDB`,
    );
    const values = Array.from({ length: 500 }, (_, i) => `(${i}, 'row ${i} ✓')`).join(",");
    await mysql.query(`INSERT INTO \`${database}\`.drill VALUES ${values}`);
    const dynamoDb = dynamoClient(dynamo.endpoint);
    await dynamoDb.send(
      new CreateTableCommand({
        TableName: "s3drill",
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      }),
    );
    await waitForTable(dynamoDb, "s3drill", false);
    for (let i = 0; i < 40; i++)
      await dynamoDb.send(new PutItemCommand({ TableName: "s3drill", Item: { id: { S: `I${i}` } } }));
    dynamoDb.destroy();
    await createBackup(sources, localBackup, key);
  });
  after(async () => {
    client?.destroy();
    await Promise.all([server?.close(), mysql?.stop(), dynamo?.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  it("parses s3://bucket/prefix and names what is wrong with a bad URI", () => {
    assert.deepEqual(parseS3Uri("s3://backups/prod/db/"), { bucket: "backups", prefix: "prod/db" });
    assert.deepEqual(parseS3Uri("s3://backups"), { bucket: "backups", prefix: "" });
    assert.throws(
      () => parseS3Uri("backups/prod"),
      /not a usable S3 URI: "backups\/prod" \(it must start with s3:\/\//,
    );
    assert.throws(() => parseS3Uri("s3://"), /"" is not a valid bucket name; expected s3:\/\/bucket\/prefix/);
    assert.throws(() => parseS3Uri("s3://My_Bucket/x"), /"My_Bucket" is not a valid bucket name/);
    assert.throws(() => parseS3Uri("s3://backups/a//b"), /the prefix has an empty, \. or \.\. segment/);
    // SSE-S3 only on AWS itself; a custom endpoint is addressed path-style.
    assert.deepEqual(s3Settings({}), {
      endpoint: undefined,
      region: "us-east-1",
      serverSideEncryption: "AES256",
    });
    assert.deepEqual(s3Settings({ BACKUP_S3_ENDPOINT: endpoint, AWS_REGION: "eu-west-1" }), {
      endpoint,
      region: "eu-west-1",
      serverSideEncryption: undefined,
    });
  });

  it("uploads a backup, and the listing shows every file with its size", async () => {
    const target = await upload("api");
    assert.deepEqual(target, { bucket: BUCKET, prefix: `api/${OLD}` });
    const [listed, local] = await listedAndLocal(`api/${OLD}`, localBackup);
    assert.deepEqual(listed, local);
    assert.deepEqual(
      listed?.map(([k]) => k),
      ["dynamodb.jsonl.gz.enc", "manifest.json", "mysql.sql.gz.enc"].map((f) => `api/${OLD}/${f}`),
    );
  });

  it("refuses a second upload to the same prefix and leaves the first alone", async () => {
    const before = await listObjects(client, parseS3Uri(`s3://${BUCKET}/api`));
    await assert.rejects(
      upload("api"),
      /s3:\/\/backups\/api\/20000101T000000Z\/ already holds 3 object\(s\): refusing to overwrite a backup there/,
    );
    assert.deepEqual(await listObjects(client, parseS3Uri(`s3://${BUCKET}/api`)), before);
  });

  it("the check after upload catches an object that differs from the local file, or one too many", async () => {
    const target = await upload("altered");
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${target.prefix}/mysql.sql.gz.enc`, Body: "short" }),
    );
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${target.prefix}/stray.txt`, Body: "x" }));
    await assert.rejects(
      verifyUpload(client, localBackup, target),
      /does not match .*: mysql\.sql\.gz\.enc has 5 bytes, the local file \d+; altered\/20000101T000000Z\/stray\.txt is not in the local backup/,
    );
  });

  it("round trip through the CLIs: npm run backup -- --s3, data destroyed, npm run restore -- --s3 (the newest)", async () => {
    // Under the same prefix: an older complete backup (500 rows) and a newer incomplete one (no
    // manifest), neither of which the restore may pick.
    await upload("cli");
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "cli/29991231T000000Z/mysql.sql.gz.enc", Body: "partial" }),
    );
    await mysql.query(`INSERT INTO \`${database}\`.drill VALUES (1000, 'after the first backup')`);
    const backup = await runCli(
      "backup-cli",
      ["--to", join(root, "cli-local"), "--s3", `s3://${BUCKET}/cli/`],
      cliEnv,
    );
    assert.equal(backup.code, 0, backup.stderr);
    const name = /uploaded to s3:\/\/backups\/cli\/(\d{8}T\d{6}Z)\/ and listed back/.exec(backup.stdout)?.[1];
    assert.ok(name, backup.stdout);
    const [listed, local] = await listedAndLocal(`cli/${name}`, join(root, "cli-local", name));
    assert.deepEqual(listed, local);
    assert.deepEqual(await findBackup(client, parseS3Uri(`s3://${BUCKET}/cli`)), {
      bucket: BUCKET,
      prefix: `cli/${name}`,
    });

    await mysql.query(`DROP DATABASE \`${database}\``);
    const dynamoDb = dynamoClient(dynamo.endpoint);
    await dynamoDb.send(new DeleteTableCommand({ TableName: "s3drill" }));
    dynamoDb.destroy();
    rmSync(join(root, "cli-local"), { recursive: true, force: true });

    const restore = await runCli("restore-cli", ["--s3", `s3://${BUCKET}/cli`], cliEnv);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, new RegExp(`downloaded s3://backups/cli/${name}/ \\(`));
    assert.match(restore.stdout, new RegExp(`restored from s3://backups/cli/${name}/ and verified`));
    assert.equal(await rowCount(), 501);
    assert.equal(await itemCount(), 40);
    const [row] = await mysql.query<{ note: string }[]>(
      `SELECT note FROM \`${database}\`.drill WHERE id = 7`,
    );
    assert.equal(row?.note, "row 7 ✓");
  });

  it("npm run restore -- --s3 with a backup's own name restores that one; an empty prefix is refused", async () => {
    const restore = await runCli(
      "restore-cli",
      ["--s3", `s3://${BUCKET}/cli/20000101T000000Z`, "--only", "mysql"],
      cliEnv,
    );
    assert.equal(restore.code, 0, restore.stderr);
    assert.equal(await rowCount(), 500);
    await assert.rejects(
      findBackup(client, parseS3Uri(`s3://${BUCKET}/nothing-here`)),
      /no backups under s3:\/\/backups\/nothing-here\/ \(none with a manifest\.json\)/,
    );
  });

  it("a bad URI: npm run backup exits 1 at once, naming it, and makes no backup", async () => {
    const to = join(root, "bad-uri");
    const run = await runCli("backup-cli", ["--to", to, "--s3", "backups/prefix"], cliEnv);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /backup failed: not a usable S3 URI: "backups\/prefix" \(it must start with s3:\/\//,
    );
    assert.ok(!existsSync(to), "a backup was made before the URI was checked");
  });

  it("S3 down: npm run backup exits 1 with a clear message, and the local backup stays", async () => {
    const to = join(root, "down");
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await runCli("backup-cli", ["--to", to, "--s3", `s3://${BUCKET}/down`], {
      ...cliEnv,
      BACKUP_S3_ENDPOINT: closed,
    });
    assert.equal(run.code, 1, run.stdout);
    const match =
      /backup failed: upload to s3:\/\/backups\/down\/(\d{8}T\d{6}Z)\/ failed: cannot list s3:\/\/backups\/down\/\1\/: ECONNREFUSED.*; the local backup is kept: (.+)$/m.exec(
        run.stderr,
      );
    assert.ok(match, run.stderr);
    assert.equal(match[2], join(to, match[1]!));
    assert.ok(existsSync(join(to, match[1]!, "manifest.json")), "the local backup was removed");
  });
});
