import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import Redis from "ioredis";
import mysql from "mysql2/promise";
import {
  type ActiveMq,
  brokerStatistics,
  type Dynalite,
  freePort,
  type MariaDb,
  PortInUseError,
  type Redis as RedisServer,
  StartupError,
  startActiveMq,
  startDynalite,
  startMariaDb,
  startRedis,
} from "../../local/deps";
import { stompConnects } from "../../local/deps/probes";
import { nackUntilDeadLettered, stompRoundTrip } from "./stomp-exchange";

/** Resolves once `probe` rejects (the server stopped answering), polling with a deadline. */
async function untilRefused(probe: () => Promise<unknown>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probe();
    } catch {
      return;
    }
    if (Date.now() > deadline) assert.fail(`${what} still answers`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("local/deps: real servers on free ports", function () {
  this.timeout(120_000);

  describe("MariaDB", () => {
    let db: MariaDb;
    before(async () => {
      db = await startMariaDb();
    });
    after(() => db?.stop());

    it("answers a real query as an application user", async () => {
      await db.createDatabase("shop", "shop_user", "s3cret");
      await db.createDatabase("shop", "shop_user", "s3cret"); // idempotent
      const connection = await mysql.createConnection(db.connectionOptions("shop_user", "s3cret", "shop"));
      await connection.query("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
      await connection.query("INSERT INTO items VALUES (1, 'sword')");
      const [rows] = await connection.query("SELECT name FROM items WHERE id = 1");
      await connection.end();
      assert.deepEqual(rows, [{ name: "sword" }]);
    });

    it("stops answering when killed, and after a restart on the same port still has its rows", async () => {
      const port = db.port;
      await db.kill();
      assert.equal(db.running, false);
      await untilRefused(() => db.query("SELECT 1"), "MariaDB");
      await db.restart();
      assert.equal(db.port, port);
      const rows = await db.query<{ name: string }[]>("SELECT name FROM shop.items");
      assert.deepEqual(rows, [{ name: "sword" }]);
    });

    it("keeps its output in a log file in the data dir", () => {
      assert.match(readFileSync(db.logFile, "utf8"), /ready for connections/);
      assert.ok(db.logFile.startsWith(db.dataDir));
    });
  });

  describe("MariaDB with TLS required", () => {
    let db: MariaDb;
    before(async () => {
      db = await startMariaDb({ tls: true, requireSecureTransport: true });
    });
    after(() => db?.stop());

    it("accepts a connection that verifies the generated CA, over TLS", async () => {
      assert.ok(db.tls && existsSync(db.tls.caFile) && existsSync(db.tls.certFile));
      await db.createDatabase("todo", "todo_user", "pw-todo", { requireTls: true });
      const connection = await mysql.createConnection({
        host: "127.0.0.1",
        port: db.port,
        user: "todo_user",
        password: "pw-todo",
        ssl: { ca: readFileSync(db.tls.caFile, "utf8"), rejectUnauthorized: true },
      });
      const [rows] = await connection.query("SHOW SESSION STATUS LIKE 'Ssl_version'");
      await connection.end();
      assert.match((rows as { Value: string }[])[0]!.Value, /^TLSv1\.[23]$/);
    });

    it("refuses a plain-text connection with credentials that work over TLS", async () => {
      const plain = { host: "127.0.0.1", port: db.port, user: "root", password: db.rootPassword };
      // MariaDB reports a refused insecure transport as "Access denied".
      await assert.rejects(mysql.createConnection(plain), /Access denied/);
      const secure = await mysql.createConnection({
        ...plain,
        ssl: { ca: readFileSync(db.tls!.caFile, "utf8") },
      });
      await secure.end();
    });

    it("refuses a client that does not trust the CA", async () => {
      await assert.rejects(
        mysql.createConnection({
          host: "127.0.0.1",
          port: db.port,
          user: "root",
          password: db.rootPassword,
          ssl: { rejectUnauthorized: true },
        }),
        /self[- ]signed|unable to verify|certificate/i,
      );
    });
  });

  describe("Redis", () => {
    let server: RedisServer;
    const client = () =>
      new Redis({
        port: server.port,
        password: server.password,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      }).on("error", () => undefined); // failures surface as rejected commands
    before(async () => {
      server = await startRedis({ password: "redis-pw", maxmemory: "32mb" });
    });
    after(() => server?.stop());

    it("answers PING and requires its password", async () => {
      const redis = client();
      await redis.connect();
      assert.equal(await redis.ping(), "PONG");
      await redis.set("buff:1", "ready");
      redis.disconnect();
      const anonymous = new Redis({
        port: server.port,
        lazyConnect: true,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      await anonymous.connect();
      await assert.rejects(anonymous.get("buff:1"), /NOAUTH/);
      anonymous.disconnect();
    });

    it("stops answering when killed, and after a restart still has its keys (append-only file)", async () => {
      await server.kill();
      await untilRefused(async () => {
        const redis = client();
        try {
          await redis.connect();
        } finally {
          redis.disconnect();
        }
      }, "Redis");
      await server.restart();
      const redis = client();
      await redis.connect();
      assert.equal(await redis.get("buff:1"), "ready");
      redis.disconnect();
    });
  });

  describe("ActiveMQ (STOMP)", () => {
    let broker: ActiveMq;
    before(async () => {
      broker = await startActiveMq({ user: "app", password: "amq-pw" });
    });
    after(() => broker?.stop());

    it("delivers a message sent over STOMP", async () => {
      const queue = "/queue/harness.roundtrip";
      await stompRoundTrip(broker.stompPort, "app", "amq-pw", {
        send: { destination: queue, body: "first" },
      });
      const body = await stompRoundTrip(broker.stompPort, "app", "amq-pw", { receiveFrom: queue });
      assert.equal(body, "first");
    });

    it("redelivers a NACKed message, then moves it to DLQ.<queue> after the configured redeliveries", async () => {
      const dlqBroker = await startActiveMq({
        redelivery: { maxRedeliveries: 2, initialDelayMs: 1000, backOffMultiplier: 1 },
      });
      try {
        const result = await nackUntilDeadLettered(
          dlqBroker.stompPort,
          dlqBroker.user,
          dlqBroker.password,
          "poison",
          "bad",
        );
        assert.deepEqual(result, { deliveries: 3, deadLettered: "bad" });
      } finally {
        await dlqBroker.stop();
      }
    });

    it("reports queue depth and broker totals through the statistics plugin", async () => {
      const queue = "harness.stats";
      for (const body of ["one", "two"]) {
        await stompRoundTrip(broker.stompPort, "app", "amq-pw", {
          send: { destination: `/queue/${queue}`, body },
        });
      }
      const statistics = await brokerStatistics(broker, queue);
      assert.equal(statistics.size, 2);
      assert.equal(statistics.enqueueCount, 2);
      assert.equal(statistics.destinationName, `queue://${queue}`);
      const totals = await brokerStatistics(broker);
      assert.equal(totals.brokerName, "local");
      assert.ok(Number(totals.size) >= 2);
    });

    it("rejects wrong credentials", async () => {
      await assert.rejects(stompConnects(broker.stompPort, "app", "wrong"), /ERROR/);
    });

    it("stops answering when killed, and after a restart still delivers a persistent message sent before", async () => {
      const queue = "/queue/harness.durable";
      await stompRoundTrip(broker.stompPort, "app", "amq-pw", { send: { destination: queue, body: "kept" } });
      await broker.kill();
      await untilRefused(() => stompConnects(broker.stompPort, "app", "amq-pw"), "ActiveMQ");
      await broker.restart();
      const body = await stompRoundTrip(broker.stompPort, "app", "amq-pw", { receiveFrom: queue });
      assert.equal(body, "kept");
    });
  });

  describe("dynalite", () => {
    let dynamo: Dynalite;
    const client = () =>
      new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: dynamo.region,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        maxAttempts: 1,
      });
    before(async () => {
      dynamo = await startDynalite({ createTableMs: 0 });
    });
    after(() => dynamo?.stop());

    it("answers ListTables and creates a table", async () => {
      const dynamodb = client();
      assert.deepEqual((await dynamodb.send(new ListTablesCommand({}))).TableNames, []);
      await dynamodb.send(
        new CreateTableCommand({
          TableName: "orders",
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      assert.deepEqual((await dynamodb.send(new ListTablesCommand({}))).TableNames, ["orders"]);
      dynamodb.destroy();
    });

    it("stops answering when killed, and after a restart still has its table", async () => {
      await dynamo.kill();
      const dynamodb = client();
      await untilRefused(() => dynamodb.send(new ListTablesCommand({})), "dynalite");
      await dynamo.restart();
      assert.deepEqual((await dynamodb.send(new ListTablesCommand({}))).TableNames, ["orders"]);
      dynamodb.destroy();
    });
  });

  describe("failures", () => {
    it("names the port and the server when a given port is taken", async () => {
      const redis = await startRedis();
      try {
        await assert.rejects(startRedis({ port: redis.port }), (error: unknown) => {
          assert.ok(error instanceof PortInUseError);
          assert.match(
            error.message,
            new RegExp(`port ${redis.port} \\(wanted by Redis on port ${redis.port}\\) is already in use`),
          );
          return true;
        });
      } finally {
        await redis.stop();
      }
    });

    it("reports a server that dies at startup with the tail of its output", async () => {
      const port = await freePort();
      await assert.rejects(startRedis({ port, maxmemory: "not-a-size" }), (error: unknown) => {
        assert.ok(error instanceof StartupError);
        assert.match(error.message, /redis exited .* before it was ready/);
        assert.match(error.message, /last lines of redis's output[\s\S]*maxmemory/i);
        return true;
      });
    });

    it("keeps the data dir it was given", async () => {
      const dynamo = await startDynalite();
      const dir = dynamo.dataDir;
      await dynamo.stop();
      assert.ok(existsSync(join(dir, "dynalite.log")));
    });
  });
});
