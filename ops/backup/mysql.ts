import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Connection, createConnection } from "mysql2/promise";
import { writeEncrypted } from "./encryption";

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** Per database, per table: row count and `CHECKSUM TABLE … EXTENDED`. */
export type MysqlFingerprint = Record<string, Record<string, { rows: number; checksum: string }>>;

const clientEnv = (target: MysqlTarget) => ({ ...process.env, MYSQL_PWD: target.password });
const connectionArgs = (target: MysqlTarget) => [
  `--host=${target.host}`,
  `--port=${target.port}`,
  `--user=${target.user}`,
  "--protocol=TCP",
];

/** Row counts and checksums of every base table, counted in one consistent snapshot. */
export async function mysqlFingerprint(
  target: MysqlTarget,
  databases: readonly string[],
): Promise<MysqlFingerprint> {
  const connection = await createConnection({ ...target, multipleStatements: false });
  try {
    await connection.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    const fingerprint: MysqlFingerprint = {};
    for (const database of databases) {
      const [tables] = await connection.query(
        "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
        [database],
      );
      const entry: MysqlFingerprint[string] = {};
      for (const { name } of tables as { name: string }[]) {
        const id = `${connection.escapeId(database)}.${connection.escapeId(name)}`;
        const [[count]] = (await connection.query(`SELECT COUNT(*) AS n FROM ${id}`)) as unknown as [
          [{ n: number }],
        ];
        const [[sum]] = (await connection.query(`CHECKSUM TABLE ${id} EXTENDED`)) as unknown as [
          [{ Checksum: unknown }],
        ];
        entry[name] = { rows: Number(count.n), checksum: String(sum.Checksum) };
      }
      fingerprint[database] = entry;
    }
    await connection.query("COMMIT");
    return fingerprint;
  } finally {
    await connection.end();
  }
}

/** The databases that exist among `wanted`. */
export async function existingDatabases(target: MysqlTarget, wanted: readonly string[]): Promise<string[]> {
  const connection = await createConnection(target);
  try {
    const [rows] = await connection.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA");
    const present = new Set((rows as { name: string }[]).map((r) => r.name));
    return wanted.filter((d) => present.has(d));
  } finally {
    await connection.end();
  }
}

