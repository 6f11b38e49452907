import type { PublicRoute } from "../../catalog/types";

/** ALB listener rules allow at most five path values per condition. */
const PATHS_PER_RULE = 5;

export interface RoutedService {
  name: string;
  publicRoutes?: readonly PublicRoute[];
  ingressPrefix?: string;
}

export interface AlbRoute {
  service: string;
  /** One listener rule per group (≤ 5 path patterns each); empty with host routing. */
  pathPatternGroups: string[][];
  /** Host-header condition (host routing). */
  host?: string;
  /** A prefix the load balancer strips before forwarding (URL rewrite), when it invented one. */
  stripPrefix?: string;
  /** The path of the service's public URL (after the load balancer's address). */
  urlPath: string;
}

/** `/orders/:id` → `/orders/*`: an ALB path pattern for an Express-style route. */
export function routePattern(path: string): string {
  return path.replace(/:[^/]+/g, "*").replace(/\*[^/]*$/, "*");
}

function prefixPatterns(prefix: string): string[] {
  return [prefix, `${prefix}/*`];
}

function underPrefix(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * How one load balancer reaches every public service:
 * - with `domain`, each service gets its own host `<service>.<domain>`;
 * - else by path: a service's `ingressPrefix` (plus any of its routes outside the prefix that no
 *   other service claims), or its routes' own patterns. Services whose patterns collide (two
 *   pages at `/`) are moved under `/<service>` and the load balancer strips that prefix.
 */
export function planAlbRoutes(services: readonly RoutedService[], domain?: string): AlbRoute[] {
  const publicServices = services.filter((s) => (s.publicRoutes?.length ?? 0) > 0);
  if (domain) {
    return publicServices.map((s) => ({
      service: s.name,
      pathPatternGroups: [],
      host: `${s.name}.${domain}`,
      urlPath: "",
    }));
  }
  const wanted = new Map<string, string[]>();
  for (const s of publicServices) {
    const routes = (s.publicRoutes ?? []).map((r) => routePattern(r.path));
    const prefix = s.ingressPrefix;
    const patterns = prefix
      ? [...prefixPatterns(prefix), ...routes.filter((p) => !underPrefix(p.replace(/\/\*$/, ""), prefix))]
      : routes;
    wanted.set(s.name, [...new Set(patterns)]);
  }
  const owners = new Map<string, string[]>();
  for (const [service, patterns] of wanted)
    for (const p of patterns) owners.set(p, [...(owners.get(p) ?? []), service]);
  const contested = (p: string) => (owners.get(p)?.length ?? 0) > 1;

  const routes = publicServices.map((s): AlbRoute => {
    const patterns = wanted.get(s.name)!;
    if (s.ingressPrefix) {
      for (const p of prefixPatterns(s.ingressPrefix))
        if (contested(p))
          throw new Error(
            `ServiceFleet: ${s.name} and another service share the path prefix ${s.ingressPrefix}`,
          );
      return {
        service: s.name,
        pathPatternGroups: chunk(patterns.filter((p) => !contested(p))),
        urlPath: s.ingressPrefix,
      };
    }
    if (patterns.some(contested)) {
      const invented = `/${s.name}`;
      return {
        service: s.name,
        pathPatternGroups: [prefixPatterns(invented)],
        stripPrefix: invented,
        urlPath: `${invented}/`,
      };
    }
    return {
      service: s.name,
      pathPatternGroups: chunk(patterns),
      urlPath: patterns.includes("/") ? "/" : (patterns[0] ?? "/"),
    };
  });
  const invented = new Set(routes.filter((r) => r.stripPrefix).map((r) => r.stripPrefix));
  for (const r of routes)
    for (const p of r.pathPatternGroups.flat())
      if (!r.stripPrefix && invented.has(p.replace(/\/\*$/, "")))
        throw new Error(`ServiceFleet: ${r.service} claims ${p}, the prefix given to another service`);
  return routes;
}

function chunk(patterns: string[]): string[][] {
  const groups: string[][] = [];
  for (let i = 0; i < patterns.length; i += PATHS_PER_RULE)
    groups.push(patterns.slice(i, i + PATHS_PER_RULE));
  return groups;
}

/** The URL-rewrite transform that strips an invented prefix: `/todo/x` → `/x`, `/todo` → `/`. */
export function stripPrefixRewrite(prefix: string): { regex: string; replace: string } {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return { regex: `^${escaped}(?:/(.*))?$`, replace: "/$1" };
}
