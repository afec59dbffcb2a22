/**
 * The ENI plan: which ENI goes where, with which name, address and idempotency token.
 * Layout as in the seed's Terraform/shell examples: slot s (0-based over all subnets) lives in
 * subnet floor(s / n) as its ENI number (s % n) + 1; description "Confluent PNI-sub-<i>-eni-<k>".
 */
import { createHash } from 'node:crypto';
import { MAX_CLIENT_TOKEN_LENGTH } from './constants.js';
import { hostAt, isReservedAddress, parseCidr } from './cidr.js';
import { RequestInvalid } from './errors.js';
import type { CanonicalRequest, EniSlot, SubnetFact } from './types.js';

/**
 * The CreateNetworkInterface ClientToken of one slot: deterministic in (requestId, attempt, slot),
 * so Lambda/ASL retries inside one attempt replay the same token (EC2 returns the same ENI), while a
 * fresh attempt after a rollback gets new tokens (the old ENIs were deleted). 44 ASCII characters.
 */
export function clientToken(requestId: string, attempt: number, slot: number): string {
  const token = `pni-${createHash('sha256').update(`${requestId}|${attempt}|${slot}`).digest('hex').slice(0, 40)}`;
  return token.slice(0, MAX_CLIENT_TOKEN_LENGTH);
}

/**
 * `count` consecutive addresses of the subnet from `base + startOffset`, skipping the addresses AWS
 * reserves (the first four and the broadcast address). Throws
 * RequestInvalid('ipAssignment.startOffset', ...) when the subnet runs out first.
 */
export function sequentialAddresses(cidr: string, startOffset: number, count: number): string[] {
  const { size } = parseCidr(cidr);
  const out: string[] = [];
  for (let offset = Math.max(0, startOffset); out.length < count && offset < size; offset++) {
    const ip = hostAt(cidr, offset);
    if (!isReservedAddress(cidr, ip)) out.push(ip);
  }
  if (out.length < count) {
    throw new RequestInvalid(
      'ipAssignment.startOffset',
      `subnet ${cidr} has room for only ${out.length} addresses from offset ${startOffset} but ${count} are needed (its last usable offset is ${size - 2})`,
    );
  }
  return out;
}

/** The description and Name tag of slot `slot` (also what a repair gives the ENI that replaces a deleted one). */
export function slotNames(
  requestId: string,
  enisPerSubnet: number,
  slot: number,
): { description: string; name: string } {
  const i = Math.floor(slot / enisPerSubnet);
  const k = slot % enisPerSubnet;
  return { description: `Confluent PNI-sub-${i}-eni-${k + 1}`, name: `pni-${requestId}-sub-${i}-eni-${k + 1}` };
}

/** Every slot of the request, subnet by subnet (subnets given in req.subnetIds order). */
export function planEnis(req: CanonicalRequest, subnets: SubnetFact[], attempt: number): EniSlot[] {
  if (subnets.length !== req.subnetIds.length || subnets.some((s, i) => s.subnetId !== req.subnetIds[i])) {
    throw new Error(`planEnis: subnets must be given in req.subnetIds order (${req.subnetIds.join(', ')})`);
  }
  const n = req.enisPerSubnet;
  const ip = req.ipAssignment;
  const addresses =
    ip.mode === 'sequential' ? subnets.map((s) => sequentialAddresses(s.cidr, ip.startOffset, n)) : undefined;
  const slots: EniSlot[] = [];
  for (let s = 0; s < subnets.length * n; s++) {
    const i = Math.floor(s / n);
    const k = s % n;
    const subnet = subnets[i];
    slots.push({
      slot: s,
      subnetId: subnet.subnetId,
      zoneId: subnet.zoneId,
      ...(addresses ? { privateIp: addresses[i][k] } : {}),
      clientToken: clientToken(req.requestId, attempt, s),
      ...slotNames(req.requestId, n, s),
    });
  }
  return slots;
}
