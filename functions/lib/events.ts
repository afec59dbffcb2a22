/**
 * The events this service emits (docs/architecture.md section 6). One builder per detail-type; the JSON Schemas in
 * events/schemas/ describe exactly these shapes (a unit test validates every builder's output against them).
 */
import { DETAIL_TYPES, EVENT_DETAIL_VERSION, type Phase } from './constants.js';
import type { Leftover, RequestSource } from './types.js';

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
};
