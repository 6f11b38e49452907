import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { restoreBackup, type Store } from "./backup";
import { backupKey } from "./encryption";
import { backupsIn, KEY_HELP, localSystem } from "./local-system";

const USAGE = `usage: npm run restore -- [--from <backup dir>] [--only mysql|dynamodb]
  Verifies the backup (manifest HMAC, SHA-256 and size of every file, AES-256-GCM tag) and only
  then replaces the local data with it; checks row counts and checksums afterwards.
  --from <dir>    a backup directory (default: the newest under .local/backups)
  --only <store>  mysql or dynamodb
${KEY_HELP}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { from: { type: "string" }, only: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return console.log(USAGE);
  if (values.only !== undefined && values.only !== "mysql" && values.only !== "dynamodb")
    throw new Error(`--only must be mysql or dynamodb (got ${values.only})`);
  const local = localSystem();
  let dir = values.from;
  if (!dir) {
    const newest = backupsIn(local.backupRoot).at(-1);
    if (!newest) throw new Error(`no backups in ${local.backupRoot}: run npm run backup first`);
    dir = join(local.backupRoot, newest);
  }
  const started = Date.now();
  const reports = await restoreBackup(
    resolve(dir),
    local.sources,
    backupKey(local.keyFile),
    values.only as Store | undefined,
  );
  console.table(reports.flatMap((r) => r.tables.map((t) => ({ store: r.store, ...t }))));
  console.log(`restored from ${dir} and verified in ${Date.now() - started} ms`);
}

main().catch((error: Error) => {
  console.error(`restore failed: ${error.message}`);
  process.exit(1);
});
