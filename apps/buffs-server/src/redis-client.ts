import { Cluster, Redis } from "ioredis";
import { EnvError } from "../../../lib/service-kit";

export interface RedisNode {
  host: string;
  port: number;
}

/** `REDISHOSTS` items are `host` or `host:port` (default port 6379). */
export function parseRedisHosts(items: string[]): RedisNode[] {
  if (items.length === 0) throw new EnvError("REDISHOSTS", "REDISHOSTS must name at least one host");
  return items.map((item) => {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(item);
    const port = match?.[2] === undefined ? 6379 : Number(match[2]);
    if (!match || port < 1 || port > 65535)
      throw new EnvError(
        "REDISHOSTS",
        `REDISHOSTS items must be host or host:port (got ${JSON.stringify(item)})`,
      );
    return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
  });
}

/** Redis is a cache here: a command fails fast when it is unreachable, and the caller falls back to MySQL. */
const FAIL_FAST = {
  enableOfflineQueue: false,
  // Commands issued in the same tick share one write: many concurrent requests, few syscalls.
  enableAutoPipelining: true,
  commandTimeout: 500,
  maxRetriesPerRequest: 0,
  retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2000),
} as const;

/**
 * One host: a plain client. More than one: cluster mode, as the original did. With `tls` the
 * connection is TLS, verified against the system's CAs (ElastiCache's in-transit encryption).
 */
export function createRedisClient(
  nodes: RedisNode[],
  password: string | undefined,
  tls = false,
): Redis | Cluster {
  const transport = tls ? { tls: {} } : {};
  if (nodes.length === 1) {
    const [node] = nodes as [RedisNode];
    return new Redis({ ...node, password, ...transport, ...FAIL_FAST });
  }
  return new Cluster(nodes, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    clusterRetryStrategy: FAIL_FAST.retryStrategy,
    // ElastiCache cluster endpoints present certificates for their own names: keep the hostnames.
    dnsLookup: (address, callback) => callback(null, address),
    redisOptions: { password, ...transport, ...FAIL_FAST },
  });
}

/**
 * Resolves once the client is ready or after `timeoutMs`, whichever comes first: the server starts
 * without Redis, but should not log a spurious outage for requests that arrive during the connect.
 */
export function readyOrTimeout(client: Redis | Cluster, timeoutMs: number): Promise<boolean> {
  if (client.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), timeoutMs);
    const onReady = () => finish(true);
    function finish(ready: boolean) {
      clearTimeout(timer);
      client.off("ready", onReady);
      resolve(ready);
    }
    client.once("ready", onReady);
  });
}
