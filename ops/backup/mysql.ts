import { spawn } from "node:child_process";
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { createConnection } from "mysql2/promise";
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
  const client = spawn("mariadb", [...connectionArgs(target), "--default-character-set=utf8mb4"], {
    env: clientEnv(target),
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  client.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  createReadStream(sqlFile).pipe(client.stdin);
  const [code] = (await once(client, "close")) as [number | null];
  if (code !== 0) throw new Error(`mariadb failed to load the dump (exit ${code}): ${stderr.trim()}`);
}
