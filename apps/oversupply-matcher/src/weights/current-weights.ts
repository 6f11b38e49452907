import type { WeightsVersion } from "../../../oversupply-protocol/src/weights";

/**
 * The weights the matcher scores with. Versions arrive from two places (the backend at start and
 * periodically, the weights topic as they are published), possibly out of order: only a newer
 * version replaces the current one.
 */
export class CurrentWeights {
  private current: WeightsVersion | undefined;
  private readonly listeners: ((weights: WeightsVersion) => void)[] = [];

  get(): WeightsVersion | undefined {
    return this.current;
  }

  /** Applies `candidate` if it is newer; returns whether it did. */
  offer(candidate: WeightsVersion): boolean {
    if (this.current && candidate.version <= this.current.version) return false;
    this.current = candidate;
    for (const listener of this.listeners) listener(candidate);
    return true;
  }

  onChange(listener: (weights: WeightsVersion) => void): void {
    this.listeners.push(listener);
  }
}
