import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import type { ErrorBody } from "./errors";

/** Turns a fastify route pattern (`/orders/:id`, `/files/*`, `/:a(^\\d+)`) into an anchored RegExp. */
export function routePatternToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === ":" && pattern[i + 1] === ":") {
      source += ":";
      i++;
    } else if (char === ":") {
      let end = i + 1;
      while (end < pattern.length && /[A-Za-z0-9_]/.test(pattern[end]!)) end++;
      if (pattern[end] === "(") {
        let depth = 0;
        let close = end;
        for (; close < pattern.length; close++) {
          if (pattern[close] === "(") depth++;
          else if (pattern[close] === ")" && --depth === 0) break;
        }
        const inner = pattern
          .slice(end + 1, close)
          .replace(/^\^/, "")
          .replace(/\$$/, "");
        source += `(?:${inner})`;
        i = close;
      } else {
        source += "[^/]+";
        i = end - 1;
      }
    } else if (char === "*") {
      source += ".*";
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

interface KnownRoute {
  regExp: RegExp;
  methods: Set<string>;
}

/**
 * fastify answers 404 for a known path requested with the wrong method. This remembers the
 * methods registered per route pattern, so the not-found handler can answer 405 with an
 * `Allow` header instead.
 */
export class RouteMethods {
  private readonly routes = new Map<string, KnownRoute>();

  record(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    let known = this.routes.get(route.url);
    if (known === undefined) {
      known = { regExp: routePatternToRegExp(route.url), methods: new Set() };
      this.routes.set(route.url, known);
    }
    for (const method of methods) known.methods.add(method.toUpperCase());
  }

  /** The methods allowed on a concrete path, sorted; empty when no route matches the path. */
  allowedOn(path: string): string[] {
    const allowed = new Set<string>();
    for (const known of this.routes.values()) {
      if (known.regExp.test(path)) for (const method of known.methods) allowed.add(method);
    }
    return [...allowed].sort();
  }
}

function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

export function installRouteFallback(app: FastifyInstance, errorBody: ErrorBody): RouteMethods {
  const routeMethods = new RouteMethods();
  app.addHook("onRoute", (route) => routeMethods.record(route));
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request.url);
    const allowed = routeMethods.allowedOn(path);
    const shownPath = path.length > 200 ? `${path.slice(0, 200)}…` : path;
    if (allowed.length > 0) {
      return reply
        .code(405)
        .header("allow", allowed.join(", "))
        .send(
          errorBody(
            405,
            `method ${request.method} not allowed on ${shownPath}; allowed: ${allowed.join(", ")}`,
          ),
        );
    }
    return reply.code(404).send(errorBody(404, `no route for ${request.method} ${shownPath}`));
  });
  return routeMethods;
}
