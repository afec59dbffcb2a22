/**
 * (day 2) Drift checks: the drift machine lists SUCCEEDED connections a page at a time (byStatus index) and checks
 * each (desired state on record vs what exists), at most DRIFT_CHECK_CONCURRENCY at once, with a pause between
 * pages, so a run over many connections never starves provisioning of EC2 describe tokens.
 */
import { DRIFT_MAX_PAGES, DRIFT_PAGE_SIZE } from '../constants.js';
import { checkConnection } from '../connection.js';
import { RecordConflict } from '../errors.js';
import { events } from '../events.js';
import { REQUEST_ID_PATTERN } from '../request/schema.js';
import type { Deps } from '../deps.js';
import type { Difference } from '../types.js';
import { eventBase } from '../recordViews.js';

/** Differences kept on the record (the event carries all of them). */
export const DRIFT_RECORDED_DIFFERENCES = 100;

/** The drift machine's state: `requestId` for one connection, none for all SUCCEEDED ones; `page` once listing began. */
export interface DriftRunState {
  requestId?: unknown;
  page?: { nextToken?: string; pages?: number };
}
export interface ConnectionsPage {
  requestId?: string;
  page: { requestIds: string[]; nextToken?: string; pages: number };
  limits: { driftMaxPages: number };
}

const encodeToken = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
function decodeToken(token: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('nextToken is not a page token');
  return parsed as Record<string, unknown>;
}

/** One page of SUCCEEDED connections (or just the one asked for): the drift machine's next state. */
export async function listConnections(state: DriftRunState, deps: Deps): Promise<ConnectionsPage> {
  const limits = { driftMaxPages: DRIFT_MAX_PAGES };
  const pages = (state.page?.pages ?? 0) + 1;
  if (typeof state.requestId === 'string')
    return { requestId: state.requestId, page: { requestIds: [state.requestId], pages }, limits };
  const nextToken = state.page?.nextToken;
  const page = await deps.store.statusPage('SUCCEEDED', {
    limit: DRIFT_PAGE_SIZE,
    startKey: nextToken ? decodeToken(nextToken) : undefined,
  });
  return {
    page: {
      requestIds: page.items.map((r) => r.requestId),
      ...(page.nextKey ? { nextToken: encodeToken(page.nextKey) } : {}),
      pages,
    },
    limits,
  };
}

export interface DriftResult {
  requestId: string;
  checked: boolean;
  /** Why it was not checked (unknown request, not SUCCEEDED). */
  reason?: string;
  status?: string;
  inSync?: boolean;
  checkedAt?: string;
  differences?: Difference[];
}

/** Check one connection, store the result on its record, and emit "PNI Drift Detected" when anything differs. */
export async function checkDrift(input: { requestId: string; executionArn: string }, deps: Deps): Promise<DriftResult> {
  const { requestId } = input;
  const rec = REQUEST_ID_PATTERN.test(requestId) ? await deps.store.get(requestId) : undefined;
  if (!rec) return { requestId, checked: false, reason: `no request with id ${requestId} is known` };
  if (rec.status !== 'SUCCEEDED')
    return {
      requestId,
      checked: false,
      status: rec.status,
      reason: `request ${requestId} is ${rec.status}: only SUCCEEDED connections are checked for drift`,
    };
  const { differences } = await checkConnection(deps, rec);
  const checkedAt = deps.now().toISOString();
  const inSync = differences.length === 0;
  try {
    await deps.store.update(
      requestId,
      {
        lastDriftCheck: {
          checkedAt,
          inSync,
          differenceCount: differences.length,
          differences: differences.slice(0, DRIFT_RECORDED_DIFFERENCES),
          executionArn: input.executionArn,
        },
      },
      { status: ['SUCCEEDED'] },
    );
  } catch (err) {
    // The connection moved on (a teardown or repair began) while we looked: this result is stale, not stored.
    if (!(err instanceof RecordConflict)) throw err;
    return { requestId, checked: false, reason: `request ${requestId} changed while it was being checked` };
  }
  if (!inSync)
    await deps.publisher.publish(
      events.driftDetected({ ...eventBase(rec, input.executionArn), checkedAt, differences }),
    );
  return { requestId, checked: true, status: rec.status, inSync, checkedAt, differences };
}
