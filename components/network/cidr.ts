/** Pure IPv4 helpers for laying out subnets. */

export function parseCidr(cidr: string): { base: number; prefix: number } {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) throw new Error(`not an IPv4 CIDR block: ${JSON.stringify(cidr)}`);
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32)
    throw new Error(`not an IPv4 CIDR block: ${JSON.stringify(cidr)}`);
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) throw new Error(`${cidr}: host bits must be zero`);
  return { base, prefix };
}

function format(address: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

/**
 * The first `count` subnets of `cidr`, each `extraBits` longer in prefix:
 * `subnetCidrs("10.0.0.0/16", 4)` → 10.0.0.0/20, 10.0.16.0/20, 10.0.32.0/20, 10.0.48.0/20.
 */
export function subnetCidrs(cidr: string, count: number, extraBits = 4): string[] {
  const { base, prefix } = parseCidr(cidr);
  const subnetPrefix = prefix + extraBits;
  if (subnetPrefix > 28) throw new Error(`${cidr} is too small for ${count} subnets of /${subnetPrefix}`);
  if (count > 2 ** extraBits)
    throw new Error(`${cidr} holds only ${2 ** extraBits} subnets of /${subnetPrefix}`);
  const size = 2 ** (32 - subnetPrefix);
  return Array.from({ length: count }, (_, i) => format(base + i * size, subnetPrefix));
}
