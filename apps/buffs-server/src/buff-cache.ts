import type { FastifyBaseLogger } from "fastify";
import type { Cluster, Redis } from "ioredis";

/**
 * The list of Buffs as JSON in one Redis key (the original's `buffs`). Redis is an optimisation here, never a dependency: every operation
 * swallows errors (the caller falls back to MySQL), and an outage is logged once when it starts
 * and once when it ends, not once per request.
 */
export class BuffCache {
  private failing = false;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly key: string,
    private readonly ttlSeconds: number,
    private readonly log: FastifyBaseLogger,
    private readonly onError: (operation: string) => void,
  ) {}

  /** The cached JSON, or null on a miss or when Redis cannot answer. Bytes, not text: they are sent as they are. */
  async get(): Promise<Buffer | null> {
    return this.attempt("get", () => this.redis.getBuffer(this.key), null);
  }

  async set(json: Buffer): Promise<void> {
    await this.attempt("set", () => this.redis.set(this.key, json, "EX", this.ttlSeconds), null);
  }

  async invalidate(): Promise<void> {
    await this.attempt("invalidate", () => this.redis.del(this.key), 0);
  }

  private async attempt<T, F>(operation: string, run: () => Promise<T>, fallback: F): Promise<T | F> {
    try {
      const result = await run();
      if (this.failing) {
        this.failing = false;
        this.log.info("redis answers again: cache back in use");
      }
      return result;
    } catch (error) {
      this.onError(operation);
      if (!this.failing) {
        this.failing = true;
        this.log.warn({ err: error, operation }, "redis unavailable: serving from MySQL until it is back");
      }
      return fallback;
    }
  }
}
