import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql, { type ConnectionOptions } from "mysql2/promise";
import { type LineSink, ManagedProcess, throwAwayDir } from "./process";
import { onPort, type ServerControl, startServer } from "./server";
import { requireCommand } from "./system";
import { ensureServerCertificate, type TlsFiles } from "./tls";

export interface MariaDbOptions {
  /** Default: a free port. */
  port?: number;
  /** Default: a throw-away temp dir. An initialised dir is reused as it is (never re-initialised). */
  dataDir?: string;
  /** Serve TLS with a generated CA and server certificate (files under `<dataDir>/tls`). */
  tls?: boolean;
  /** Refuse plain-text TCP connections (`require_secure_transport=ON`); implies `tls`. */
  requireSecureTransport?: boolean;
  /** Root password: for a new dir, default generated; for an existing one, default the one kept in it. */
  rootPassword?: string;
  /** InnoDB buffer pool, MiB (default 64: many instances share this machine). */
  bufferPoolMb?: number;
  /** Receives every line the server prints (it also goes to `<dataDir>/mariadb.log`). */
  onLine?: LineSink;
  startupTimeoutMs?: number;
}

export interface MariaDb extends ServerControl {
  host: string;
  port: number;
  dataDir: string;
  socketPath: string;
  rootUser: string;
  rootPassword: string;
  tls?: TlsFiles;
  /** `mysql://127.0.0.1:<port>` (no credentials). */
  url: string;
  /** Creates the database and a user owning it, if missing; (re)sets the password. Idempotent. */
  createDatabase(
    database: string,
    user: string,
    password: string,
    options?: { requireTls?: boolean },
  ): Promise<void>;
  /** Runs one statement as root over TCP (with TLS when enabled) and returns mysql2's rows/result. */
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
  /** mysql2 connection options for a user of this server (TLS verified against its CA when enabled). */
  connectionOptions(user?: string, password?: string, database?: string): ConnectionOptions;
}

const ROOT_PASSWORD_FILE = "root-password";

export function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDb> {
  requireCommand("mariadbd", "mariadb-server");
  requireCommand("mariadb-install-db", "mariadb-server");
  requireCommand("openssl", "openssl");
  const dataDir = options.dataDir ?? throwAwayDir("mariadb");
  return onPort(options.port, (port) => startOn(port, dataDir, options));
}

async function startOn(port: number, dataDir: string, options: MariaDbOptions): Promise<MariaDb> {
  mkdirSync(dataDir, { recursive: true });
  const dbDir = join(dataDir, "data");
  const socketPath = socketPathFor(dataDir);
  const logFile = join(dataDir, "mariadb.log");
  const passwordFile = join(dataDir, ROOT_PASSWORD_FILE);
  const fresh = !existsSync(join(dbDir, "mysql"));
  let rootPassword: string;
  if (fresh) {
    rootPassword = options.rootPassword ?? randomBytes(18).toString("base64url");
    await initialise(dbDir, logFile);
  } else {
    const kept = existsSync(passwordFile) ? readFileSync(passwordFile, "utf8").trim() : undefined;
    const known = options.rootPassword ?? kept;
    if (!known) throw new Error(`MariaDB data dir ${dataDir} exists but its root password is unknown`);
    rootPassword = known;
  }
  const wantTls = Boolean(options.tls || options.requireSecureTransport);
  const tls = wantTls ? await ensureServerCertificate(join(dataDir, "tls")) : undefined;
  const args = [
    "--no-defaults",
    ...(process.getuid?.() === 0 ? ["--user=root"] : []),
    `--datadir=${dbDir}`,
    `--port=${port}`,
    "--bind-address=127.0.0.1",
    `--socket=${socketPath}`,
    `--pid-file=${join(dataDir, "mysqld.pid")}`,
    "--skip-name-resolve",
    "--innodb-flush-log-at-trx-commit=1",
    `--innodb-buffer-pool-size=${options.bufferPoolMb ?? 64}M`,
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_unicode_ci",
    "--max-connections=300",
    ...(tls ? [`--ssl-ca=${tls.caFile}`, `--ssl-cert=${tls.certFile}`, `--ssl-key=${tls.keyFile}`] : []),
    ...(options.requireSecureTransport ? ["--require-secure-transport=ON"] : []),
  ];
  const server = new ManagedProcess({
    name: "mariadb",
    command: "mariadbd",
    args,
    logFile,
    onLine: options.onLine,
    env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
  });
  const host = "127.0.0.1";
  // Until the root password is set (first start only), root logs in over the socket without one.
  let passwordInEffect = fresh ? "" : rootPassword;
  const connectionOptions = (
    user = "root",
    password = rootPassword,
    database?: string,
  ): ConnectionOptions => ({
    host,
    port,
    user,
    password,
    database,
    ssl: tls ? { ca: readFileSync(tls.caFile, "utf8") } : undefined,
    connectTimeout: 5000,
  });
  const overSocket = async <T>(sql: string, params?: unknown[]) => {
    const connection = await mysql.createConnection({
      socketPath,
      user: "root",
      password: passwordInEffect,
      connectTimeout: 3000,
    });
    try {
      return (await connection.query(sql, params))[0] as T;
    } finally {
      await connection.end().catch(() => undefined);
    }
  };
  const query = async <T>(sql: string, params?: unknown[]): Promise<T> => {
    const connection = await mysql.createConnection(connectionOptions());
    try {
      return (await connection.query(sql, params))[0] as T;
    } finally {
      await connection.end().catch(() => undefined);
    }
  };
  const control = await startServer({
    what: `MariaDB on port ${port}`,
    port,
    process: server,
    logFile,
    ready: () => overSocket("SELECT 1"),
    timeoutMs: options.startupTimeoutMs ?? 60_000,
  });
  if (fresh) {
    await secureRoot(overSocket, rootPassword);
    passwordInEffect = rootPassword;
    writeFileSync(passwordFile, `${rootPassword}\n`, { mode: 0o600 });
  }
  await query("SELECT 1"); // root over TCP (and TLS) works
  const createDatabase: MariaDb["createDatabase"] = async (database, user, password, createOptions = {}) => {
    await query(`CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(database)}`);
    await query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [user, password]);
    await query(`ALTER USER ?@'%' IDENTIFIED BY ? REQUIRE ${createOptions.requireTls ? "SSL" : "NONE"}`, [
      user,
      password,
    ]);
    await query(`GRANT ALL PRIVILEGES ON ${mysql.escapeId(database)}.* TO ?@'%'`, [user]);
  };
  return Object.assign(control, {
    host,
    port,
    dataDir,
    socketPath,
    rootUser: "root",
    rootPassword,
    tls,
    url: `mysql://${host}:${port}`,
    query,
    connectionOptions,
    createDatabase,
  });
}

