import type { BuffCache } from "./buff-cache";
import type { BuffRepository } from "./buff-repository";
import { SingleFlight } from "./single-flight";

export interface ReaderEvents {
  cacheHit(): void;
  cacheMiss(): void;
  databaseRead(): void;
}

/**
 * `GET /buffs` as JSON text: from Redis when cached, else from MySQL, which then fills the cache.
 * Concurrent misses share one database read. A read that started before a Buff was stored does
 * not fill the cache, so a fresh invalidation is not undone by an older, stale list.
 */
export class BuffsReader {
  private readonly loads = new SingleFlight<string>();
  private generation = 0;

  constructor(
    private readonly repository: BuffRepository,
    private readonly cache: BuffCache,
    private readonly events: ReaderEvents,
  ) {}

  async read(): Promise<string> {
    const cached = await this.cache.get();
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
    this.loads.forget("buffs");
    await this.cache.invalidate();
  }

  private async load(): Promise<string> {
    const generation = this.generation;
    this.events.databaseRead();
    const json = JSON.stringify(await this.repository.list());
    if (generation === this.generation) await this.cache.set(json);
    return json;
  }
}