/** A consistent logical dump (`--single-transaction`, one InnoDB snapshot), compressed and encrypted. */
export async function dumpMysql(
  target: MysqlTarget,
  databases: readonly string[],
  file: string,
  key: Buffer,
): Promise<number> {
  const dump = spawn(
    "mariadb-dump",
    [
      ...connectionArgs(target),
      "--single-transaction",
      "--quick",
      "--routines",
      "--triggers",
      "--events",
      "--hex-blob",
      "--default-character-set=utf8mb4",
      "--databases",
      ...databases,
    ],
    { env: clientEnv(target), stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  dump.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = once(dump, "close") as Promise<[number | null]>;
  const bytes = await writeEncrypted(dump.stdout, file, key);
  const [code] = await exited;
  if (code !== 0) throw new Error(`mariadb-dump failed (exit ${code}): ${stderr.trim()}`);
  return bytes;
}

/** Replays a dump (plain SQL) with the mariadb client; the dump drops and recreates each table. */
export async function loadMysqlDump(target: MysqlTarget, sqlFile: string): Promise<void> {
  await runClient(target, createReadStream(sqlFile));
}

/** Pipes SQL into the mariadb client, which stops at the first error (exit code 1). */
async function runClient(target: MysqlTarget, sql: Readable): Promise<void> {
  const client = spawn("mariadb", [...connectionArgs(target), "--default-character-set=utf8mb4"], {
    env: clientEnv(target),
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  client.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = once(client, "close") as Promise<[number | null]>;
  const piped = pipeline(sql, client.stdin).then(
    () => undefined,
    (error: Error) => error,
  );
  const [code] = await exited;
  // The client closes its stdin when it stops at an error: that error is the one to report.
  if (code !== 0) throw new Error(`mariadb failed to load the dump (exit ${code}): ${stderr.trim()}`);
  const failed = await piped;
  if (failed) throw failed;
}

/**
 * Scratch databases: `_br_scratch_<pid>_<random>_<n>` (a prefix no catalog database has),
 * created with a plain CREATE DATABASE, which fails rather than reuse an existing database, and
 * only ever dropped by the code that created them.
 */
export interface ScratchCopy {
  target: MysqlTarget;
  /** Original database → its scratch database. */
  scratch: Map<string, string>;
  /** Original database → the options of its CREATE DATABASE in the dump (character set, collation). */
  options: Map<string, string>;
  /** The dump holds triggers, routines, events, views or sequences (not all of them reach the scratch copy). */
  hasPrograms: boolean;
}

export const SCRATCH_PREFIX = "_br_scratch_";

const name = (quoted: string) => quoted.replaceAll("``", "`");
const quote = (id: string) => `\`${id.replaceAll("`", "``")}\``;
const CREATE_DATABASE = /^CREATE DATABASE \/\*!32312 IF NOT EXISTS\*\/ `((?:[^`]|``)+)`(.*);$/;
const USE_DATABASE = /^USE `((?:[^`]|``)+)`;$/;

async function createDatabases(target: MysqlTarget, count: number, prefix: string): Promise<string[]> {
  const connection = await createConnection(target);
  const created: string[] = [];
  try {
    const run = `${prefix}${process.pid}_${randomBytes(6).toString("hex")}`;
    for (let i = 0; i < count; i++) {
      await connection.query(`CREATE DATABASE ${quote(`${run}_${i}`)} CHARACTER SET utf8mb4`);
      created.push(`${run}_${i}`);
    }
    return created;
  } catch (error) {
    await dropDatabases(target, created);
    throw error;
  } finally {
    await connection.end();
  }
}

async function dropDatabases(target: MysqlTarget, databases: readonly string[]): Promise<void> {
  if (!databases.length) return;
  const connection = await createConnection(target);
  try {
    for (const database of databases) await connection.query(`DROP DATABASE IF EXISTS ${quote(database)}`);
  } finally {
    await connection.end();
  }
}

/**
 * The dump's tables, loaded into fresh scratch databases on the same server: `CREATE DATABASE`
 * and `USE` are pointed at them, and the `DELIMITER ;;` blocks (triggers, routines, events) are
 * left out, since their bodies may name the original database and events could run. Throws if
 * the dump names a database not in `databases` or does not load; the scratch databases are
 * dropped then. Otherwise the caller drops them with {@link dropScratch}.
 */
export async function loadIntoScratch(
  target: MysqlTarget,
  sqlFile: string,
  databases: readonly string[],
): Promise<ScratchCopy> {
  const created = await createDatabases(target, databases.length, SCRATCH_PREFIX);
  const copy: ScratchCopy = {
    target,
    scratch: new Map(databases.map((d, i) => [d, created[i]!])),
    options: new Map(),
    hasPrograms: false,
  };
  const scratchOf = (database: string) => {
    const scratch = copy.scratch.get(database);
    if (!scratch) throw new Error(`the dump holds database ${database}, which the manifest does not list`);
    return scratch;
  };
  async function* rewritten(): AsyncGenerator<string> {
    let inProgram = false;
    for await (const line of createInterface({ input: createReadStream(sqlFile), crlfDelay: Infinity })) {
      if (inProgram) {
        inProgram = line !== "DELIMITER ;";
        continue;
      }
      const create = CREATE_DATABASE.exec(line);
      const use = USE_DATABASE.exec(line);
      if (line === "DELIMITER ;;") {
        inProgram = copy.hasPrograms = true;
      } else if (create) {
        copy.options.set(name(create[1]!), create[2]!);
        yield `-- CREATE DATABASE ${quote(scratchOf(name(create[1]!)))} (created before the load)\n`;
      } else if (use) {
        yield `USE ${quote(scratchOf(name(use[1]!)))};\n`;
      } else {
        if (/^(\/\*!50001 CREATE |CREATE SEQUENCE )/.test(line)) copy.hasPrograms = true;
        yield `${line}\n`;
      }
    }
  }
  try {
    await runClient(target, Readable.from(rewritten()));
  } catch (error) {
    await dropScratch(copy);
    throw error;
  }
  return copy;
}

export const dropScratch = (copy: ScratchCopy) => dropDatabases(copy.target, [...copy.scratch.values()]);

/** The fingerprint of the scratch copy, under the original database names. */
export async function scratchFingerprint(copy: ScratchCopy): Promise<MysqlFingerprint> {
  const found = await mysqlFingerprint(copy.target, [...copy.scratch.values()]);
  return Object.fromEntries([...copy.scratch].map(([database, scratch]) => [database, found[scratch] ?? {}]));
}

/**
 * Why the scratch copy cannot be swapped into place table by table, if it cannot: the dump holds
 * triggers, routines, events, views or sequences; a live table to be replaced has
 * triggers (RENAME TABLE will not move those to another database); or a live table the backup
 * does not hold has a foreign key to one it replaces (it would follow the old table away).
 */
export async function swapBlockers(copy: ScratchCopy): Promise<string[]> {
  const blockers = copy.hasPrograms
    ? ["the backup holds triggers, routines, events, views or sequences"]
    : [];
  const connection = await createConnection(copy.target);
  try {
    for (const [database, scratch] of copy.scratch) {
      const replaced = await baseTables(connection, scratch);
      if (!replaced.length) continue;
      const [triggers] = await connection.query(
        "SELECT DISTINCT EVENT_OBJECT_TABLE AS t FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE IN (?)",
        [database, replaced],
      );
      for (const { t } of triggers as { t: string }[]) blockers.push(`${database}.${t} has triggers`);
      const [references] = await connection.query(
        "SELECT DISTINCT TABLE_NAME AS t, REFERENCED_TABLE_NAME AS r FROM information_schema.KEY_COLUMN_USAGE WHERE REFERENCED_TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IN (?) AND (TABLE_SCHEMA <> ? OR TABLE_NAME NOT IN (?))",
        [database, replaced, database, replaced],
      );
      for (const { t, r } of references as { t: string; r: string }[])
        blockers.push(`a table outside the backup (${t}) has a foreign key to ${database}.${r}`);
    }
    return blockers;
  } finally {
    await connection.end();
  }
}

async function baseTables(connection: Connection, database: string): Promise<string[]> {
  const [tables] = await connection.query(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
    [database],
  );
  return (tables as { name: string }[]).map((t) => t.name);
}

/**
 * Puts the scratch copy's tables in place of the live ones with one `RENAME TABLE` statement
 * (atomic in MariaDB: every table is swapped, or none): the live tables move to a retired
 * database, the copies take their names; then the retired and scratch databases are dropped.
 * Live tables the backup does not hold stay as they are; a missing live database is created
 * with the options it had in the dump.
 */
export async function swapIntoPlace(copy: ScratchCopy): Promise<void> {
  const [retired] = await createDatabases(copy.target, 1, "_br_retired_");
  const connection = await createConnection(copy.target);
  try {
    const moveAway: string[] = [];
    const moveIn: string[] = [];
    for (const [database, scratch] of copy.scratch) {
      await connection.query(
        `CREATE DATABASE IF NOT EXISTS ${quote(database)}${copy.options.get(database) ?? ""}`,
      );
      const live = new Set(await baseTables(connection, database));
      for (const table of await baseTables(connection, scratch)) {
        const [from, to] = [`${quote(scratch)}.${quote(table)}`, `${quote(database)}.${quote(table)}`];
        if (live.has(table)) moveAway.push(`${to} TO ${quote(retired!)}.t${moveAway.length}`);
        moveIn.push(`${from} TO ${to}`);
      }
    }
    if (moveIn.length) await connection.query(`RENAME TABLE ${[...moveAway, ...moveIn].join(", ")}`);
  } finally {
    await connection.end();
    await dropDatabases(copy.target, [retired!]);
  }
}
