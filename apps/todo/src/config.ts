import { readFileSync } from "node:fs";
import { EnvError, readEnv } from "../../../lib/service-kit";

/**
 * How the app talks TLS to the database, in the MySQL client's own vocabulary (`--ssl-mode`):
 * - `disabled`: plain text; for a local database without TLS only.
 * - `verify-ca`: TLS only, the server certificate must chain to DB_TLS_CA.
 * - `verify-identity`: as verify-ca, and the certificate must also name DB_HOST.
 * There is deliberately no "TLS without verification" mode: it would not stop a man in the middle.
 */
export type TlsMode = "disabled" | "verify-ca" | "verify-identity";

export const TLS_MODES: readonly TlsMode[] = ["disabled", "verify-ca", "verify-identity"];

export interface DatabaseTls {
  mode: Exclude<TlsMode, "disabled">;
  /** PEM text of the CA bundle the server certificate must chain to. */
  ca: string;
  /** Where the bundle came from (a path, or "DB_TLS_CA" when given inline), for error messages. */
  caSource: string;
}

export interface DatabaseConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Absent when TLS is disabled. */
  tls?: DatabaseTls;
  /** Most connections one instance opens; the instance count times this must fit max_connections. */
  poolSize: number;
  /** How long to wait for a connection to be established before giving up, per attempt. */
  connectTimeoutMs: number;
  /** Longest a query may run; a hung database then answers 503 instead of holding requests. */
  queryTimeoutMs: number;
}

export interface TodoConfig {
  /** 0 picks a free port (tests). */
  port: number;
  db: DatabaseConfig;
  /** How long start-up keeps retrying an unreachable database before giving up. */
  startupTimeoutMs: number;
}

/** Reads the whole configuration from the environment; throws an EnvError naming a bad variable. */
export function loadTodoConfig(env: NodeJS.ProcessEnv = process.env): TodoConfig {
  const read = readEnv(env);
  return {
    port: read.int("PORT", 3000, { min: 0, max: 65535 }),
    db: {
      host: read.string("DB_HOST"),
      port: read.int("DB_PORT", 3306, { min: 1, max: 65535 }),
      user: read.string("DB_USER"),
      password: read.string("DB_PASSWORD"),
      database: read.string("DB_NAME"),
      tls: loadTls(read.optional("DB_TLS_MODE"), read.optional("DB_TLS_CA")),
      poolSize: read.int("DB_POOL_SIZE", 10, { min: 1, max: 1000 }),
      connectTimeoutMs: read.int("DB_CONNECT_TIMEOUT_MS", 5000, { min: 100, max: 120_000 }),
      queryTimeoutMs: read.int("DB_QUERY_TIMEOUT_MS", 5000, { min: 100, max: 600_000 }),
    },
    startupTimeoutMs: read.int("DB_STARTUP_TIMEOUT_MS", 60_000, { min: 0, max: 3_600_000 }),
  };
}

/**
 * DB_TLS_MODE defaults to `verify-identity` when a CA is given and to `disabled` otherwise, so
 * giving a CA is enough to turn TLS on. Asking for verification without a CA is an error.
 */
function loadTls(modeText: string | undefined, caValue: string | undefined): DatabaseTls | undefined {
  const mode = (modeText?.trim().toLowerCase() ?? (caValue ? "verify-identity" : "disabled")) as TlsMode;
  if (!TLS_MODES.includes(mode)) {
    throw new EnvError(
      "DB_TLS_MODE",
      `DB_TLS_MODE must be one of ${TLS_MODES.join(", ")} (got ${JSON.stringify(modeText)})`,
    );
  }
  if (mode === "disabled") return undefined;
  if (!caValue) {
    throw new EnvError("DB_TLS_CA", `DB_TLS_CA is required when DB_TLS_MODE is ${mode}`);
  }
  return { mode, ...readCaBundle(caValue) };
}

/** DB_TLS_CA is a path to a PEM bundle, or the PEM text itself (for platforms that inject secrets as values). */
function readCaBundle(value: string): { ca: string; caSource: string } {
  const trimmed = value.trim();
  if (trimmed.startsWith("-----BEGIN")) return checkPem(trimmed, "DB_TLS_CA");
  let text: string;
  try {
    text = readFileSync(trimmed, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EnvError("DB_TLS_CA", `DB_TLS_CA: cannot read the CA bundle ${trimmed}: ${reason}`);
  }
  return checkPem(text, trimmed);
}

function checkPem(text: string, source: string): { ca: string; caSource: string } {
  if (!text.includes("-----BEGIN CERTIFICATE-----")) {
    throw new EnvError("DB_TLS_CA", `DB_TLS_CA: ${source} holds no PEM certificate`);
  }
  return { ca: text, caSource: source };
}
