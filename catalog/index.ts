import { dirname, join } from "node:path";
import { buffsServices } from "./systems/buffs";
import { callEventsServices } from "./systems/call-events";
import { ordersServices } from "./systems/orders";
import { oversupplyServices } from "./systems/oversupply";
import { todoServices } from "./systems/todo";
import type { Catalog, ServiceSpec } from "./types";
import { validateCatalog } from "./validate";

export * from "./types";
export { CatalogError, validateCatalog } from "./validate";

export const repoRoot = join(dirname(__filename), "..");

/** Every service of the platform, validated when this module loads. One entry per service. */
export const catalog: Catalog = validateCatalog(
  [...buffsServices, ...callEventsServices, ...ordersServices, ...todoServices, ...oversupplyServices],
  repoRoot,
);

export function serviceNamed(name: string): ServiceSpec {
  const found = catalog.find((s) => s.name === name);
  if (!found) throw new Error(`no service named ${name} in the catalog`);
  return found;
}

/** The dependency kinds any service in the catalog uses. */
export function dependenciesInUse(services: Catalog = catalog): Set<keyof ServiceSpec["uses"]> {
  const kinds = new Set<keyof ServiceSpec["uses"]>();
  for (const s of services)
    for (const k of Object.keys(s.uses) as (keyof ServiceSpec["uses"])[]) kinds.add(k);
  return kinds;
}
