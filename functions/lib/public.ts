/**
 * The product's public surface: what code outside functions/ that is not a test (the `pni` CLI) may use.
 * Biome's import rules let cli/ import only this module from functions/lib, so everything the CLI needs is
 * named here on purpose, and nothing else:
 *
 *   step errors  causeMessage, stepOf           read a Step Functions error Cause; which step failed
 *   table keys   requestKey, eniKey, lockKey,    the state table's keys (REQUEST#<id>/META,
 *                requestPk, ENI_SK_PREFIX        REQUEST#<id>/ENI#<nnn>, LOCK#<env>#<vpc>/LOCK)
 *   request id   REQUEST_ID_PATTERN             what a requestId must look like (the schema's rule)
 *   record types RequestRecord, EniRecord,      the shapes of the state table's items
 *                LockRecord, Leftover
 *   statuses     Status, Phase, STATUSES,       the record's status and phase values
 *                PHASES
 *
 * Add to it deliberately: each export is a promise the CLI may rely on.
 */
export { causeMessage, stepOf } from './stepErrors.js';
export { ENI_SK_PREFIX, eniKey, lockKey, requestKey, requestPk } from './tableKeys.js';
export { REQUEST_ID_PATTERN } from './request/schema.js';
export type { EniRecord, LockRecord, RequestRecord } from './state.js';
export type { Leftover } from './types.js';
export { PHASES, STATUSES, type Phase, type Status } from './constants.js';
