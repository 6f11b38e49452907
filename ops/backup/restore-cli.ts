import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { restoreBackup, type Store } from "./backup";
import { backupKey } from "./encryption";
import { backupsIn, KEY_HELP, localSystem } from "./local-system";
import { downloadBackup, findBackup, parseS3Uri, s3Client, s3Uri } from "./s3";

const USAGE = `usage: npm run restore -- [--from <backup dir> | --s3 s3://bucket/prefix[/<backup name>]] [--only mysql|dynamodb]
  Verifies the backup (manifest HMAC, SHA-256 and size of every file, AES-256-GCM tag, then every
  table's row count and checksum: the MySQL dump loaded into scratch databases, the DynamoDB export
  read) and only then replaces the local data with it: MySQL tables swapped in with one atomic
  RENAME TABLE (replayed instead when triggers, routines, events or views are involved); checks
  row counts and checksums again afterwards.
  --from <dir>    a backup directory (default: the newest under .local/backups)
  --s3 <uri>      a backup uploaded by npm run backup -- --s3: s3://bucket/prefix/<UTC timestamp>, or
                  s3://bucket/prefix for the newest there; downloaded into a temp dir (removed
                  afterwards), then verified and restored as a local one. AWS credentials from the
                  SDK's default chain, AWS_REGION, BACKUP_S3_ENDPOINT as for npm run backup
  --only <store>  mysql or dynamodb
${KEY_HELP}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      from: { type: "string" },
      s3: { type: "string" },
      only: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return console.log(USAGE);
  if (values.only !== undefined && values.only !== "mysql" && values.only !== "dynamodb")
    throw new Error(`--only must be mysql or dynamodb (got ${values.only})`);
  if (values.from !== undefined && values.s3 !== undefined)
    throw new Error("--from and --s3 exclude each other");
  const local = localSystem();
  const download =
    values.s3 === undefined ? undefined : mkdtempSync(join(tmpdir(), "battle-ready-s3-restore-"));
  try {
    let dir = values.from;
    let label = dir;
    if (values.s3 !== undefined && download) {
      const location = parseS3Uri(values.s3);
      const client = s3Client();
      try {
        const source = await findBackup(client, location);
        const files = await downloadBackup(client, source, download);
        console.log(`downloaded ${s3Uri(source)} (${files.join(", ")})`);
        [dir, label] = [download, s3Uri(source)];
      } finally {
        client.destroy();
      }
    }
    if (!dir) {
      const newest = backupsIn(local.backupRoot).at(-1);
      if (!newest) throw new Error(`no backups in ${local.backupRoot}: run npm run backup first`);
      dir = label = join(local.backupRoot, newest);
    }
    const started = Date.now();
    // restoreBackup verifies the backup (files and fingerprint) before it touches any data.
    const reports = await restoreBackup(
      resolve(dir),
      local.sources,
      backupKey(local.keyFile),
      values.only as Store | undefined,
    );
    console.table(reports.flatMap((r) => r.tables.map((t) => ({ store: r.store, ...t }))));
    for (const r of reports)
      console.log(
        r.method === "swap"
          ? `${r.store}: verified copy swapped in atomically (RENAME TABLE)`
          : `${r.store}: replayed into the live store${r.notes ? ` (no atomic swap: ${r.notes.join("; ")})` : ""}`,
      );
    console.log(`restored from ${label} and verified in ${Date.now() - started} ms`);
  } finally {
    if (download) rmSync(download, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`restore failed: ${error.message}`);
  process.exit(1);
});
