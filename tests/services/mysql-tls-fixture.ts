import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Pool, RowDataPacket } from "mysql2/promise";
import type { MysqlTls, MysqlTlsVariables } from "../../lib/mysql/tls";
import { type MariaDb, startMariaDb } from "../../local/deps/mariadb";

/** A MariaDB as RDS runs it: `require_secure_transport=ON`, and the service's account `REQUIRE SSL`. */
export interface SecureDatabase {
  db: MariaDb;
  /** The server's CA, as the catalog hands it to a service (a file path). */
  caFile: string;
  database: string;
  user: string;
  password: string;
}

export async function startSecureDatabase(database: string, user: string): Promise<SecureDatabase> {
  const db = await startMariaDb({ tls: true, requireSecureTransport: true });
  const password = randomBytes(12).toString("base64url");
  await db.createDatabase(database, user, password, { requireTls: true });
  if (!db.tls) throw new Error("the MariaDB under test has no TLS files");
  return { db, caFile: db.tls.caFile, database, user, password };
}

/** The MYSQL_* variables call-webhook and oversupply-backend read, for this database. */
export function mysqlVariables(secure: SecureDatabase): NodeJS.ProcessEnv {
  return {
    MYSQL_HOST: secure.db.host,
    MYSQL_PORT: String(secure.db.port),
    MYSQL_USER: secure.user,
    MYSQL_PASSWORD: secure.password,
    MYSQL_DATABASE: secure.database,
  };
}

/** What the server says to a plain-text client: the account or the server requires TLS. */
const PLAIN_TEXT_REFUSED = /Access denied for user|insecure transport/i;

/** Asserts that a connection of the pool runs over TLS (the server's own view of the session). */
async function assertPoolEncrypted(pool: Pool): Promise<void> {
  const [rows] = await pool.query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'");
  assert.match(String(rows[0]?.Value), /^TLSv1\.[23]$/, "the session is encrypted");
}

/** Asserts that `run` throws an EnvError naming `variable`, with a message matching `message`. */
function assertEnvError(run: () => unknown, variable: string, message: RegExp): void {
  assert.throws(run, (error: Error & { variable?: string }) => {
    assert.equal(error.name, "EnvError");
    assert.equal(error.variable, variable);
    assert.match(error.message, message);
    return true;
  });
}

/** How one service reads its MySQL settings and uses its database, for `describeMysqlTls`. */
export interface MysqlTlsCase<Config> {
  service: string;
  database: string;
  user: string;
  /** The service's names for the TLS mode and CA variables. */
  variables: MysqlTlsVariables;
  /** The environment the catalog gives the service, TLS variables apart. */
  env(secure: SecureDatabase): NodeJS.ProcessEnv;
  /** The service's own configuration reader. */
  load(env: NodeJS.ProcessEnv): Config;
  tlsOf(config: Config): MysqlTls | undefined;
  /** The service's own pool. */
  pool(config: Config): Pool;
  /** What the service does first with its database (its migrations). */
  firstUse(pool: Pool): Promise<unknown>;
  /** The service at work over TLS, after `firstUse`. */
  works(config: Config, pool: Pool, secure: SecureDatabase): Promise<void>;
}

/**
 * The service against a MariaDB that refuses plain text, as RDS does: with its TLS variables (as
 * the catalog sets them) it migrates and works over an encrypted session; without them the same
 * server refuses it (so the first test means something); bad TLS settings stop it naming the variable.
 */
export function describeMysqlTls<Config>(c: MysqlTlsCase<Config>): void {
  const { mode, ca } = c.variables;
  describe(`${c.service}: MySQL over verified TLS (${mode}, ${ca}), as RDS requires`, function () {
    this.timeout(60_000);
    let secure: SecureDatabase;
    let plain: NodeJS.ProcessEnv;
    const withPool = async (config: Config, use: (pool: Pool) => Promise<void>) => {
      const pool = c.pool(config);
      try {
        await use(pool);
      } finally {
        await pool.end();
      }
    };

    before(async () => {
      secure = await startSecureDatabase(c.database, c.user);
      plain = c.env(secure);
    });
    after(() => secure?.db.stop());

    it(`with ${mode}=verify-identity and ${ca} migrates and works over an encrypted session`, async () => {
      const config = c.load({ ...plain, [mode]: "verify-identity", [ca]: secure.caFile });
      assert.equal(c.tlsOf(config)?.mode, "verify-identity");
      await withPool(config, async (pool) => {
        await c.firstUse(pool);
        await assertPoolEncrypted(pool);
        await c.works(config, pool, secure);
      });
    });

    it(`${ca} alone means verify-identity; ${mode}=verify-ca (the chain only) connects too`, async () => {
      assert.equal(c.tlsOf(c.load({ ...plain, [ca]: secure.caFile }))?.mode, "verify-identity");
      const config = c.load({ ...plain, [mode]: "verify-ca", [ca]: secure.caFile });
      assert.equal(c.tlsOf(config)?.mode, "verify-ca");
      await withPool(config, assertPoolEncrypted);
    });

    it("without the TLS variables the same server refuses it", async () => {
      const config = c.load(plain);
      assert.equal(c.tlsOf(config), undefined);
      await withPool(config, (pool) => assert.rejects(c.firstUse(pool), PLAIN_TEXT_REFUSED));
    });

    it("refuses a bad mode, verification without a CA, an unreadable CA or one without a certificate, naming the variable", () => {
      const load = (extra: NodeJS.ProcessEnv) => () => c.load({ ...plain, ...extra });
      const modes = "disabled, verify-ca, verify-identity";
      assertEnvError(load({ [mode]: "required" }), mode, new RegExp(`${mode} must be one of ${modes}`));
      assertEnvError(
        load({ [mode]: "verify-ca" }),
        ca,
        new RegExp(`${ca} is required when ${mode} is verify-ca`),
      );
      assertEnvError(
        load({ [ca]: "/nonexistent/ca.pem" }),
        ca,
        new RegExp(`${ca}: cannot read the CA bundle`),
      );
      assertEnvError(load({ [ca]: __filename }), ca, new RegExp(`${ca}: .* holds no PEM certificate`));
    });
  });
}
