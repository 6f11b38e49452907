import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DynamoFingerprint,
  dynamoClient,
  dynamoFingerprint,
  exportDynamo,
  importDynamo,
} from "./dynamodb";
import { BackupIntegrityError, manifestMac, readEncrypted, sha256File } from "./encryption";
import { dumpMysql, loadMysqlDump, type MysqlFingerprint, type MysqlTarget, mysqlFingerprint } from "./mysql";

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
    const fingerprint = await mysqlFingerprint(target, databases);
    const file = "mysql.sql.gz.enc";
    const bytes = await dumpMysql(target, databases, join(dir, file), key);
    const sha256 = await sha256File(join(dir, file));
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
  /** Per table: rows (items) expected from the manifest and found after the restore. */
  tables: { table: string; expected: number; restored: number; checksumMatches: boolean }[];
}

export class RestoreVerificationError extends Error {
  override name = "RestoreVerificationError";
}

/**
 * Verifies the backup, then restores the chosen stores (replacing their current contents) and
 * checks row counts and checksums against the manifest. Nothing is touched if verification fails.
 */
export async function restoreBackup(
  dir: string,
  sources: BackupSources,
  key: Buffer,
  only?: Store,
): Promise<RestoreReport[]> {
  const manifest = await verifyBackup(dir, key);
  const work = mkdtempSync(join(tmpdir(), "battle-ready-restore-"));
  const reports: RestoreReport[] = [];
  try {
    const mysql = manifest.stores.mysql;
    if (mysql && sources.mysql && (!only || only === "mysql")) {
      const started = Date.now();
      const sql = join(work, "mysql.sql");
      await readEncrypted(join(dir, mysql.file), sql, key);
      await loadMysqlDump(sources.mysql.target, sql);
      const found = await mysqlFingerprint(sources.mysql.target, mysql.databases);
      const tables = Object.entries(mysql.fingerprint).flatMap(([database, expected]) =>
        Object.entries(expected).map(([table, e]) => ({
          table: `${database}.${table}`,
          expected: e.rows,
          restored: found[database]?.[table]?.rows ?? -1,
          checksumMatches: found[database]?.[table]?.checksum === e.checksum,
        })),
      );
      reports.push({ store: "mysql", durationMs: Date.now() - started, tables });
    }
    const dynamo = manifest.stores.dynamodb;
    if (dynamo && sources.dynamodb && (!only || only === "dynamodb")) {
      const started = Date.now();
      const lines = join(work, "dynamodb.jsonl");
      await readEncrypted(join(dir, dynamo.file), lines, key);
      const client = dynamoClient(sources.dynamodb.endpoint, sources.dynamodb.region);
      try {
        const restored = await importDynamo(client, lines);
        const found = await dynamoFingerprint(client, restored);
        const tables = Object.entries(dynamo.fingerprint).map(([table, e]) => ({
          table,
          expected: e.items,
          restored: found[table]?.items ?? -1,
          checksumMatches: found[table]?.checksum === e.checksum,
        }));
        reports.push({ store: "dynamodb", durationMs: Date.now() - started, tables });
      } finally {
        client.destroy();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const wrong = reports.flatMap((r) =>
    r.tables.filter((t) => t.expected !== t.restored || !t.checksumMatches),
  );
  if (wrong.length)
    throw new RestoreVerificationError(
      `restored data differs from the backup: ${wrong.map((t) => `${t.table} (${t.restored}/${t.expected} rows, checksum ${t.checksumMatches ? "ok" : "differs"})`).join(", ")}`,
    );
  return reports;
}
