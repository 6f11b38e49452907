import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { Cluster } from "ioredis";
import { readServerConfig } from "../../apps/buffs-server/src/config";
import { freePort, ManagedProcess, sharedDependencies, throwAwayDir } from "../../local/deps";
import { type BuffsSystem, eventually, getBuffs, metric, postBuff, startBuffsSystem } from "./buffs-fixtures";

const run = promisify(execFile);

/** Three Redis masters in cluster mode, the slots spread over them by `redis-cli --cluster create`. */
async function startRedisCluster(): Promise<{ ports: number[]; processes: ManagedProcess[] }> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const processes = ports.map((port) => {
    const dir = throwAwayDir("redis-cluster");
    return new ManagedProcess({
      name: `redis-cluster-${port}`,
      command: "redis-server",
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        join(dir, "nodes.conf"),
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      logFile: join(dir, "redis.log"),
    });
  });
  for (const process of processes) process.start();
  for (const port of ports)
    await eventually(`redis on ${port} to answer`, async () =>
      (await run("redis-cli", ["-p", String(port), "ping"])).stdout.includes("PONG"),
    );
  await run("redis-cli", [
    "--cluster",
    "create",
    ...ports.map((port) => `127.0.0.1:${port}`),
    "--cluster-replicas",
    "0",
    "--cluster-yes",
  ]);
  for (const port of ports)
    await eventually(`node ${port} to see the cluster ok`, async () =>
      (await run("redis-cli", ["-p", String(port), "cluster", "info"])).stdout.includes("cluster_state:ok"),
    );
  return { ports, processes };
}

describe("buffs: REDISHOSTS with several hosts uses Redis Cluster", function () {
  this.timeout(180_000);
  let cluster: { ports: number[]; processes: ManagedProcess[] } | undefined;
  let system: BuffsSystem | undefined;

  before(async () => {
    cluster = await startRedisCluster();
  });
  after(async () => {
    await system?.close();
    await Promise.all((cluster?.processes ?? []).map((process) => process.kill()));
  });

  it("caches GET /buffs in the cluster and invalidates it there", async () => {
    const hosts = cluster!.ports.map((port) => `127.0.0.1:${port}`).join(",");
    const { redis } = readServerConfig({
      MQHOST: "unused",
      DBHOST: "unused",
      DBNAME: "unused",
      DBUSER: "unused",
      REDISHOSTS: hosts,
    });
    system = await startBuffsSystem(await sharedDependencies(), { redis });
    assert.ok(system.server.redis instanceof Cluster, "more than one host gives an ioredis Cluster client");

    const response = await postBuff(system.dashboard.url, { question: "clustered?", answers: ["yes", "no"] });
    const { id } = (await response.json()) as { id: string };
    await eventually("the Buff to be served", async () =>
      (await getBuffs(system!.server.url)).some((b) => b.buffId === id),
    );
    // A read that overlaps the Buff's invalidation rightly skips the fill: read again.
    const cached = await eventually("the list to be cached in the cluster", async () => {
      await getBuffs(system!.server.url);
      return system!.server.redis.get(system!.cacheKey);
    });
    assert.ok(JSON.parse(cached).some((b: { buffId: string }) => b.buffId === id));
    const hitsBefore = await metric(system.server.url, "buffs_cache_requests_total", { result: "hit" });
    await getBuffs(system.server.url);
    assert.equal(
      await metric(system.server.url, "buffs_cache_requests_total", { result: "hit" }),
      hitsBefore + 1,
    );

    const second = await postBuff(system.dashboard.url, { question: "again?", answers: ["yes", "no"] });
    const { id: secondId } = (await second.json()) as { id: string };
    await eventually("the second Buff to be served after the invalidation", async () =>
      (await getBuffs(system!.server.url)).some((b) => b.buffId === secondId),
    );
  });
});
