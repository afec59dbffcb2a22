/** The sandbox's IPv4 helpers (addresses as unsigned 32-bit numbers), shared by the EC2 and Confluent emulators. */
export function parseIp(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  base: number;
  prefix: number;
  size: number;
}

export function parseCidr(s: string): Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const base = prefix === 0 ? 0 : Math.floor(ip / size) * size;
  return { base, prefix, size };
}

export function inCidr(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + c.size;
}

/** Whether two CIDRs share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** AWS reserves the network address, +1 (router), +2 (DNS), +3 (future use) and the broadcast address. */
export function isReserved(c: Cidr, ip: number): boolean {
  return ip - c.base <= 3 || ip === c.base + c.size - 1;
}

export function isIpv6Cidr(s: string): boolean {
  return /^[0-9a-fA-F:]+\/\d{1,3}$/.test(s) && s.includes(':');
}
