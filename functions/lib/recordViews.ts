/** Views of the state record that several steps build: the event base and the provision result. */
import type { ProvisionResult } from './contracts.js';
import type { EventBase } from './events.js';
import type { RequestRecord } from './state.js';

/** The event fields every detail carries, from the record. */
export function eventBase(rec: RequestRecord, executionArn?: string): EventBase {
  return {
    requestId: rec.requestId,
    environmentId: rec.environmentId ?? rec.request?.environmentId ?? 'unknown',
    vpcId: rec.vpcId ?? rec.request?.vpcId ?? 'unknown',
    region: rec.region ?? rec.request?.region ?? 'unknown',
    executionArn: executionArn ?? rec.executionArn,
    gatewayId: rec.gatewayId,
    confluentAccount: rec.confluentAccount,
    securityGroupId: rec.securityGroupId,
    accessPointId: rec.accessPointId,
    eniCount: rec.eniCount,
  };
}

/** The provision result a record stands for (RecordSucceeded, and a repeat of a SUCCEEDED request). */
export function resultOf(rec: RequestRecord, eniIds: string[]): ProvisionResult {
  return {
    requestId: rec.requestId,
    status: rec.status,
    gatewayId: rec.gatewayId,
    gatewayCreatedByUs: rec.gatewayCreatedByUs,
    confluentAccount: rec.confluentAccount,
    securityGroupId: rec.securityGroupId,
    accessPointId: rec.accessPointId,
    eniIds,
  };
}

/** The ENI ids of the record's current attempt, in slot order (what the result and the Succeeded event list). */
export function currentEniIds(rec: RequestRecord, enis: readonly { attempt: number; eniId?: string }[]): string[] {
  return enis.flatMap((e) => (e.attempt === rec.attempt && e.eniId ? [e.eniId] : []));
}
