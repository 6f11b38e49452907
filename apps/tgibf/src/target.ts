import { isIP } from "node:net";

/**
 * This load generator can flood a server. It only aims at the machine it runs on unless told
 * otherwise with --allow-remote, so a typo in WEBHOOK never turns it on someone else's host.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(host);
  return false;
}

export class TargetError extends Error {
  override name = "TargetError";
}

/**
 * Parses the webhook URL and refuses a non-loopback host unless `allowRemote`. A base URL without a
 * path (as the platform hands out service URLs) gets the webhook's path, /webhook.
 */
export function checkTarget(webhook: string, allowRemote: boolean): URL {
  let url: URL;
  try {
    url = new URL(webhook);
  } catch {
    throw new TargetError(`WEBHOOK is not a URL: ${JSON.stringify(webhook)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TargetError(`WEBHOOK must be an http:// or https:// URL (got ${url.protocol})`);
  if (url.pathname === "/") url.pathname = "/webhook";
  if (!allowRemote && !isLoopbackHost(url.hostname)) {
    throw new TargetError(
      `refusing to load ${url.host}: only loopback targets (localhost, 127.0.0.0/8, ::1) are allowed without --allow-remote`,
    );
  }
  return url;
}
