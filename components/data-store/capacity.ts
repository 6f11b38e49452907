import type { DynamoTable } from "../../catalog/types";

/**
 * Scales provisioned capacity down so the reads, and the writes, of all tables together stay
 * within `budget` (the free tier allows 25 of each). Each table keeps at least 1 unit; proportions
 * are kept as far as whole units allow. A budget of 0 returns the tables unchanged.
 */
export function fitToCapacityBudget(tables: readonly DynamoTable[], budget: number): DynamoTable[] {
  if (budget === 0) return tables.map((t) => ({ ...t }));
  if (tables.length > budget)
    throw new Error(
      `DataStore: ${tables.length} tables need at least ${tables.length} units, budget is ${budget}`,
    );
  const shrink = (units: number[]) => {
    const total = units.reduce((a, b) => a + b, 0);
    if (total <= budget) return units;
    const scaled = units.map((u) => Math.max(1, Math.floor((u * budget) / total)));
    // Rounding up to 1 can overshoot: take the excess back from the largest.
    let excess = scaled.reduce((a, b) => a + b, 0) - budget;
    while (excess > 0) {
      const largest = scaled.indexOf(Math.max(...scaled));
      scaled[largest]! -= 1;
      excess -= 1;
    }
    return scaled;
  };
  const reads = shrink(tables.map((t) => t.readCapacity));
  const writes = shrink(tables.map((t) => t.writeCapacity));
  return tables.map((t, i) => ({ ...t, readCapacity: reads[i]!, writeCapacity: writes[i]! }));
}
