/**
 * GET /buffs served from the Redis cache, against a bare route of the same service kit answering
 * the same bytes from memory: the ratio is what the cache lookup costs. Load comes from
 * autocannon in a separate process (closed loop: each connection sends its next request when the
 * previous answer arrives). The sides alternate over rounds so drift on a shared machine hits
 * both alike. Run: `npm run bench -- buffs` or `tsx bench/buffs.ts`.
 */
import { MysqlBuffRepository } from "../apps/buffs-server/src/buff-repository";
import { startServer } from "../apps/buffs-server/src/server";
import { createService } from "../lib/service-kit";
import { startActiveMq, startMariaDb, startRedis } from "../local/deps";
import { type LoadResult, load as loadWith, meanOf, runStandalone, tableRow } from "./_shared";

const ROUNDS = 2;
const SECONDS_PER_SIDE = 5;
const CONNECTIONS = 32;
const SEEDED_BUFFS = 20;

const load = (url: string) => loadWith(url, { connections: CONNECTIONS, seconds: SECONDS_PER_SIDE });

export async function run(_opts: { json: boolean }): Promise<Record<string, number>> {
  const [mysql, redis, activemq] = await Promise.all([startMariaDb(), startRedis(), startActiveMq()]);
  await mysql.createDatabase("buffs", "buffs", "bench-password");
  const server = await startServer(
    {
      port: 0,
      mq: {
        host: activemq.host,
        port: activemq.stompPort,
        login: activemq.user,
        passcode: activemq.password,
        tls: false,
      },
      destination: "/queue/buffs",
      deadLetterDestination: "/queue/DLQ.buffs",
      prefetch: 10,
      db: {
        host: mysql.host,
        port: mysql.port,
        database: "buffs",
        user: "buffs",
        password: "bench-password",
      },
      redis: { nodes: [{ host: redis.host, port: redis.port }] },
      cacheKey: "buffs",
      cacheTtlSeconds: 10,
    },
    // stdout carries the figures (with --json); logs go to stderr.
    { logLevel: "warn", logStream: process.stderr },
  );
  const bare = createService({ name: "bench-bare", port: 0, logLevel: "warn", logStream: process.stderr });
  try {
    const repository = new MysqlBuffRepository(server.pool);
    for (let i = 0; i < SEEDED_BUFFS; i++)
      await repository.insert({
        id: `bench-${i}`,
        question: `Who scores next? (${i})`,
        answers: ["home", "away", "nobody"],
      });
    const body = await (await fetch(`${server.url}/buffs`)).text();
    bare.app.get("/bare", async (_request, reply) =>
      reply.type("application/json; charset=utf-8").send(body),
    );
    const bareUrl = await bare.listen();

    const sides = { bare: [] as LoadResult[], buffs: [] as LoadResult[] };
    for (let round = 0; round < ROUNDS; round++) {
      sides.bare.push(await load(`${bareUrl}/bare`));
      sides.buffs.push(await load(`${server.url}/buffs`));
    }
    const figures = {
      bare_rps: Math.round(meanOf(sides.bare, "rps")),
      buffs_cache_hit_rps: Math.round(meanOf(sides.buffs, "rps")),
      ratio_percent: Math.round((meanOf(sides.buffs, "rps") / meanOf(sides.bare, "rps")) * 1000) / 10,
      bare_p50_ms: meanOf(sides.bare, "p50"),
      bare_p99_ms: meanOf(sides.bare, "p99"),
      buffs_p50_ms: meanOf(sides.buffs, "p50"),
      buffs_p99_ms: meanOf(sides.buffs, "p99"),
      response_bytes: Buffer.byteLength(body),
    };
    console.log(
      `${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS_PER_SIDE} s per side, ${figures.response_bytes}-byte JSON body`,
    );
    console.table({
      "bare route (same kit, same bytes)": tableRow(
        figures.bare_rps,
        figures.bare_p50_ms,
        figures.bare_p99_ms,
      ),
      "GET /buffs (Redis cache hit)": tableRow(
        figures.buffs_cache_hit_rps,
        figures.buffs_p50_ms,
        figures.buffs_p99_ms,
      ),
    });
    console.log(`GET /buffs reaches ${figures.ratio_percent}% of the bare route's throughput (target ≥ 70%)`);
    return figures;
  } finally {
    await Promise.all([bare.close(), server.close()]);
    await Promise.all([mysql.stop(), redis.stop(), activemq.stop()]);
  }
}

if (require.main === module) runStandalone(run);
