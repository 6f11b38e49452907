import type { BuffCache } from "./buff-cache";
import type { BuffRepository } from "./buff-repository";
import { SingleFlight } from "./single-flight";

export interface ReaderEvents {
  cacheHit(): void;
  cacheMiss(): void;
  databaseRead(): void;
}

/**
 * `GET /buffs` as JSON bytes: from Redis when cached, else from MySQL, which then fills the cache.
 * Concurrent requests share one Redis GET, and concurrent misses share one database read. A read
 * that started before a Buff was stored neither fills the cache nor is joined by later requests,
 * so a fresh invalidation is not undone by an older, stale list.
 */
export class BuffsReader {
  private readonly cacheReads = new SingleFlight<Buffer | null>();
  private readonly loads = new SingleFlight<Buffer>();
  private generation = 0;

  constructor(
    private readonly repository: BuffRepository,
    private readonly cache: BuffCache,
    private readonly events: ReaderEvents,
  ) {}

  async read(): Promise<Buffer> {
    const cached = await this.cacheReads.run("buffs", () => this.cache.get());
    if (cached !== null) {
      this.events.cacheHit();
      return cached;
    }
    this.events.cacheMiss();
    return this.loads.run("buffs", () => this.load());
  }

  /** Called after a Buff is committed. */
  async invalidate(): Promise<void> {
    this.generation++;
    this.cacheReads.forget("buffs");
    this.loads.forget("buffs");
    await this.cache.invalidate();
  }

  private async load(): Promise<Buffer> {
    const generation = this.generation;
    this.events.databaseRead();
    const json = Buffer.from(JSON.stringify(await this.repository.list()));
    if (generation === this.generation) await this.cache.set(json);
    return json;
  }
}
