import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { RowDataPacket } from "mysql2";
import type { Pool } from "mysql2/promise";
import { BuffCache } from "../../apps/buffs-server/src/buff-cache";
import { createDbPool, MysqlBuffRepository } from "../../apps/buffs-server/src/buff-repository";
import { BuffsReader } from "../../apps/buffs-server/src/buffs-reader";
import { MIGRATIONS, runMigrations } from "../../apps/buffs-server/src/migrations";
import { createRedisClient, readyOrTimeout } from "../../apps/buffs-server/src/redis-client";
import { type SharedDependencies, sharedDependencies } from "../../local/deps";

/** The original's table, as GORM AutoMigrate created it for `gorm.Model` + question + answers. */
const ORIGINAL_GORM_TABLE = `CREATE TABLE buffs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  created_at DATETIME(3) NULL, updated_at DATETIME(3) NULL, deleted_at DATETIME(3) NULL,
  question LONGTEXT, answers JSON, INDEX idx_buffs_deleted_at (deleted_at))`;

const uniqueName = (prefix: string) => `${prefix}_${randomBytes(4).toString("hex")}`;

const silentLog = { info() {}, warn() {}, error() {}, debug() {} } as never;

describe("buffs: storage on real MariaDB and Redis", function () {
  this.timeout(180_000);
  let deps: SharedDependencies;
  const pools: Pool[] = [];

  before(async () => {
    deps = await sharedDependencies();
  });
  after(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  async function freshDatabase(): Promise<{ pool: Pool; database: string }> {
    const database = uniqueName("buffs");
    await deps.mysql.createDatabase(database, database, "storage-test");
    const pool = createDbPool({
      host: deps.mysql.host,
      port: deps.mysql.port,
      database,
      user: database,
      password: "storage-test",
    });
    pools.push(pool);
    return { pool, database };
  }

  it("migrations apply once, and two replicas starting together do not race", async () => {
    const { pool, database } = await freshDatabase();
    const [first, second] = await Promise.all([runMigrations(pool), runMigrations(pool)]);
    assert.deepEqual(
      [...first!, ...second!].sort(),
      MIGRATIONS.map((m) => m.version),
    );
    assert.deepEqual(await runMigrations(pool), []);
    const [columns] = await pool.query<RowDataPacket[]>(
      "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = 'buffs' ORDER BY ordinal_position",
      [database],
    );
    assert.deepEqual(
      columns.map((row) => row.c),
      ["id", "buff_id", "created_at", "updated_at", "deleted_at", "question", "answers"],
    );
  });

  it("adopts the original's GORM table with its rows, and serves them in the original's shape", async () => {
    const { pool } = await freshDatabase();
    await pool.query(ORIGINAL_GORM_TABLE);
    await pool.query(
      `INSERT INTO buffs (created_at, updated_at, question, answers) VALUES (NOW(3), NOW(3), 'old?', '["a","b"]')`,
    );
    await pool.query(
      `INSERT INTO buffs (created_at, updated_at, deleted_at, question, answers) VALUES (NOW(3), NOW(3), NOW(3), 'deleted', '["a","b"]')`,
    );
    await runMigrations(pool);
    const repository = new MysqlBuffRepository(pool);
    assert.equal(await repository.insert({ id: "new-1", question: "new?", answers: ["x", "y"] }), "stored");
    const list = await repository.list();
    assert.deepEqual(
      list.map(({ ID, buffId, question, answers, DeletedAt }) => ({
        ID,
        buffId,
        question,
        answers,
        DeletedAt,
      })),
      [
        { ID: 1, buffId: null, question: "old?", answers: ["a", "b"], DeletedAt: null },
        { ID: 3, buffId: "new-1", question: "new?", answers: ["x", "y"], DeletedAt: null },
      ],
    );
    assert.match(list[1]!.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("an insert with a stored id changes nothing and says duplicate", async () => {
    const { pool } = await freshDatabase();
    await runMigrations(pool);
    const repository = new MysqlBuffRepository(pool);
    const buff = { id: "same", question: "once?", answers: ["yes", "no"] };
    assert.equal(await repository.insert(buff), "stored");
    assert.equal(await repository.insert({ ...buff, question: "changed?" }), "duplicate");
    const list = await repository.list();
    assert.equal(list.length, 1);
    assert.equal(list[0]!.question, "once?");
  });

  it("the reader fills the cache, serves hits from it, and an invalidation drops it", async () => {
    const { pool } = await freshDatabase();
    await runMigrations(pool);
    const repository = new MysqlBuffRepository(pool);
    const redis = createRedisClient([{ host: deps.redis.host, port: deps.redis.port }], deps.redis.password);
    assert.equal(await readyOrTimeout(redis, 10_000), true);
    const key = uniqueName("buffs");
    try {
      const counts = { hit: 0, miss: 0, reads: 0 };
      const cache = new BuffCache(redis, key, 10, silentLog, () => {});
      const reader = new BuffsReader(repository, cache, {
        cacheHit: () => counts.hit++,
        cacheMiss: () => counts.miss++,
        databaseRead: () => counts.reads++,
      });
      assert.equal(String(await reader.read()), "[]");
      assert.equal(String(await reader.read()), "[]");
      assert.deepEqual(counts, { hit: 1, miss: 1, reads: 1 });
      await repository.insert({ id: "r1", question: "q?", answers: ["a", "b"] });
      await reader.invalidate();
      assert.equal(await redis.exists(key), 0);
      assert.equal(JSON.parse(String(await reader.read())).length, 1);
      assert.equal(counts.reads, 2);
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
  });

  it("a read that began before a Buff was stored does not write its stale list to the cache", async () => {
    const { pool } = await freshDatabase();
    await runMigrations(pool);
    const real = new MysqlBuffRepository(pool);
    const redis = createRedisClient([{ host: deps.redis.host, port: deps.redis.port }], deps.redis.password);
    assert.equal(await readyOrTimeout(redis, 10_000), true);
    const key = uniqueName("buffs");
    try {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let listed: () => void = () => {};
      const listing = new Promise<void>((resolve) => {
        listed = resolve;
      });
      const slow = {
        ...real,
        insert: real.insert.bind(real),
        ping: real.ping.bind(real),
        list: async () => {
          const rows = await real.list();
          listed();
          await held;
          return rows;
        },
      };
      const reader = new BuffsReader(slow, new BuffCache(redis, key, 10, silentLog, () => {}), {
        cacheHit() {},
        cacheMiss() {},
        databaseRead() {},
      });
      const stale = reader.read();
      await listing;
      await real.insert({ id: "late", question: "late?", answers: ["a", "b"] });
      await reader.invalidate();
      release();
      assert.equal(String(await stale), "[]");
      assert.equal(await redis.exists(key), 0);
    } finally {
      redis.disconnect();
    }
  });
});
