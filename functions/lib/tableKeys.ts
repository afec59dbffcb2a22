/**
 * The keys of the state table (docs/architecture.md section 5), built here and nowhere else (the CLI and the tests use
 * these too):
 *   REQUEST#<id> / META      the request: status, ids, error, leftovers, version
 *   REQUEST#<id> / ENI#<nnn> one planned ENI: subnet, zone, ip, eni id, permission id, status
 *   LOCK#<env>#<vpc> / LOCK  which request holds the (environment, VPC) pair
 */

/** The sort key prefix of a request's ENI items (for begins_with queries). */
export const ENI_SK_PREFIX = 'ENI#';

/** The partition key of everything about one request. */
export const requestPk = (requestId: string) => `REQUEST#${requestId}`;

export const requestKey = (requestId: string) => ({ pk: requestPk(requestId), sk: 'META' as const });

export const eniKey = (requestId: string, slot: number) => ({
  pk: requestPk(requestId),
  sk: `${ENI_SK_PREFIX}${String(slot).padStart(3, '0')}`,
});

export const lockKey = (environmentId: string, vpcId: string) => ({
  pk: `LOCK#${environmentId}#${vpcId}`,
  sk: 'LOCK' as const,
});
