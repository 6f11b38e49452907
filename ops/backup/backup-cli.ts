import { renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type BackupStatus, backupStatusFile, readBackupStatus } from "../exporters/ops-exporter";
import { createBackup, verifyBackup } from "./backup";
import { backupKey } from "./encryption";
import { backupName, backupsIn, KEY_HELP, localSystem } from "./local-system";
import { existingDatabases } from "./mysql";
import { parseS3Uri, s3Client, s3Uri, uploadBackup } from "./s3";

const USAGE = `usage: npm run backup -- [--to <dir>] [--s3 s3://bucket/prefix] [--keep <n>]
  Backs up the local MySQL databases (mariadb-dump --single-transaction) and every DynamoDB table
  (scan export), gzip + AES-256-GCM, with a SHA-256 manifest, into <dir>/<UTC timestamp>/.
  --to <dir>      default .local/backups
  --s3 <uri>      also upload the finished, verified backup to s3://bucket/prefix/<UTC timestamp>/, then list
                  it back and compare names and sizes; refuses if that prefix already holds objects.
                  AWS credentials from the SDK's default chain, AWS_REGION (default us-east-1);
                  BACKUP_S3_ENDPOINT=http://host:port for MinIO, LocalStack, s3rver… (path-style)
  --keep <n>      keep the newest n backups in <dir> (default 7)
${KEY_HELP}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      to: { type: "string" },
      s3: { type: "string" },
      keep: { type: "string", default: "7" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return console.log(USAGE);
  const keep = Number(values.keep);
  if (!(Number.isInteger(keep) && keep > 0))
    throw new Error(`--keep must be a positive integer (got ${values.keep})`);
  // Checked before the backup is made, so a typo fails at once.
  const s3 = values.s3 === undefined ? undefined : parseS3Uri(values.s3);
  const local = localSystem();
  const { sources } = local;
  const root = resolve(values.to ?? local.backupRoot);
  const key = backupKey(local.keyFile);
  if (sources.mysql) {
    const port = sources.mysql.target.port;
    sources.mysql.databases = await existingDatabases(sources.mysql.target, sources.mysql.databases).catch(
      (error) => {
        throw new Error(`cannot reach MariaDB on port ${port} (is npm start running?): ${error.message}`);
      },
    );
  }
  const dir = join(root, backupName());
  const started = Date.now();
  const manifest = await createBackup(sources, dir, key);
  await verifyBackup(dir, key);
  const status: BackupStatus = readBackupStatus(root);
  for (const [store, entry] of Object.entries(manifest.stores)) {
    status[store] = { completedAt: Math.floor(Date.now() / 1000), bytes: entry.bytes, location: dir };
    console.log(`${store}: ${entry.bytes} bytes in ${entry.durationMs} ms`);
  }
  // Renamed into place: the ops exporter reads this file on every scrape.
  const statusFile = backupStatusFile(root);
  writeFileSync(`${statusFile}.tmp`, JSON.stringify(status, null, 2));
  renameSync(`${statusFile}.tmp`, statusFile);
  console.log(`backup written and verified: ${dir} (${Date.now() - started} ms)`);
  if (s3) {
    const client = s3Client();
    const name = basename(dir);
    try {
      const target = await uploadBackup(client, dir, s3, name);
      console.log(`uploaded to ${s3Uri(target)} and listed back: every file there with its size`);
    } catch (error) {
      const where = s3Uri({ bucket: s3.bucket, prefix: s3.prefix ? `${s3.prefix}/${name}` : name });
      throw new Error(
        `upload to ${where} failed: ${(error as Error).message}; the local backup is kept: ${dir}`,
      );
    } finally {
      client.destroy();
    }
  }
  const older = backupsIn(root).slice(0, -keep);
  for (const old of older) rmSync(join(root, old), { recursive: true, force: true });
  if (older.length) console.log(`removed ${older.length} older backup(s), keeping ${keep}`);
}

main().catch((error: Error) => {
  console.error(`backup failed: ${error.message}`);
  process.exit(1);
});
