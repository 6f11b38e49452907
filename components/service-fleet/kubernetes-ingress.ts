import type { RoutedService } from "./routing";
import { planAlbRoutes } from "./routing";

/** One Ingress path of a service. */
export interface IngressPath {
  path: string;
  pathType: "Prefix" | "Exact" | "ImplementationSpecific";
}

export interface IngressPlan {
  service: string;
  paths: IngressPath[];
  /** ingress-nginx rewrites `/<prefix>/x` to `/x` (a prefix invented because two pages claim `/`). */
  stripPrefix?: string;
  urlPath: string;
}

/** ALB pattern → Ingress path: `/orders/*` → Prefix `/orders`, `/buff` → Exact, `/` → Prefix `/`. */
export function ingressPath(pattern: string): IngressPath {
  if (pattern === "/" || pattern === "/*") return { path: "/", pathType: "Prefix" };
  const star = pattern.indexOf("*");
  if (star === -1) return { path: pattern, pathType: "Exact" };
  const prefix = pattern.slice(0, star).replace(/\/$/, "");
  return { path: prefix || "/", pathType: "Prefix" };
}

/**
 * The same routing as the load balancer (planAlbRoutes): a service's prefix, or its own routes,
 * and a stripped `/<service>` prefix where two services' pages collide.
 */
export function planIngress(services: readonly RoutedService[]): IngressPlan[] {
  return planAlbRoutes(services).map((route) => {
    if (route.stripPrefix)
      return {
        service: route.service,
        paths: [{ path: `${route.stripPrefix}(/|$)(.*)`, pathType: "ImplementationSpecific" }],
        stripPrefix: route.stripPrefix,
        urlPath: route.urlPath,
      };
    const seen = new Map<string, IngressPath>();
    for (const p of route.pathPatternGroups.flat()) {
      const ip = ingressPath(p);
      seen.set(`${ip.pathType} ${ip.path}`, ip);
    }
    // An Exact path that a Prefix path of the same service covers is redundant.
    const paths = [...seen.values()].filter(
      (p) =>
        p.pathType !== "Exact" ||
        ![...seen.values()].some(
          (q) => q.pathType === "Prefix" && (p.path === q.path || p.path.startsWith(`${q.path}/`)),
        ),
    );
    return { service: route.service, paths, urlPath: route.urlPath };
  });
}
