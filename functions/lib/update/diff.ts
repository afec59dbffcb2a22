/**
 * What an update of a connection changes, decided in one place (the Service Catalog function refuses early with
 * it; the update machine's validateUpdate applies it again against the record it locks).
 *
 * Applied in place today: the access point's egress routes and the created security group's ingress CIDRs.
 * Everything else is "immutable" here. Extension point (day 2): an ENI-count change becomes a third kind of
 * change, with its own branch in statemachine/update.asl.json; move enisPerSubnet from IMMUTABLE_FIELDS then.
 */
import { PNI_INGRESS_PORTS } from '../constants.js';
import { canonicalJson } from '../request/parse.js';
import type { CanonicalRequest } from '../types.js';

/** Request fields an update may not change (a new connection is needed). */
export const IMMUTABLE_FIELDS = [
  'environmentId',
  'region',
  'vpcId',
  'subnetIds',
  'enisPerSubnet',
  'ipAssignment',
  'gateway',
  'accessPointName',
  'tags',
] as const satisfies readonly (keyof CanonicalRequest)[];

/** The request fields whose value differs between the connection as it is and as it is asked to be. */
export function immutableChanges(current: CanonicalRequest, next: CanonicalRequest): string[] {
  const changed: string[] = IMMUTABLE_FIELDS.filter(
    (f) => canonicalJson(current[f] ?? null) !== canonicalJson(next[f] ?? null),
  );
  const cur = current.securityGroup;
  const nxt = next.securityGroup;
  if ('existingId' in cur || 'existingId' in nxt) {
    if (canonicalJson(cur) !== canonicalJson(nxt)) changed.push('securityGroup');
  } else if (canonicalJson(cur.egressRules) !== canonicalJson(nxt.egressRules)) {
    changed.push('securityGroup.egressRules');
  }
  return changed;
}

export interface IngressRule {
  cidr: string;
  port: number;
}

export interface UpdatePlan {
  routes: { from: string[]; to: string[]; changed: boolean };
  ingress: { add: IngressRule[]; remove: IngressRule[] };
}

function ingressRules(req: CanonicalRequest): IngressRule[] {
  const sg = req.securityGroup;
  if ('existingId' in sg) return [];
  return (sg.ingressCidrs ?? []).flatMap((cidr) => PNI_INGRESS_PORTS.map((port) => ({ cidr, port })));
}

/** Exactly the difference: the routes list (Confluent replaces it whole) and the ingress rules to add / remove. */
export function planUpdate(current: CanonicalRequest, next: CanonicalRequest): UpdatePlan {
  const key = (r: IngressRule) => `${r.cidr} ${r.port}`;
  const before = ingressRules(current);
  const after = ingressRules(next);
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  return {
    routes: {
      from: current.egressRoutes,
      to: next.egressRoutes,
      changed: canonicalJson([...current.egressRoutes].sort()) !== canonicalJson([...next.egressRoutes].sort()),
    },
    ingress: {
      add: after.filter((r) => !beforeKeys.has(key(r))),
      remove: before.filter((r) => !afterKeys.has(key(r))),
    },
  };
}
