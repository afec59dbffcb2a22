/**
 * The rules that need facts from AWS and Confluent, as pure functions over facts the
 * ValidateRequest handler gathered. Checked before the first change, in a stable order:
 * VPC, subnets (exist, in the VPC), AZ ids, free addresses, sequential addresses,
 * existing security group, existing gateway / gateway quota.
 */
import { MAX_PNI_GATEWAYS_PER_ENVIRONMENT, REQUIRED_SUBNETS, UNUSABLE_GATEWAY_PHASES } from '../constants.js';
import { RequestInvalid } from '../errors.js';
import { PNI_GATEWAY_SPEC_KIND, PNI_GATEWAY_STATUS_KIND } from '../confluent/types.js';
import { sequentialAddresses } from '../eniPlan.js';
import type { Gateway } from '../confluent/index.js';
import type { CanonicalRequest, SubnetFact } from '../types.js';
import { egressWarnings } from './parse.js';

export interface LiveFacts {
  /** undefined = not found. */
  vpc?: { vpcId: string; cidr: string; ownerId: string };
  /** The subnets found (any order). */
  subnets: SubnetFact[];
  /** subnetId -> private IPs in use (needed in sequential mode). */
  usedIps: Record<string, string[]>;
  /** PNI gateways in the environment, not deleting. */
  pniGateways: { id: string; displayName?: string; phase: string }[];
  /**
   * When gateway.existingId is given; null (or absent) = not found. `kind`, when known, is the
   * gateway's config kind (spec or status); anything but PNI is refused.
   */
  existingGateway?: { id: string; region: string; zones: string[]; phase: string; kind?: string } | null;
  /** When securityGroup.existingId is given; null (or absent) = not found. */
  existingSecurityGroup?: { groupId: string; vpcId: string } | null;
  /** Gateways this request already created on an earlier attempt (they don't count toward the quota). */
  ownGatewayIds?: string[];
}

/**
 * The fact about `gateway.existingId` from what Confluent answered: null when it does not exist. Any gateway that
 * exists becomes a fact with its kind (spec or status), so a gateway of another type is refused as "not a PNI
 * gateway" instead of being reported as missing.
 */
export function existingGatewayFact(gw: Gateway | undefined): LiveFacts['existingGateway'] {
  if (!gw) return null;
  const config = gw.spec?.config as { kind?: unknown; region?: unknown; zones?: unknown } | undefined;
  const kind = typeof config?.kind === 'string' ? config.kind : gw.status?.cloud_gateway?.kind;
  return {
    id: gw.id,
    region: typeof config?.region === 'string' ? config.region : '',
    zones: Array.isArray(config?.zones) ? config.zones.filter((z): z is string => typeof z === 'string') : [],
    phase: String(gw.status?.phase ?? 'UNKNOWN'),
    ...(typeof kind === 'string' ? { kind } : {}),
  };
}

