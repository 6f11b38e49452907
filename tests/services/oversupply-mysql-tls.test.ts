import assert from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { readBackendConfig } from "../../apps/oversupply-backend/src/config";
import { createDatabasePool } from "../../apps/oversupply-backend/src/db/database";
import { migrate } from "../../apps/oversupply-backend/src/db/migrations";
import { describeMysqlTls, mysqlVariables } from "./mysql-tls-fixture";

describeMysqlTls({
  service: "oversupply-backend",
  database: "oversupply",
  user: "oversupply_backend",
  variables: { mode: "MYSQL_TLS_MODE", ca: "MYSQL_TLS_CA" },
  env: (secure) => ({
    ...mysqlVariables(secure),
    ACTIVEMQ_HOST: "127.0.0.1",
    CALLBACK_SECRET: "secret",
  }),
  load: readBackendConfig,
  tlsOf: (config) => config.mysql.tls,
  pool: (config) => createDatabasePool(config.mysql),
  firstUse: migrate,
  works: async (_config, pool) => {
    const [rows] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM registrations");
    assert.equal(Number(rows[0]?.n), 0);
  },
});
