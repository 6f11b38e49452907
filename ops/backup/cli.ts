import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { catalog } from "../../catalog";
import { runnerConfig } from "../../local/runner/config";
import { type BackupStatus, backupStatusFile, readBackupStatus } from "../exporters/ops-exporter";
import { type BackupSources, createBackup, restoreBackup, type Store, verifyBackup } from "./backup";
import { backupKey } from "./encryption";
import { existingDatabases } from "./mysql";

const USAGE = `usage:
  npm run backup  -- [--to <dir>] [--s3 s3://bucket/prefix] [--keep 7]
  npm run restore -- [--from <backup dir> | latest] [--only mysql|dynamodb]
The key: BATTLE_READY_BACKUP_KEY (32 bytes, hex or base64), else .local/backup.key (generated).
S3-compatible copy: --s3 uploads the finished backup with the aws CLI (BACKUP_S3_ENDPOINT for MinIO, LocalStack…).`;

/** The local system's stores, as `npm start` runs them (ports, root password from .local). */
function localSources(): { sources: BackupSources; stateDir: string } {
  const config = runnerConfig();
  const passwordFile = join(config.stateDir, "mysql", "root-password");
  const sources: BackupSources = {
    dynamodb: { endpoint: `http://127.0.0.1:${config.dependencyPorts.dynamodb}` },
  };
  if (existsSync(passwordFile)) {
    const databases = [
      ...new Set(catalog.flatMap((s) => (s.uses.mysql ? [s.uses.mysql.database] : []))),
    ].sort();
    sources.mysql = {
      target: {
        host: "127.0.0.1",
        port: config.dependencyPorts.mysql,
        user: "root",
        password: readFileSync(passwordFile, "utf8").trim(),
      },
      databases,
    };
  }
  return { sources, stateDir: config.stateDir };
}

const stamp = () =>
  new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");

async function backup(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { to: { type: "string" }, s3: { type: "string" }, keep: { type: "string", default: "7" } },
  });
  const { sources, stateDir } = localSources();
  const root = resolve(values.to ?? join(stateDir, "backups"));
  const key = backupKey(join(stateDir, "backup.key"));
  if (sources.mysql) {
    sources.mysql.databases = await existingDatabases(sources.mysql.target, sources.mysql.databases).catch(
      (error) => {
        throw new Error(
          `cannot reach MariaDB on port ${sources.mysql?.target.port} (is npm start running?): ${error.message}`,
        );
      },
    );
  }
  const dir = join(root, stamp());
  const started = Date.now();
  const manifest = await createBackup(sources, dir, key);
  await verifyBackup(dir, key);
  const status: BackupStatus = readBackupStatus(root);
  for (const [store, entry] of Object.entries(manifest.stores)) {
    status[store] = { completedAt: Math.floor(Date.now() / 1000), bytes: entry.bytes, location: dir };
    console.log(`${store}: ${entry.bytes} bytes in ${entry.durationMs} ms`);
  }
  writeFileSync(backupStatusFile(root), JSON.stringify(status, null, 2));
  console.log(`backup written and verified: ${dir} (${Date.now() - started} ms)`);
  if (values.s3) {
    const endpoint = process.env.BACKUP_S3_ENDPOINT ? ["--endpoint-url", process.env.BACKUP_S3_ENDPOINT] : [];
    const target = `${values.s3.replace(/\/$/, "")}/${dir.split("/").pop()}/`;
    const upload = spawnSync("aws", ["s3", "cp", "--recursive", ...endpoint, dir, target], {
      stdio: "inherit",
    });
    if (upload.error || upload.status !== 0)
      throw new Error(
        `upload to ${target} failed${upload.error ? `: ${upload.error.message} (is the aws CLI installed?)` : ""}`,
      );
    console.log(`copied to ${target}`);
  }
  const keep = Number(values.keep);
  const older = readdirSync(root)
    .filter((d) => /^\d{8}T\d{6}Z$/.test(d))
    .sort()
    .slice(0, -keep);
  for (const old of older) rmSync(join(root, old), { recursive: true, force: true });
  if (older.length) console.log(`removed ${older.length} older backup(s), keeping ${keep}`);
}

async function restore(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { from: { type: "string", default: "latest" }, only: { type: "string" } },
  });
  if (values.only && values.only !== "mysql" && values.only !== "dynamodb")
    throw new Error(`--only must be mysql or dynamodb (got ${values.only})`);
  const { sources, stateDir } = localSources();
  const root = join(stateDir, "backups");
  let dir = values.from ?? "latest";
  if (dir === "latest") {
    const all = existsSync(root)
      ? readdirSync(root)
          .filter((d) => /^\d{8}T\d{6}Z$/.test(d))
          .sort()
      : [];
    if (!all.length) throw new Error(`no backups in ${root}: run npm run backup first`);
    dir = join(root, all[all.length - 1]!);
  }
  const key = backupKey(join(stateDir, "backup.key"));
  const started = Date.now();
  const reports = await restoreBackup(resolve(dir), sources, key, values.only as Store | undefined);
  console.table(reports.flatMap((r) => r.tables.map((t) => ({ store: r.store, ...t }))));
  console.log(`restored from ${dir} and verified in ${Date.now() - started} ms`);
}

const [command, ...rest] = process.argv.slice(2);
const run = command === "backup" ? backup : command === "restore" ? restore : undefined;
if (!run) {
  console.error(USAGE);
  process.exit(2);
}
run(rest).catch((error: Error) => {
  console.error(`${command} failed: ${error.message}`);
  process.exit(1);
});
