/**
 * The events this service emits (docs/architecture.md section 6). One builder per detail-type; the JSON Schemas in
 * events/schemas/ describe exactly these shapes (a unit test validates every builder's output against them).
 */
import { DETAIL_TYPES, EVENT_DETAIL_VERSION, type Phase } from './constants.js';
import type { Difference, FieldError, Leftover, RequestSource } from './types.js';

/** What every detail carries: who, where, which execution, and the ids known so far. */
export interface EventBase {
  requestId: string;
  environmentId: string;
  vpcId: string;
  region: string;
  executionArn: string;
  gatewayId?: string;
  confluentAccount?: string;
  securityGroupId?: string;
  accessPointId?: string;
  eniCount?: number;
}

export interface StartedDetail extends EventBase {
  attempt: number;
  source: RequestSource;
  warnings: string[];
}
export interface PhaseChangedDetail extends EventBase {
  phase: Phase;
}
export interface SucceededDetail extends EventBase {
  gatewayId: string;
  gatewayCreatedByUs: boolean;
  confluentAccount: string;
  securityGroupId: string;
  accessPointId: string;
  eniIds: string[];
}
export interface FailedDetail extends EventBase {
  error: { name: string; message: string };
  failedStep: string;
  rollback: { outcome: 'ROLLED_BACK' | 'ROLLBACK_FAILED'; leftovers: Leftover[] };
}
export interface TeardownSucceededDetail extends EventBase {
  mode: 'teardown';
  /** Found by our tag but not ours: reported, not deleted (issue 8). */
  notOwned?: Leftover[];
}
export interface TeardownFailedDetail extends EventBase {
  mode: 'teardown';
  leftovers: Leftover[];
  notOwned?: Leftover[];
}

// ------------------------------------------------------------------ day 2 (issue 10)
/** A provisioning request was refused before anything was created (the record, when it was written, says REJECTED). */
export interface ProvisioningRejectedDetail {
  requestId: string;
  executionArn: string;
  environmentId?: string;
  vpcId?: string;
  region?: string;
  error: { name: string; message: string };
  /** Every violated rule known: all schema violations, else the one live check or conflict that refused it. */
  errors: FieldError[];
  /** ConnectionExists: the request that holds the live connection. */
  existingRequestId?: string;
}
/** A teardown or repair (or update) named a request id nobody knows: nothing was done. */
export interface RequestNotFoundDetail {
  requestId: string;
  executionArn: string;
  action: 'teardown' | 'repair' | 'update';
  message: string;
}
export interface DriftDetectedDetail extends EventBase {
  checkedAt: string;
  differences: Difference[];
}
export interface RepairSucceededDetail extends EventBase {
  repaired: string[];
}
export interface RepairFailedDetail extends EventBase {
  error?: { name: string; message: string };
  repaired: string[];
  /** What still differs after the repair (what it could not repair). */
  differences: Difference[];
}

/** What an in-place update changed (or was asked to change). */
export interface UpdateChanges {
  egressRoutes: { from: string[]; to: string[] };
  ingressCidrs: { added: string[]; removed: string[] };
}
export interface UpdateSucceededDetail extends EventBase {
  changes: UpdateChanges;
}
export interface UpdateFailedDetail extends EventBase {
  error: { name: string; message: string };
  failedStep: string;
}

export interface EmittedEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

function withVersion<T extends object>(detail: T): Record<string, unknown> {
  const out: Record<string, unknown> = { version: EVENT_DETAIL_VERSION };
  for (const [k, v] of Object.entries(detail)) if (v !== undefined) out[k] = v;
  return out;
}

export const events = {
  started: (d: StartedDetail): EmittedEvent => ({ detailType: DETAIL_TYPES.started, detail: withVersion(d) }),
  phaseChanged: (d: PhaseChangedDetail): EmittedEvent => ({
    detailType: DETAIL_TYPES.phaseChanged,
    detail: withVersion(d),
  }),
  succeeded: (d: SucceededDetail): EmittedEvent => ({ detailType: DETAIL_TYPES.succeeded, detail: withVersion(d) }),
  failed: (d: FailedDetail): EmittedEvent => ({ detailType: DETAIL_TYPES.failed, detail: withVersion(d) }),
  teardownSucceeded: (d: TeardownSucceededDetail): EmittedEvent => ({
    detailType: DETAIL_TYPES.teardownSucceeded,
    detail: withVersion(d),
  }),
  teardownFailed: (d: TeardownFailedDetail): EmittedEvent => ({
    detailType: DETAIL_TYPES.teardownFailed,
    detail: withVersion(d),
  }),
  updateSucceeded: (d: UpdateSucceededDetail): EmittedEvent => ({
    detailType: DETAIL_TYPES.updateSucceeded,
    detail: withVersion(d),
  }),
  updateFailed: (d: UpdateFailedDetail): EmittedEvent => ({
    detailType: DETAIL_TYPES.updateFailed,
    detail: withVersion(d),
  }),
  provisioningRejected: (d: ProvisioningRejectedDetail): EmittedEvent => ({
    detailType: DETAIL_TYPES.provisioningRejected,
    detail: withVersion(d),
  }),
  requestNotFound: (d: RequestNotFoundDetail): EmittedEvent => ({
    detailType: DETAIL_TYPES.requestNotFound,
    detail: withVersion(d),
  }),
  driftDetected: (d: DriftDetectedDetail): EmittedEvent => ({
    detailType: DETAIL_TYPES.driftDetected,
    detail: withVersion(d),
  }),
  repairSucceeded: (d: RepairSucceededDetail): EmittedEvent => ({
    detailType: DETAIL_TYPES.repairSucceeded,
    detail: withVersion(d),
  }),
  repairFailed: (d: RepairFailedDetail): EmittedEvent => ({
    detailType: DETAIL_TYPES.repairFailed,
    detail: withVersion(d),
  }),
};
