import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createDbPool, MysqlBuffRepository } from "../../apps/buffs-server/src/buff-repository";
import { readServerConfig } from "../../apps/buffs-server/src/config";
import { runMigrations } from "../../apps/buffs-server/src/migrations";
import { describeMysqlTls } from "./mysql-tls-fixture";

describeMysqlTls({
  service: "buffs-server",
  database: "buffs",
  user: "buffs_server",
  variables: { mode: "DBTLSMODE", ca: "DBTLSCA" },
  env: (secure) => ({
    MQHOST: "127.0.0.1",
    REDISHOSTS: "127.0.0.1:6379",
    DBHOST: secure.db.host,
    DBPORT: String(secure.db.port),
    DBNAME: secure.database,
    DBUSER: secure.user,
    DBPASS: secure.password,
  }),
  load: readServerConfig,
  tlsOf: (config) => config.db.tls,
  pool: (config) => createDbPool(config.db),
  firstUse: runMigrations,
  works: async (_config, pool) => {
    const repository = new MysqlBuffRepository(pool);
    const id = randomUUID();
    assert.equal(await repository.insert({ id, question: "secure?", answers: ["yes", "no"] }), "stored");
    assert.ok((await repository.list()).some((b) => b.buffId === id));
  },
});