/** Fill the defaults that need the VPC: securityGroup.ingressCidrs = [VPC CIDR] when absent. */
export function withDefaults(req: CanonicalRequest, vpcCidr: string): CanonicalRequest {
  const sg = req.securityGroup;
  if ('existingId' in sg || sg.ingressCidrs !== undefined) return req;
  return { ...req, securityGroup: { ...sg, ingressCidrs: [vpcCidr] } };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/**
 * Throws RequestInvalid for the first violated rule (field + rule); returns the subnets in
 * req.subnetIds order and the warnings for the record and the Started event.
 */
export function checkLiveFacts(
  req: CanonicalRequest,
  facts: LiveFacts,
): { vpc: NonNullable<LiveFacts['vpc']>; subnets: SubnetFact[]; warnings: string[] } {
  // 1. The VPC exists (in the request's region: the facts come from a client for that region).
  const vpc = facts.vpc;
  if (!vpc || vpc.vpcId !== req.vpcId) {
    throw new RequestInvalid('vpcId', `VPC ${req.vpcId} was not found in region ${req.region}`);
  }

  // 2. Each subnet exists and is in the VPC.
  const subnets = req.subnetIds.map((id, i) => {
    const s = facts.subnets.find((f) => f.subnetId === id);
    if (!s) throw new RequestInvalid(`subnetIds[${i}]`, `subnet ${id} was not found in region ${req.region}`);
    if (s.vpcId !== req.vpcId)
      throw new RequestInvalid(`subnetIds[${i}]`, `subnet ${id} is in ${s.vpcId}, not in ${req.vpcId}`);
    return s;
  });

  // 3. Three distinct AZ ids (ids, not names: names are mapped per account).
  subnets.forEach((s, i) => {
    const j = subnets.findIndex((o) => o.zoneId === s.zoneId);
    if (j !== i) {
      throw new RequestInvalid(
        `subnetIds[${i}]`,
        `subnet ${s.subnetId} is in availability zone ${s.zoneId} (${s.zoneName}), like subnetIds[${j}]; the ${REQUIRED_SUBNETS} subnets must be in ${REQUIRED_SUBNETS} different availability zones`,
      );
    }
  });

  // 4. Enough free addresses.
  const n = req.enisPerSubnet;
  subnets.forEach((s, i) => {
    if (s.availableIps < n) {
      throw new RequestInvalid(
        `subnetIds[${i}]`,
        `subnet ${s.subnetId} has ${s.availableIps} free IP addresses but needs ${n} (enisPerSubnet)`,
      );
    }
  });

  // 5. Sequential mode: every planned address fits the subnet (sequentialAddresses keeps inside it
  //    and skips the reserved ones) and is free.
  const ip = req.ipAssignment;
  if (ip.mode === 'sequential') {
    subnets.forEach((s, i) => {
      let planned: string[];
      try {
        planned = sequentialAddresses(s.cidr, ip.startOffset, n);
      } catch (err) {
        if (err instanceof RequestInvalid)
          throw new RequestInvalid(err.field, `subnetIds[${i}] (${s.subnetId}): ${err.rule}`);
        throw err;
      }
      const used = new Set(facts.usedIps[s.subnetId] ?? []);
      const taken = planned.find((a) => used.has(a));
      if (taken) {
        throw new RequestInvalid(
          'ipAssignment.startOffset',
          `address ${taken} in subnet ${s.subnetId} (subnetIds[${i}]) is already in use; choose another startOffset or use mode "auto"`,
        );
      }
    });
  }

  // 6. An existing security group exists and is in the VPC.
  const sg = req.securityGroup;
  if ('existingId' in sg) {
    const found = facts.existingSecurityGroup;
    if (!found || found.groupId !== sg.existingId) {
      throw new RequestInvalid(
        'securityGroup.existingId',
        `security group ${sg.existingId} was not found in region ${req.region}`,
      );
    }
    if (found.vpcId !== req.vpcId) {
      throw new RequestInvalid(
        'securityGroup.existingId',
        `security group ${sg.existingId} is in ${found.vpcId}, not in ${req.vpcId}`,
      );
    }
  }

  // 7. Gateway: an existing one must fit; a new one must fit the quota.
  const zones = subnets.map((s) => s.zoneId);
  const gw = req.gateway;
  if ('existingId' in gw) {
    const found = facts.existingGateway;
    const field = 'gateway.existingId';
    if (!found || found.id !== gw.existingId) {
      throw new RequestInvalid(field, `gateway ${gw.existingId} was not found in environment ${req.environmentId}`);
    }
    if (found.kind !== undefined && found.kind !== PNI_GATEWAY_SPEC_KIND && found.kind !== PNI_GATEWAY_STATUS_KIND) {
      throw new RequestInvalid(field, `gateway ${gw.existingId} is not a PNI gateway (its kind is ${found.kind})`);
    }
    if (found.region !== req.region) {
      throw new RequestInvalid(field, `gateway ${gw.existingId} is in region ${found.region}, not in ${req.region}`);
    }
    if ((UNUSABLE_GATEWAY_PHASES as readonly string[]).includes(found.phase)) {
      throw new RequestInvalid(field, `gateway ${gw.existingId} is ${found.phase} and cannot be used`);
    }
    if (!sameSet(found.zones, zones)) {
      throw new RequestInvalid(
        field,
        `gateway ${gw.existingId} serves zones ${found.zones.join(', ')} but the subnets are in ${zones.join(', ')}`,
      );
    }
  } else {
    const own = new Set(facts.ownGatewayIds ?? []);
    const others = facts.pniGateways.filter((g) => !own.has(g.id));
    if (others.length >= MAX_PNI_GATEWAYS_PER_ENVIRONMENT) {
      throw new RequestInvalid(
        'gateway',
        `environment ${req.environmentId} already has ${others.length} PNI gateways (the limit per environment); reuse one with gateway.existingId`,
      );
    }
  }

  return { vpc, subnets, warnings: egressWarnings(req) };
}
