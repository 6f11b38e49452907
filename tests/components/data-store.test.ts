import assert from "node:assert/strict";
import { AwsDataStore, fitToCapacityBudget, mysqlParameterFamily } from "../../components/data-store";
import { ofType, runUnderMocks, Secret, single } from "../harness/pulumi-mocks";

const placement = { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-data"] };

describe("DataStore (aws)", () => {
  describe("mysql on RDS", () => {
    it("creates the subnet group, TLS parameter group, instance and generated credentials", async () => {
      const { resources } = await runUnderMocks(
        () => void new AwsDataStore("db", { engine: "mysql", placement, databases: ["todo", "buffs"] }),
      );
      const children = resources.filter((r) => r.custom).map((r) => r.type);
      assert.deepEqual(
        new Set(children),
        new Set([
          "random:index/randomPassword:RandomPassword",
          "aws:secretsmanager/secret:Secret",
          "aws:secretsmanager/secretVersion:SecretVersion",
          "aws:rds/subnetGroup:SubnetGroup",
          "aws:rds/parameterGroup:ParameterGroup",
          "aws:rds/instance:Instance",
        ]),
      );
      const db = single(resources, "aws:rds/instance:Instance").inputs;
      assert.equal(db.storageEncrypted, true);
      assert.equal(db.publiclyAccessible, false);
      assert.equal(db.backupRetentionPeriod, 7);
      assert.equal(db.instanceClass, "db.t3.micro");
      assert.equal(db.allocatedStorage, 20);
      assert.equal(db.multiAz, false);
      assert.equal(db.deletionProtection, false);
      assert.equal(db.skipFinalSnapshot, true);
      assert.equal(db.dbName, "todo");
      assert.ok(db.password instanceof Secret, "the master password is a secret input");
      const params = single(resources, "aws:rds/parameterGroup:ParameterGroup").inputs;
      assert.equal(params.family, "mysql8.4");
      assert.deepEqual(
        (params.parameters as { name: string; value: string }[]).find(
          (p) => p.name === "require_secure_transport",
        ),
        {
          name: "require_secure_transport",
          value: "1",
        },
      );
      const version = single(resources, "aws:secretsmanager/secretVersion:SecretVersion").inputs;
      assert.ok(version.secretString instanceof Secret, "the stored secret string is a secret");
    });

    it("turns on Multi-AZ, deletion protection and a final snapshot from args", async () => {
      const { resources } = await runUnderMocks(
        () =>
          void new AwsDataStore("db", {
            engine: "mysql",
            placement,
            multiAz: true,
            deletionProtection: true,
            backupRetentionDays: 14,
            maxAllocatedStorageGiB: 100,
          }),
      );
      const db = single(resources, "aws:rds/instance:Instance").inputs;
      assert.equal(db.multiAz, true);
      assert.equal(db.deletionProtection, true);
      assert.equal(db.skipFinalSnapshot, false);
      assert.equal(db.finalSnapshotIdentifier, "db-final");
      assert.equal(db.deleteAutomatedBackups, false, "automated backups outlive a deleted instance");
      assert.equal(db.backupRetentionPeriod, 14);
      assert.equal(db.maxAllocatedStorage, 100);
    });

    it("rejects impossible args synchronously", () => {
      assert.throws(() => new AwsDataStore("x", { engine: "mysql" }), /needs placement/);
      assert.throws(
        () => new AwsDataStore("x", { engine: "mysql", placement, backupRetentionDays: 0 }),
        /point-in-time/,
      );
      assert.throws(
        () => new AwsDataStore("x", { engine: "mysql", placement, maxAllocatedStorageGiB: 20 }),
        /maxAllocatedStorageGiB/,
      );
      assert.equal(mysqlParameterFamily("8.0.36"), "mysql8.0");
    });
  });

  describe("redis on ElastiCache", () => {
    it("encrypts at rest and in transit with a generated AUTH token and snapshots", async () => {
      const { resources } = await runUnderMocks(
        () => void new AwsDataStore("cache", { engine: "redis", placement }),
      );
      assert.deepEqual(
        new Set(resources.filter((r) => r.custom).map((r) => r.type)),
        new Set([
          "random:index/randomPassword:RandomPassword",
          "aws:secretsmanager/secret:Secret",
          "aws:secretsmanager/secretVersion:SecretVersion",
          "aws:elasticache/subnetGroup:SubnetGroup",
          "aws:elasticache/replicationGroup:ReplicationGroup",
        ]),
      );
      const group = single(resources, "aws:elasticache/replicationGroup:ReplicationGroup").inputs;
      assert.equal(group.atRestEncryptionEnabled, true);
      assert.equal(group.transitEncryptionEnabled, true);
      assert.ok(group.authToken instanceof Secret);
      assert.equal(group.nodeType, "cache.t3.micro");
      assert.equal(group.numCacheClusters, 1);
      assert.equal(group.automaticFailoverEnabled, false);
      assert.equal(group.snapshotRetentionLimit, 1);
      assert.equal(ofType(resources, "aws:elasticache/subnetGroup:SubnetGroup").length, 1);
    });

    it("a replica turns on automatic failover and Multi-AZ", async () => {
      const { resources } = await runUnderMocks(
        () => void new AwsDataStore("cache", { engine: "redis", placement, replicas: 1 }),
      );
      const group = single(resources, "aws:elasticache/replicationGroup:ReplicationGroup").inputs;
      assert.equal(group.numCacheClusters, 2);
      assert.equal(group.automaticFailoverEnabled, true);
      assert.equal(group.multiAzEnabled, true);
    });
  });

  describe("dynamodb tables", () => {
    const tables = [
      { name: "orders", hashKey: "id", readCapacity: 20, writeCapacity: 20 },
      { name: "events", hashKey: "pk", readCapacity: 10, writeCapacity: 5 },
    ];

    it("encrypts, turns on PITR and keeps provisioned capacity within the budget", async () => {
      const { resources } = await runUnderMocks(
        () => void new AwsDataStore("ddb", { engine: "dynamodb", tables, capacityBudget: 25 }),
      );
      const created = ofType(resources, "aws:dynamodb/table:Table");
      assert.deepEqual(created.map((t) => t.inputs.name).sort(), ["events", "orders"]);
      for (const t of created) {
        assert.deepEqual(t.inputs.serverSideEncryption, { enabled: true });
        assert.deepEqual(t.inputs.pointInTimeRecovery, { enabled: true });
        assert.equal(t.inputs.billingMode, "PROVISIONED");
      }
      const sum = (k: string) => created.reduce((n, t) => n + (t.inputs[k] as number), 0);
      assert.ok(sum("readCapacity") <= 25, `reads ${sum("readCapacity")}`);
      assert.ok(sum("writeCapacity") <= 25, `writes ${sum("writeCapacity")}`);
    });

    it("turns on TTL for a table that names its expiry attribute, and only for it", async () => {
      const { resources } = await runUnderMocks(
        () =>
          void new AwsDataStore("ddb", {
            engine: "dynamodb",
            tables: [{ ...tables[0]!, ttlAttribute: "expires_at" }, tables[1]!],
          }),
      );
      const [orders, events] = ["orders", "events"].map((n) =>
        single(resources, "aws:dynamodb/table:Table", `ddb-${n}`),
      );
      assert.deepEqual(orders!.inputs.ttl, { attributeName: "expires_at", enabled: true });
      assert.equal(events!.inputs.ttl, undefined);
    });

    it("on demand sets no capacity", async () => {
      const { resources } = await runUnderMocks(
        () => void new AwsDataStore("ddb", { engine: "dynamodb", tables, billingMode: "PAY_PER_REQUEST" }),
      );
      for (const t of ofType(resources, "aws:dynamodb/table:Table")) {
        assert.equal(t.inputs.billingMode, "PAY_PER_REQUEST");
        assert.equal(t.inputs.readCapacity, undefined);
      }
    });

    it("fits capacity to a budget, keeping at least one unit per table", () => {
      const fitted = fitToCapacityBudget(tables, 25);
      assert.deepEqual(
        fitted.map((t) => t.readCapacity),
        [16, 8],
      );
      assert.deepEqual(
        fitted.map((t) => t.writeCapacity),
        [20, 5],
      );
      const many = Array.from({ length: 5 }, (_, i) => ({
        name: `t${i}`,
        hashKey: "k",
        readCapacity: 1,
        writeCapacity: 100,
      }));
      const squeezed = fitToCapacityBudget(many, 5);
      assert.deepEqual(
        squeezed.map((t) => t.writeCapacity),
        [1, 1, 1, 1, 1],
      );
      assert.throws(() => fitToCapacityBudget(many, 4), /at least 5 units/);
      assert.deepEqual(fitToCapacityBudget(tables, 0), tables);
    });
  });
});
