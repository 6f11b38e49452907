import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import mysql from "mysql2/promise";
import { RDS_CA_BUNDLE_PATH } from "../../components/service-fleet/container";
import { type MariaDb, startMariaDb } from "../../local/deps";
import { databaseInitContainer } from "../../platform/aws/database-init";

/**
 * The `create-database` init container's script, run by `sh` against a real MariaDB that requires
 * TLS, as ECS would run it: the same command and environment, secrets as environment variables.
 * Only the CA bundle's path differs (the local server's CA instead of the RDS bundle).
 */
describe("AWS database init container (real MariaDB)", function () {
  this.timeout(60_000);
  let db: MariaDb;

  before(async () => {
    db = await startMariaDb({ requireSecureTransport: true });
  });
  after(async () => {
    await db?.stop();
  });

  function runInit(
    database: string,
    user: string,
    password: string,
  ): Promise<{ code: number; stderr: string }> {
    const init = databaseInitContainer(
      database,
      { host: "127.0.0.1", port: db.port, username: db.rootUser, secretArn: "arn:master" },
      { username: user, secretArn: "arn:account" },
    );
    const [shell, flag, script] = init.command as [string, string, string];
    assert.ok(script.includes(RDS_CA_BUNDLE_PATH));
    const child = spawn(shell, [flag, script.replace(RDS_CA_BUNDLE_PATH, db.tls!.caFile)], {
      env: {
        PATH: process.env.PATH,
        DB_HOST: "127.0.0.1",
        DB_PORT: String(db.port),
        DB_USER: db.rootUser,
        MYSQL_PWD: db.rootPassword,
        SERVICE_DB_PASSWORD: password,
      },
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stderr })));
  }

  async function login(user: string, password: string, database?: string) {
    return mysql.createConnection(db.connectionOptions(user, password, database));
  }

  it("creates the database and the service's own account, REQUIRE SSL, granted that database only", async () => {
    const result = await runInit("shop", "shop-api", "FirstPassword123");
    assert.equal(result.code, 0, result.stderr);
    const conn = await login("shop-api", "FirstPassword123", "shop");
    try {
      await conn.query("CREATE TABLE items (id INT PRIMARY KEY)");
      await conn.query("INSERT INTO items VALUES (1)");
      await assert.rejects(conn.query("SELECT * FROM mysql.user"), /denied/i);
      await assert.rejects(conn.query("CREATE DATABASE other"), /denied/i);
    } finally {
      await conn.end();
    }
    const [row] = await db.query<Record<string, string>[]>("SHOW CREATE USER 'shop-api'@'%'");
    assert.match(Object.values(row!)[0]!, /REQUIRE SSL/);
  });

  it("is idempotent and applies a replaced password", async () => {
    assert.equal((await runInit("shop", "shop-api", "FirstPassword123")).code, 0);
    const result = await runInit("shop", "shop-api", "SecondPassword456");
    assert.equal(result.code, 0, result.stderr);
    await assert.rejects(login("shop-api", "FirstPassword123", "shop"), /denied/i);
    const conn = await login("shop-api", "SecondPassword456", "shop");
    try {
      const [rows] = await conn.query("SELECT id FROM items");
      assert.deepEqual(rows, [{ id: 1 }], "the data survives");
    } finally {
      await conn.end();
    }
  });

  it("refuses a password that could break out of the SQL string, and creates nothing", async () => {
    const result = await runInit("evil", "evil-svc", "x' OR '1'='1");
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /SERVICE_DB_PASSWORD must be letters and digits only/);
    const rows = await db.query<unknown[]>("SELECT User FROM mysql.user WHERE User = 'evil-svc'");
    assert.deepEqual(rows, []);
  });
});
