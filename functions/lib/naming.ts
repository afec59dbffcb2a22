/** Deterministic names and the tags on everything we create: the keys find-before-create and the inventory use. */
import { MANAGED_BY_VALUE, TAG_CONFLUENT, TAG_CONFLUENT_VALUE, TAG_MANAGED_BY, TAG_REQUEST_ID } from './constants.js';
import type { CanonicalRequest } from './types.js';

/** Deterministic names: find-before-create keys for the security group, gateway and access point. */
export const names = {
  securityGroup: (requestId: string) => `pni-${requestId}`,
  gateway: (req: CanonicalRequest) =>
    ('displayName' in req.gateway && req.gateway.displayName) || `pni-${req.requestId}`,
  accessPoint: (req: CanonicalRequest) => req.accessPointName ?? `pni-${req.requestId}`,
};

/** The tags on everything we create: ours win over the user's. */
export function resourceTags(
  requestId: string,
  userTags: Record<string, string>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...userTags,
    ...extra,
    [TAG_REQUEST_ID]: requestId,
    [TAG_CONFLUENT]: TAG_CONFLUENT_VALUE,
    [TAG_MANAGED_BY]: MANAGED_BY_VALUE,
  };
}

/** Was this Confluent object created during the record's current attempt (so it can only be ours)? */
export function createdDuringAttempt(createdAt: string | undefined, rec: { attemptStartedAt: string }): boolean {
  return !!createdAt && Date.parse(createdAt) >= Date.parse(rec.attemptStartedAt) - 1000;
}
