import { readFileSync } from "node:fs";
import type { PoolConnection, RowDataPacket, SslOptions } from "mysql2/promise";
import { EnvError, type EnvReader } from "../service-kit";

/**
 * How a service talks TLS to MySQL, in the MySQL client's own vocabulary (`--ssl-mode`):
 * - `disabled`: plain text; for a local database without TLS only.
 * - `verify-ca`: TLS only, the server certificate must chain to the CA bundle.
 * - `verify-identity`: as verify-ca, and the certificate must also name the host connected to.
 * There is deliberately no "TLS without verification" mode: it would not stop a man in the middle.
 */
export type MysqlTlsMode = "disabled" | "verify-ca" | "verify-identity";

export const MYSQL_TLS_MODES: readonly MysqlTlsMode[] = ["disabled", "verify-ca", "verify-identity"];

export interface MysqlTls {
  mode: Exclude<MysqlTlsMode, "disabled">;
  /** PEM text of the CA bundle the server certificate must chain to. */
  ca: string;
  /** Where the bundle came from (a path, or the CA variable's name when given inline), for error messages. */
  caSource: string;
}

/** The names a service gives its two TLS variables, e.g. `DB_TLS_MODE` and `DB_TLS_CA`. */
export interface MysqlTlsVariables {
  mode: string;
  ca: string;
}

/**
 * Reads a service's MySQL TLS settings; undefined when TLS is disabled. The mode defaults to
 * `verify-identity` when a CA is given and to `disabled` otherwise, so giving a CA is enough to
 * turn TLS on. An unknown mode, verification without a CA, an unreadable CA file or one holding no
 * PEM certificate throw an EnvError naming the variable.
 */
export function readMysqlTls(
  env: Pick<EnvReader, "optional">,
  variables: MysqlTlsVariables,
): MysqlTls | undefined {
  const modeText = env.optional(variables.mode);
  const caValue = env.optional(variables.ca);
  const mode = (modeText?.trim().toLowerCase() ?? (caValue ? "verify-identity" : "disabled")) as MysqlTlsMode;
  if (!MYSQL_TLS_MODES.includes(mode)) {
    throw new EnvError(
      variables.mode,
      `${variables.mode} must be one of ${MYSQL_TLS_MODES.join(", ")} (got ${JSON.stringify(modeText)})`,
    );
  }
  if (mode === "disabled") return undefined;
  if (!caValue) {
    throw new EnvError(variables.ca, `${variables.ca} is required when ${variables.mode} is ${mode}`);
  }
  return { mode, ...readCaBundle(caValue, variables.ca) };
}

/** `readMysqlTls` as `{ tls }` to spread into a configuration, or nothing when TLS is disabled. */
export function readMysqlTlsSetting(
  env: Pick<EnvReader, "optional">,
  variables: MysqlTlsVariables,
): { tls?: MysqlTls } {
  const tls = readMysqlTls(env, variables);
  return tls ? { tls } : {};
}

/** The CA is a path to a PEM bundle, or the PEM text itself (for platforms that inject secrets as values). */
function readCaBundle(value: string, variable: string): { ca: string; caSource: string } {
  const trimmed = value.trim();
  if (trimmed.startsWith("-----BEGIN")) return checkPem(trimmed, variable, variable);
  let text: string;
  try {
    text = readFileSync(trimmed, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EnvError(variable, `${variable}: cannot read the CA bundle ${trimmed}: ${reason}`);
  }
  return checkPem(text, trimmed, variable);
}

function checkPem(text: string, source: string, variable: string): { ca: string; caSource: string } {
  if (!text.includes("-----BEGIN CERTIFICATE-----")) {
    throw new EnvError(variable, `${variable}: ${source} holds no PEM certificate`);
  }
  return { ca: text, caSource: source };
}

/** mysql2's `ssl` option for a mode: the certificate is always verified; the host name too for verify-identity. */
export function mysqlSslOptions(tls: MysqlTls): SslOptions {
  return {
    ca: tls.ca,
    rejectUnauthorized: true,
    verifyIdentity: tls.mode === "verify-identity",
    minVersion: "TLSv1.2",
  };
}

/** `{ ssl }` to spread into mysql2 pool options, or nothing when TLS is disabled. */
export function mysqlSslPoolOption(tls: MysqlTls | undefined): { ssl?: SslOptions } {
  return tls ? { ssl: mysqlSslOptions(tls) } : {};
}

/** Throws unless the connection's session really is encrypted (`Ssl_version` is set). */
export async function assertMysqlSessionEncrypted(connection: Pick<PoolConnection, "query">): Promise<void> {
  const [rows] = await connection.query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'");
  const version = rows[0]?.Value;
  if (!version) throw new Error("database TLS: the session is not encrypted; refusing to continue");
}
