import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DynamoFingerprint,
  dynamoClient,
  dynamoFingerprint,
  exportDynamo,
  exportFingerprint,
  importDynamo,
} from "./dynamodb";
import { BackupIntegrityError, manifestMac, readEncrypted, sha256File } from "./encryption";
import {
  dropScratch,
  dumpMysql,
  loadIntoScratch,
  loadMysqlDump,
  type MysqlFingerprint,
  type MysqlTarget,
  mysqlFingerprint,
  scratchFingerprint,
  swapBlockers,
  swapIntoPlace,
} from "./mysql";

export type Store = "mysql" | "dynamodb";

export interface BackupSources {
  mysql?: { target: MysqlTarget; databases: string[] };
  dynamodb?: { endpoint: string; region?: string };
}

interface StoreEntry {
  file: string;
  bytes: number;
  sha256: string;
  durationMs: number;
}

export interface Manifest {
  format: 1;
  createdAt: string;
  stores: {
    mysql?: StoreEntry & { databases: string[]; fingerprint: MysqlFingerprint };
    dynamodb?: StoreEntry & { fingerprint: DynamoFingerprint };
  };
}

const MANIFEST = "manifest.json";

/**
 * Backs up the given stores into `dir`: one compressed, encrypted file per store and a
 * manifest (SHA-256 of each file, row counts and checksums), itself authenticated with an HMAC.
 */
export async function createBackup(sources: BackupSources, dir: string, key: Buffer): Promise<Manifest> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const manifest: Manifest = { format: 1, createdAt: new Date().toISOString(), stores: {} };
  if (sources.mysql) {
    const started = Date.now();
    const { target, databases } = sources.mysql;
    const file = "mysql.sql.gz.enc";
    const bytes = await dumpMysql(target, databases, join(dir, file), key);
    const sha256 = await sha256File(join(dir, file));
    const fingerprint = await dumpFingerprint(target, databases, join(dir, file), key);
    manifest.stores.mysql = { file, bytes, sha256, databases, fingerprint, durationMs: Date.now() - started };
  }
  if (sources.dynamodb) {
    const started = Date.now();
    const client = dynamoClient(sources.dynamodb.endpoint, sources.dynamodb.region);
    const file = "dynamodb.jsonl.gz.enc";
    try {
      const { bytes, fingerprint } = await exportDynamo(client, join(dir, file), key);
      const sha256 = await sha256File(join(dir, file));
      manifest.stores.dynamodb = { file, bytes, sha256, fingerprint, durationMs: Date.now() - started };
    } finally {
      client.destroy();
    }
  }
  const body = JSON.stringify(manifest, null, 2);
  writeFileSync(
    join(dir, MANIFEST),
    JSON.stringify({ manifest: body, hmacSha256: manifestMac(body, key) }, null, 2),
    {
      mode: 0o600,
    },
  );
  return manifest;
}

/**
 * Row counts and checksums of exactly what the dump holds: the encrypted dump is decrypted,
 * loaded into scratch databases on the same server and counted there (a restore test of every
 * backup), then the scratch databases are dropped, whatever happened.
 */
async function dumpFingerprint(
  target: MysqlTarget,
  databases: readonly string[],
  file: string,
  key: Buffer,
): Promise<MysqlFingerprint> {
  return withWorkDir(async (work) => {
    await readEncrypted(file, join(work, "mysql.sql"), key);
    const copy = await loadIntoScratch(target, join(work, "mysql.sql"), databases);
    try {
      return await scratchFingerprint(copy);
    } finally {
      await dropScratch(copy);
    }
  });
}

