import type { Resolver } from "node:dns/promises";
import { isIP } from "node:net";

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** The part of `dns.promises.Resolver` discovery needs; injectable so tests can point it at a stub. */
export type SrvResolver = Pick<Resolver, "resolveSrv" | "resolve4">;

/**
 * RFC 2782 selection: only the lowest priority value is eligible; among those, a target is picked
 * with probability proportional to its weight (all-zero weights mean an even pick).
 */
export function pickSrvRecord(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord {
  if (records.length === 0) throw new Error("no SRV records to pick from");
  const best = Math.min(...records.map((r) => r.priority));
  const eligible = records.filter((r) => r.priority === best);
  const totalWeight = eligible.reduce((sum, r) => sum + r.weight, 0);
  if (totalWeight === 0) return eligible[Math.floor(random() * eligible.length)]!;
  let ticket = random() * totalWeight;
  for (const record of eligible) {
    ticket -= record.weight;
    if (ticket < 0) return record;
  }
  return eligible[eligible.length - 1]!;
}

interface Cached<T> {
  value: T;
  expires: number;
}

export interface SrvDiscoveryOptions {
  /**
   * How long an SRV answer is reused. Node's resolver does not expose SRV TTLs, so this is a short
   * fixed time, well under Cloud Map's default 60 s record TTL. @default 10000
   */
  cacheMs?: number;
  now?: () => number;
  random?: () => number;
}

/**
 * Finds a service through a DNS SRV record, as ECS service discovery (Cloud Map) publishes it:
 * SRV gives target host and port, the target's A record its address. Answers are cached; A records
 * for their TTL (capped by `cacheMs`).
 */
export class SrvDiscovery {
  private srv: Cached<SrvRecord[]> | undefined;
  private readonly addresses = new Map<string, Cached<string>>();
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    readonly recordName: string,
    private readonly resolver: SrvResolver,
    options: SrvDiscoveryOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** `http://address:port` of one target, chosen per call by priority and weight. */
  async baseUrl(): Promise<string> {
    const record = pickSrvRecord(await this.records(), this.random);
    const address = await this.addressOf(record.name);
    const host = isIP(address) === 6 ? `[${address}]` : address;
    return `http://${host}:${record.port}`;
  }

  /** Drops cached answers, e.g. after a target refused a connection. */
  forget(): void {
    this.srv = undefined;
    this.addresses.clear();
  }

  private async records(): Promise<SrvRecord[]> {
    if (this.srv && this.srv.expires > this.now()) return this.srv.value;
    const records = await this.resolver.resolveSrv(this.recordName);
    if (records.length === 0) throw new Error(`no SRV records for ${this.recordName}`);
    this.srv = { value: records, expires: this.now() + this.cacheMs };
    return records;
  }

  private async addressOf(target: string): Promise<string> {
    if (isIP(target)) return target;
    const cached = this.addresses.get(target);
    if (cached && cached.expires > this.now()) return cached.value;
    let answer: { address: string; ttl: number } | undefined;
    try {
      [answer] = await this.resolver.resolve4(target, { ttl: true });
    } catch (error) {
      // A target the DNS server has no A record for (e.g. `localhost`) is left to the system resolver.
      const code = (error as { code?: string }).code;
      if (code !== "ENOTFOUND" && code !== "ENODATA") throw error;
    }
    if (!answer) return target;
    const ttlMs = Math.min(answer.ttl * 1000, this.cacheMs);
    this.addresses.set(target, { value: answer.address, expires: this.now() + ttlMs });
    return answer.address;
  }
}
