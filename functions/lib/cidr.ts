/**
 * IPv4 address and CIDR helpers (pure). Addresses are handled as unsigned 32-bit numbers.
 * Only the canonical dotted-quad form is accepted: four decimal octets 0..255 without leading
 * zeros ("010" is rejected because tools disagree on whether it is octal), and a CIDR must name
 * its network address ("10.0.0.1/16" is rejected: use "10.0.0.0/16").
 */
import { RESERVED_ADDRESSES_PER_SUBNET, RESERVED_LEADING_ADDRESSES } from './constants.js';

export interface ParsedCidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
  /** Number of addresses in the block (2^(32 - prefix)). */
  size: number;
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;
const PREFIX = /^(0|[1-9][0-9]?)$/;
const TWO_32 = 2 ** 32;

/** Parse "a.b.c.d" into an unsigned 32-bit number; throws on anything else. */
export function parseIpv4(ip: string): number {
  if (typeof ip !== 'string') throw new Error(`${String(ip)} is not an IPv4 address`);
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`"${ip}" is not an IPv4 address (expected four numbers such as 10.0.0.1)`);
  let n = 0;
  for (const part of parts) {
    if (!OCTET.test(part) || Number(part) > 255) {
      throw new Error(
        `"${ip}" is not an IPv4 address (each of the four numbers must be 0..255, without leading zeros)`,
      );
    }
    n = n * 256 + Number(part);
  }
  return n;
}

/** Format an unsigned 32-bit number as "a.b.c.d". */
export function formatIpv4(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= TWO_32) throw new RangeError(`${n} is not an IPv4 address number`);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parse "a.b.c.d/n"; throws with a plain-words message when malformed or not a network address. */
export function parseCidr(cidr: string): ParsedCidr {
  if (typeof cidr !== 'string') throw new Error(`${String(cidr)} is not an IPv4 CIDR block`);
  const slash = cidr.indexOf('/');
  if (slash < 0 || slash !== cidr.lastIndexOf('/')) {
    throw new Error(`"${cidr}" is not an IPv4 CIDR block (expected address/prefix such as 10.0.0.0/16)`);
  }
  const addr = cidr.slice(0, slash);
  const prefixText = cidr.slice(slash + 1);
  if (!PREFIX.test(prefixText) || Number(prefixText) > 32) {
    throw new Error(`"${cidr}" is not an IPv4 CIDR block (the prefix length must be 0..32)`);
  }
  let ipNum: number;
  try {
    ipNum = parseIpv4(addr);
  } catch {
    throw new Error(`"${cidr}" is not an IPv4 CIDR block (expected address/prefix such as 10.0.0.0/16)`);
  }
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  const base = ipNum - (ipNum % size);
  if (base !== ipNum) {
    throw new Error(`"${cidr}" is not a network address (host bits are set); use ${formatIpv4(base)}/${prefix}`);
  }
  return { base, prefix, size };
}

export function isValidCidr(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  try {
    parseCidr(s);
    return true;
  } catch {
    return false;
  }
}

/** A CIDR or a single address (treated as a /32). */
function parseRange(cidrOrIp: string): { base: number; size: number } {
  return cidrOrIp.includes('/') ? parseCidr(cidrOrIp) : { base: parseIpv4(cidrOrIp), size: 1 };
}

/** True when `innerCidrOrIp` (a CIDR or one address) lies entirely inside `outer`. Throws on malformed input. */
export function cidrContains(outer: string, innerCidrOrIp: string): boolean {
  const o = parseCidr(outer);
  const i = parseRange(innerCidrOrIp);
  return i.base >= o.base && i.base + i.size <= o.base + o.size;
}

/** True when the two blocks share at least one address. Throws on malformed input. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x.base < y.base + y.size && y.base < x.base + x.size;
}

/**
 * The address at `offset` inside the block (like Terraform's cidrhost): 0 is the network address;
 * a negative offset counts from the end (-1 is the last address). Throws RangeError when outside.
 */
export function hostAt(cidr: string, offset: number): string {
  const { base, size } = parseCidr(cidr);
  if (!Number.isInteger(offset)) throw new RangeError(`offset ${offset} is not an integer`);
  const rel = offset < 0 ? size + offset : offset;
  if (rel < 0 || rel >= size) throw new RangeError(`offset ${offset} is outside ${cidr} (${size} addresses)`);
  return formatIpv4(base + rel);
}

/**
 * AWS reserves five addresses in every subnet: the network address, +1 (VPC router), +2 (DNS),
 * +3 (future use) and the last address (broadcast). False for an address outside the subnet.
 */
export function isReservedAddress(cidr: string, ip: string): boolean {
  const { base, size } = parseCidr(cidr);
  const n = parseIpv4(ip);
  if (n < base || n >= base + size) return false;
  const rel = n - base;
  return rel < RESERVED_LEADING_ADDRESSES || rel === size - 1;
}

/** Addresses an ENI can get in an AWS subnet of this size (size - 5, never negative). */
export function usableAddressCount(cidr: string): number {
  return Math.max(0, parseCidr(cidr).size - RESERVED_ADDRESSES_PER_SUBNET);
}