/**
 * Creates the system tables. On a loaded machine the installer has been seen to fail once and
 * succeed on the next try, so a failed attempt is wiped and retried once before giving up.
 */
async function initialise(dbDir: string, logFile: string): Promise<void> {
  try {
    await installOnce(dbDir, logFile);
  } catch {
    await rm(dbDir, { recursive: true, force: true });
    await mkdir(dbDir, { recursive: true });
    await installOnce(dbDir, logFile);
  }
}

async function installOnce(dbDir: string, logFile: string): Promise<void> {
  const installer = new ManagedProcess({
    name: "mariadb-install-db",
    command: "mariadb-install-db",
    args: [
      "--no-defaults",
      `--datadir=${dbDir}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      ...(process.getuid?.() === 0 ? ["--user=root"] : []),
    ],
    logFile,
    env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
  });
  installer.start();
  await installer.waitForExit();
  await installer.close();
  if (installer.exit?.code !== 0) {
    throw new Error(`mariadb-install-db failed for ${dbDir}:\n${installer.tailText(20)}`);
  }
}

/** Gives root a password on every address it can log in from, and drops root@<hostname>. */
async function secureRoot(
  run: (sql: string, params?: unknown[]) => Promise<unknown>,
  password: string,
): Promise<void> {
  const roots = (await run("SELECT Host AS host FROM mysql.user WHERE User = 'root'")) as { host: string }[];
  for (const { host } of roots) {
    if (["localhost", "127.0.0.1", "::1"].includes(host)) continue;
    await run("DROP USER 'root'@?", [host]);
  }
  for (const host of ["127.0.0.1", "::1"]) {
    await run("CREATE USER IF NOT EXISTS 'root'@? IDENTIFIED BY ?", [host, password]);
    await run("GRANT ALL PRIVILEGES ON *.* TO 'root'@? WITH GRANT OPTION", [host]);
  }
  await run("ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY ?", [password]);
  await run("ALTER USER 'root'@'::1' IDENTIFIED BY ?", [password]);
  await run("ALTER USER 'root'@'localhost' IDENTIFIED BY ?", [password]);
}

/** `<dataDir>/mysqld.sock`, or a short path in the temp dir when that is too long for a Unix socket. */
function socketPathFor(dataDir: string): string {
  const inDataDir = join(dataDir, "mysqld.sock");
  if (Buffer.byteLength(inDataDir) <= 100) return inDataDir;
  const digest = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return join(tmpdir(), `battle-ready-mysqld-${digest}.sock`);
}
