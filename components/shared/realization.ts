/** Where a component is realized. Each component keeps one file per realization behind one args interface. */
export type RealizationName = "aws" | "kubernetes";

/**
 * Picks a component's realization from its registry, with a clear error for one not written yet.
 * `registry` maps a realization name to a constructor function of the component.
 */
export function pickRealization<Factory>(
  component: string,
  registry: Partial<Record<RealizationName, Factory>>,
  realization: RealizationName,
): Factory {
  const factory = registry[realization];
  if (!factory) {
    const known = Object.keys(registry).join(", ") || "none";
    throw new Error(`${component}: no ${realization} realization (available: ${known})`);
  }
  return factory;
}
