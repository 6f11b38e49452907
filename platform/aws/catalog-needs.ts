import type { Catalog, DynamoTable } from "../../catalog/types";

/** What the catalog asks of the platform's shared data services: pure, for the AWS wiring. */
export interface CatalogNeeds {
  mysqlDatabases: string[];
  redis: boolean;
  /** Queue names without `/queue/` (topics need no alarms of their own). */
  queues: string[];
  activemq: boolean;
  /** Tables by name; a table several services share appears once, with the largest capacity. */
  tables: DynamoTable[];
  /** Secret names of `{from: "secret"}` sources. */
  secrets: string[];
}

export function catalogNeeds(catalog: Catalog): CatalogNeeds {
  const databases = new Set<string>();
  const queues = new Set<string>();
  const tables = new Map<string, DynamoTable>();
  const secrets = new Set<string>();
  let redis = false;
  let activemq = false;
  for (const s of catalog) {
    if (s.uses.mysql) databases.add(s.uses.mysql.database);
    if (s.uses.redis) redis = true;
    if (s.uses.activemq) {
      activemq = true;
      for (const d of s.uses.activemq.destinations)
        if (d.startsWith("/queue/")) queues.add(d.slice("/queue/".length));
    }
    for (const t of s.uses.dynamodb?.tables ?? []) {
      const known = tables.get(t.name);
      if (known && known.hashKey !== t.hashKey)
        throw new Error(
          `catalog: table ${t.name} has hash key ${known.hashKey} and ${t.hashKey} in different services`,
        );
      tables.set(t.name, {
        ...t,
        readCapacity: Math.max(t.readCapacity, known?.readCapacity ?? 0),
        writeCapacity: Math.max(t.writeCapacity, known?.writeCapacity ?? 0),
      });
    }
    for (const source of Object.values(s.env)) if (source.from === "secret") secrets.add(source.name);
  }
  return {
    mysqlDatabases: [...databases].sort(),
    redis,
    queues: [...queues].sort(),
    activemq,
    tables: [...tables.values()].sort((a, b) => a.name.localeCompare(b.name)),
    secrets: [...secrets].sort(),
  };
}
