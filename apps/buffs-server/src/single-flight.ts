/**
 * Collapses concurrent calls for the same key into one: while a load for a key is running, every
 * caller for that key gets the same promise. Nothing is remembered once it settles.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, load: () => Promise<T>): Promise<T> {
    const existing = this.running.get(key);
    if (existing) return existing;
    const started = load().finally(() => {
      if (this.running.get(key) === started) this.running.delete(key);
    });
    this.running.set(key, started);
    return started;
  }

  /** Later callers start a fresh load; callers already waiting keep the running one. */
  forget(key: string): void {
    this.running.delete(key);
  }
}