/** A private temp directory for decrypted files, removed afterwards. */
async function withWorkDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const work = mkdtempSync(join(tmpdir(), "battle-ready-decrypted-"));
  try {
    return await use(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Checks the manifest's HMAC and every file's size and SHA-256; throws BackupIntegrityError naming what is wrong. */
export async function verifyBackup(dir: string, key: Buffer): Promise<Manifest> {
  let envelope: { manifest?: unknown; hmacSha256?: unknown };
  try {
    envelope = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8"));
  } catch (error) {
    throw new BackupIntegrityError(
      `${join(dir, MANIFEST)} is missing or not JSON: ${(error as Error).message}`,
    );
  }
  if (typeof envelope.manifest !== "string" || typeof envelope.hmacSha256 !== "string")
    throw new BackupIntegrityError(`${join(dir, MANIFEST)} has no manifest and HMAC`);
  if (manifestMac(envelope.manifest, key) !== envelope.hmacSha256)
    throw new BackupIntegrityError(
      `${join(dir, MANIFEST)}: HMAC mismatch (the manifest was altered, or this is not the key it was made with)`,
    );
  const manifest = JSON.parse(envelope.manifest) as Manifest;
  for (const [store, entry] of Object.entries(manifest.stores)) {
    const file = join(dir, entry.file);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new BackupIntegrityError(`${store}: ${file} is missing`);
    }
    if (size !== entry.bytes)
      throw new BackupIntegrityError(
        `${store}: ${file} has ${size} bytes, the manifest says ${entry.bytes} (truncated or altered)`,
      );
    const sha256 = await sha256File(file);
    if (sha256 !== entry.sha256)
      throw new BackupIntegrityError(
        `${store}: SHA-256 of ${file} is ${sha256}, the manifest says ${entry.sha256} (corrupt or tampered)`,
      );
  }
  return manifest;
}

export interface RestoreReport {
  store: Store;
  durationMs: number;
  /**
   * mysql: "swap" (the verified scratch copy renamed into place in one atomic RENAME TABLE) or
   * "replay" (the verified dump replayed into the live databases, table by table); dynamodb: "replay".
   */
  method: "swap" | "replay";
  /** Why MySQL was replayed rather than swapped. */
  notes?: string[];
  /** Per table: rows (items) expected from the manifest and found after the restore. */
  tables: TableCheck[];
}

interface TableCheck {
  table: string;
  expected: number;
  restored: number;
  checksumMatches: boolean;
}

export class RestoreVerificationError extends Error {
  override name = "RestoreVerificationError";
}

type Found = Record<string, { count: number; checksum: string } | undefined>;

function compare(expected: Record<string, { count: number; checksum: string }>, found: Found): TableCheck[] {
  return Object.entries(expected).map(([table, e]) => ({
    table,
    expected: e.count,
    restored: found[table]?.count ?? -1,
    checksumMatches: found[table]?.checksum === e.checksum,
  }));
}

const mysqlTables = (fingerprint: MysqlFingerprint) =>
  Object.fromEntries(
    Object.entries(fingerprint).flatMap(([database, tables]) =>
      Object.entries(tables).map(([table, t]) => [
        `${database}.${table}`,
        { count: t.rows, checksum: t.checksum },
      ]),
    ),
  );
const dynamoTables = (fingerprint: DynamoFingerprint) =>
  Object.fromEntries(
    Object.entries(fingerprint).map(([table, t]) => [table, { count: t.items, checksum: t.checksum }]),
  );

const differences = (tables: TableCheck[]) =>
  tables
    .filter((t) => t.expected !== t.restored || !t.checksumMatches)
    .map(
      (t) =>
        `${t.table} (${t.restored}/${t.expected} rows, checksum ${t.checksumMatches ? "ok" : "differs"})`,
    );

/**
 * Restores the chosen stores, replacing their current contents, and only once the whole backup
 * is known to be good: the manifest's HMAC and every file's SHA-256 (verifyBackup), authenticated
 * decryption, then the fingerprint: the MySQL dump is loaded into scratch databases and the
 * DynamoDB export read, and every table's row count and checksum must match the manifest. Any
 * of that failing throws with the live data untouched. Then MySQL is swapped into place
 * atomically (or replayed, see {@link swapBlockers}), DynamoDB tables are recreated and refilled,
 * and the result is checked again; a difference then throws a RestoreVerificationError that
 * says the data was replaced and names the tables.
 */
export async function restoreBackup(
  dir: string,
  sources: BackupSources,
  key: Buffer,
  only?: Store,
): Promise<RestoreReport[]> {
  const manifest = await verifyBackup(dir, key);
  const mysql = sources.mysql && (!only || only === "mysql") ? manifest.stores.mysql : undefined;
  const dynamo = sources.dynamodb && (!only || only === "dynamodb") ? manifest.stores.dynamodb : undefined;
  return withWorkDir(async (work) => {
    const [sql, lines] = [join(work, "mysql.sql"), join(work, "dynamodb.jsonl")];
    if (mysql) await readEncrypted(join(dir, mysql.file), sql, key);
    if (dynamo) await readEncrypted(join(dir, dynamo.file), lines, key);
    const refuse = (store: Store, wrong: string[]) => {
      if (wrong.length)
        throw new RestoreVerificationError(
          `${store}: the backup does not hold what its manifest says, nothing was restored (the live data is untouched): ${wrong.join(", ")}`,
        );
    };
    if (dynamo)
      refuse(
        "dynamodb",
        differences(compare(dynamoTables(dynamo.fingerprint), dynamoTables(await exportFingerprint(lines)))),
      );
    const copy =
      mysql && sources.mysql ? await loadIntoScratch(sources.mysql.target, sql, mysql.databases) : undefined;
    const reports: RestoreReport[] = [];
    try {
      if (copy && mysql && sources.mysql) {
        const started = Date.now();
        const expected = mysqlTables(mysql.fingerprint);
        const loaded = mysqlTables(await scratchFingerprint(copy));
        refuse("mysql", differences(compare(expected, loaded)));
        const notes = await swapBlockers(copy);
        if (notes.length) {
          await loadMysqlDump(sources.mysql.target, sql).catch((error: Error) => {
            throw new Error(
              `mysql: the verified dump failed to replay into the live databases, which are now partly restored (tables up to the failing one replaced, the rest as before): restore again once the cause is fixed. ${error.message}`,
            );
          });
          const found = mysqlTables(await mysqlFingerprint(sources.mysql.target, mysql.databases));
          reports.push({
            store: "mysql",
            method: "replay",
            notes,
            durationMs: Date.now() - started,
            tables: compare(expected, found),
          });
        } else {
          await swapIntoPlace(copy);
          reports.push({
            store: "mysql",
            method: "swap",
            durationMs: Date.now() - started,
            tables: compare(expected, loaded),
          });
        }
      }
    } finally {
      if (copy) await dropScratch(copy);
    }
    if (dynamo && sources.dynamodb) {
      const started = Date.now();
      const client = dynamoClient(sources.dynamodb.endpoint, sources.dynamodb.region);
      try {
        const found = await dynamoFingerprint(client, await importDynamo(client, lines));
        reports.push({
          store: "dynamodb",
          method: "replay",
          durationMs: Date.now() - started,
          tables: compare(dynamoTables(dynamo.fingerprint), dynamoTables(found)),
        });
      } finally {
        client.destroy();
      }
    }
    const wrong = reports.flatMap((r) => differences(r.tables).map((d) => `${r.store} ${d}`));
    if (wrong.length)
      throw new RestoreVerificationError(
        `the backup was verified and restored, but the data now in place differs from it (written to while restoring?): ${wrong.join(", ")}`,
      );
    return reports;
  });
}
